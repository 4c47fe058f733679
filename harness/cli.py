"""``python -m harness <command>``: parse once, build the Config, run one task.

Expected failures (``HarnessError``) print one line and exit 1 (2 for bad
usage); Ctrl-C says what was kept and how to resume.  Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import errno
import importlib
import json
import math
import os
import re
import resource
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from harness import __version__, command
from harness.config import DEFAULT_VARIANT, GB, Config, Variant
from harness import output
from harness.errors import HarnessError
from harness.ui import UI

COMMANDS = {
    "bisect": "find, per case, the release where its outcome changed",
    "scan": "run the cases in every release of a range and store the rows",
    "cases": "list case names, one a line",
    "reproduce": "run each historical bug on its documented fix boundary: agree or disagree",
    "report": "tables, transitions and a heatmap of the stored results (of one or more stores)",
    "compare": "run the cases on several frameworks (tensorflow, theano, torch, jax) side by side",
    "benchmark": "time the naive pip loop vs the harness cold and warm, and the import floor",
    "matrix": "print a GitHub Actions matrix (JSON) of scan shards balanced by expected cost",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every usage error
        self.exit(2, f"{self.prog}: error: {message}; see --help\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _versions(value: str) -> list[str]:
    found = _csv(value)
    if not found:
        raise argparse.ArgumentTypeError(f"expected versions like 1.15.5,2.0.0, got {value!r}")
    return list(dict.fromkeys(found))  # a repeated version is measured once


def _package_name(value: str) -> str:
    """The normalised distribution name (PEP 503): TensorFlow and tensorflow are one."""
    name = re.sub(r"[-_.]+", "-", value.strip()).lower()
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", name):
        raise argparse.ArgumentTypeError(f"expected a distribution name like tensorflow-cpu, got {value!r}")
    return name


def _exclude_newer(value: str) -> str:
    """``none``, a date (2019-06-01) or an RFC 3339 time (2019-06-01T12:00:00Z), as uv takes them."""
    if value.lower() == "none":
        return value
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        datetime.date.fromisoformat(text) if len(text) == 10 else datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2019-06-01, a time like 2019-06-01T12:00:00Z, or none; "
            f"got {value!r}") from None
    return value


def _results_dir(value: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder (created if missing), got the file {value!r}")
    return path


def _output_file(value: str) -> Path:
    """A file to write at the end (``-``: stdout): checked now, so that no work is lost to a bad path."""
    path = Path(value)
    if path == output.STDOUT:
        return path
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file name, got the folder {value!r}; "
                                         f"try {str(path / 'result.json')!r}")
    ancestor = next(p for p in path.absolute().parents if p.exists())
    if not ancestor.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder to hold {value!r}, got the file "
                                         f"{str(ancestor)!r}; choose another path")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"expected an existing folder for {value!r}, got no folder "
                                         f"{str(path.parent)!r}; create it, or write to stdout with --json -")
    return path


def _variant(text: str) -> Variant:
    name, _, assignments = text.partition("=")
    pairs = []
    for item in assignments.split(","):
        var, eq, value = item.partition("=")
        if not eq or not var.strip():
            raise argparse.ArgumentTypeError(
                f"expected NAME=VAR=VALUE[,VAR=VALUE], got {text!r}")
        pairs.append((var.strip(), value))
    if not name.strip() or name.strip() == "default":
        raise argparse.ArgumentTypeError(f"expected a variant name other than 'default', got {text!r}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name.strip()) or ".." in name:
        raise argparse.ArgumentTypeError(  # the name is part of a results file's name
            f"expected a variant name of letters, digits, '.', '_', '-' (no '/' or '..'), got {name.strip()!r}")
    return Variant(name.strip(), tuple(pairs))


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {value!r}")
    return number


def _hook(command: str, name: str, default):
    return getattr(importlib.import_module(f"harness.commands.{command}"), name, default)


DEFAULTS = Config(command="")


def _releases(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("releases")
    g.add_argument("--from", dest="from_", metavar="V", help="oldest release (inclusive)")
    g.add_argument("--to", metavar="V", help="newest release (inclusive)")
    g.add_argument("--versions", type=_versions, metavar="V1,V2,...", help="exact releases instead of a range")
    g.add_argument("--pre", action="store_true",
                   help="include pre-releases (e.g. 2.22.0rc0: the release you are about to upgrade to)")


def _package(p: argparse.ArgumentParser) -> None:
    p.add_argument("--package", type=_package_name, help=f"distribution on PyPI (default: {DEFAULTS.package})")


def _case_names(p: argparse.ArgumentParser) -> None:
    p.add_argument("--case", dest="case_patterns", action="append", metavar="NAME",
                   help="case name or glob (repeatable; default: all)")


def _case_files(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", dest="case_paths", action="append", type=Path, metavar="PATH",
                   help="user case file or folder of them, added to the built-in suite (repeatable)")


def _environments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("environments")
    g.add_argument("--python", metavar="VER|PATH", help="force one interpreter (e.g. 3.6)")
    g.add_argument("--exclude-newer", type=_exclude_newer, metavar="DATE|none",
                   help="date cut for dependency resolution (default: the release's upload day + 1)")
    g.add_argument("--find-links", action="append", metavar="DIR",
                   help="extra folder of wheels (also the catalog when no --index-url)")
    g.add_argument("--index-url", metavar="URL", help="simple index (default: PyPI)")
    g.add_argument("--offline", action="store_true",
                   help="no network: cached catalog, existing environments and uv's cache only")
    g.add_argument("--cache-dir", type=Path, help=f"environments and catalog cache (default: {DEFAULTS.cache_dir})")


def _running(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("running")
    g.add_argument("--timeout", type=_positive, metavar="SECONDS",
                   help=f"per case (default: {DEFAULTS.timeout:g})")
    g.add_argument("--import-timeout", type=_positive, metavar="SECONDS",
                   help=f"for importing the framework (default: {DEFAULTS.import_timeout:g})")
    g.add_argument("--force", action="store_true", help="re-run what is already stored")
    g.add_argument("--variant", dest="variants", action="append", type=_variant,
                   metavar="NAME=VAR=VALUE[,VAR=VALUE]",
                   help="also run with these environment variables, stored as variant NAME "
                   "(e.g. onednn-off=TF_ENABLE_ONEDNN_OPTS=0); repeatable")
    g.add_argument("-j", "--jobs", type=int, metavar="N",
                   help=f"releases measured at once (default: the number of cores, {DEFAULTS.jobs})")
    from_env = os.environ.get("HARNESS_DISK_BUDGET")  # a string default goes through _positive too
    g.add_argument("--disk-budget", type=_positive, metavar="GB",
                   **({"default": from_env} if from_env else {}),
                   help="disk the environments and their uv cache entries may take before the least "
                   "recently used are evicted (default: $HARNESS_DISK_BUDGET, else the free space of "
                   "the cache's disk above max(10 GB, 10%%) of it, at most 40)")


def _output(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--json", dest="json_path", type=_output_file, metavar="FILE",
                   help="also write a machine-readable result")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def _progress(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("progress")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="also show uv's and the runner's output lines in the progress")
    g.add_argument("--keep-logs", action="store_true",
                   help="keep the runner log of each crashed or hung case (under the cache's logs/) "
                   "and name its path in the stored row's detail")


def _store(p: argparse.ArgumentParser) -> None:
    p.add_argument_group("results").add_argument(
        "--results", dest="results_dir", type=_results_dir, metavar="DIR",
        help=f"results folder (default: {DEFAULTS.results_dir}/)")


def _stores(p: argparse.ArgumentParser) -> None:  # report merges the stores of several machines
    p.add_argument_group("results").add_argument(
        "--results", dest="results_dirs", type=_results_dir, nargs="+", action="extend", metavar="DIR",
        help=f"results folder(s) to merge (default: {DEFAULTS.results_dir}/)")


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"expected a regular expression, got {value!r} ({exc})")
    return value


def _file(value: str) -> Path:
    if not Path(value).is_file():
        raise argparse.ArgumentTypeError(f"expected a file, got {value!r} (no such file)")
    return Path(value)


def _script(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("your own script (instead of cases; see harness/script.py)")
    g.add_argument("--script", type=_file, metavar="FILE",
                   help="run FILE unchanged in each release; exit 0 good, 125 skip, 1-127 bad, "
                   "signal crash (git bisect run); Python 2 scripts run on 2.7")
    g.add_argument("--good-output", type=_regex, metavar="REGEX",
                   help="--script: pass when a stdout line matches REGEX")
    g.add_argument("--bad-output", type=_regex, metavar="REGEX",
                   help="--script: wrong when a stdout line matches REGEX")


# Option groups a command can declare in its module's OPTIONS.
GROUPS = {"package": _package, "releases": _releases, "case": _case_names, "case-files": _case_files,
          "environments": _environments, "running": _running, "output": _output, "progress": _progress,
          "store": _store, "stores": _stores, "script": _script}


def parser(argv: Sequence[str] | None = None, *, prog: str = "python -m harness") -> argparse.ArgumentParser:
    """The command line.  Given ``argv``, only the command it names gets its own
    options (``OPTIONS`` and ``add_arguments`` in its module): importing every
    command module would cost every invocation their imports (pandas, matplotlib).

    Options left out of the command line are left out of the namespace, so
    every default lives in one place: ``Config``'s fields.
    """
    chosen = set(COMMANDS) if argv is None else {a for a in argv if a in COMMANDS}
    top = _Parser(prog=prog,
                  description="Find the framework release where a convolution's result changed.")
    top.add_argument("--version", action="version", version=f"tf-bisect {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, text in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text, argument_default=argparse.SUPPRESS)
        if name in chosen:
            for group in _hook(name, "OPTIONS", ()):
                GROUPS[group](p)
            _hook(name, "add_arguments", lambda _p: None)(p)  # a command's own options
    return top


FIELDS = {f.name for f in dataclasses.fields(Config)}


def config_from(args: argparse.Namespace) -> Config:
    """The options given, on top of ``Config``'s defaults."""
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in vars(args).items() if k in FIELDS}
    if "find_links" in given:
        given["find_links"] = tuple(str(Path(p).resolve()) for p in given["find_links"])
    if "variants" in given:
        given["variants"] = (DEFAULT_VARIANT, *given["variants"])
    if "jobs" in given:
        given["jobs"] = max(given["jobs"], 1)
    if "disk_budget" in given:
        given["disk_budget"] = given["disk_budget"] * GB
    if "results_dirs" in given:
        given["results_dir"] = given["results_dirs"][0]
    given.setdefault("results_dirs", (given.get("results_dir", DEFAULTS.results_dir),))
    if "output" in vars(args):
        given["report_dir"] = args.output
    return Config(**given)


def main(argv: Sequence[str] | None = None) -> int:
    # the console script says its own name in usage and errors
    prog = "tf-bisect" if argv is None and Path(sys.argv[0]).name == "tf-bisect" else "python -m harness"
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(argv, prog=prog).parse_args(argv)
    cfg = config_from(args)
    ui = UI(quiet=cfg.quiet, results_to_stderr=cfg.json_path == output.STDOUT)
    task = importlib.import_module(f"harness.commands.{cfg.command}")
    previous = {sig: signal.signal(sig, _interrupted)  # kill PID is like Ctrl-C: results kept
                for sig in (signal.SIGINT, signal.SIGTERM)
                if threading.current_thread() is threading.main_thread()}
    try:
        return task.run(cfg, ui, **_hook(cfg.command, "options_from", lambda _a: {})(args))
    except HarnessError as exc:
        ui.err.print(f"{'' if exc.exit_code == 130 else 'error: '}{exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:  # outside a command's resumable() block: nothing was running
        ui.err.print("\ninterrupted before any work started", markup=False)
        return 130
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        ui.err.print(
            f"error: disk full while writing {exc.filename or 'a file'}: expected free space, got "
            f"none; free some (environments live in {cfg.envs_dir}) and rerun - stored results are kept",
            markup=False)
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _write_rusage(os.environ.get(RUSAGE_FILE))


# The benchmark sets this: where to write the run's CPU seconds, its own and its children's
# (uv, runners), which together say whether a run is bound by the cores or by waiting.
RUSAGE_FILE = "HARNESS_RUSAGE_FILE"


def _write_rusage(path: str | None) -> None:
    if not path:
        return
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(path).write_text(json.dumps({"self": own.ru_utime + own.ru_stime,
                                      "children": children.ru_utime + children.ru_stime}))


def _interrupted(signum, frame):
    command.kill_running()  # uv installs in worker threads, in their own process groups
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
