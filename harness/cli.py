"""``python -m harness <command>``: parse once, build the Config, run one task.

Expected failures (``HarnessError``) print one line and exit 1 (2 for bad
usage); Ctrl-C says what was kept and how to resume.  Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import __version__
from harness.config import DEFAULT_VARIANT, GB, Config, Variant, default_cache_dir
from harness.errors import HarnessError
from harness.outcome import GOOD_WHEN_CHOICES
from harness.shard import Shard
from harness.shard import parse as parse_shard
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
    return Variant(name.strip(), tuple(pairs))


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value}")
    return number


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _hook(command: str, name: str, default):
    return getattr(importlib.import_module(f"harness.commands.{command}"), name, default)


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line.  Given ``argv``, only the command it names gets its own
    options (``add_arguments`` in its module): importing every command module
    would cost every invocation their imports (pandas, matplotlib)."""
    chosen = set(COMMANDS) if argv is None else {a for a in argv if a in COMMANDS}
    common = argparse.ArgumentParser(add_help=False)
    sel = common.add_argument_group("what to run")
    sel.add_argument("--package", default="tensorflow", help="distribution on PyPI (default: tensorflow)")
    sel.add_argument("--from", dest="from_", metavar="V", help="oldest release (inclusive)")
    sel.add_argument("--to", metavar="V", help="newest release (inclusive)")
    sel.add_argument("--versions", type=_csv, default=[], metavar="V1,V2,...",
                     help="exact releases instead of a range")
    sel.add_argument("--case", dest="cases", action="append", default=[], metavar="NAME",
                     help="case name or glob (repeatable; default: all)")
    sel.add_argument("--cases", dest="case_paths", action="append", default=[], type=Path,
                     metavar="PATH", help="user case file or folder of them (repeatable)")
    env = common.add_argument_group("environments")
    env.add_argument("--python", metavar="VER|PATH", help="force one interpreter (e.g. 3.6)")
    env.add_argument("--exclude-newer", metavar="DATE|none",
                     help="date cut for dependency resolution (default: the release's upload day + 1)")
    env.add_argument("--find-links", action="append", default=[], metavar="DIR",
                     help="extra folder of wheels (also the catalog when no --index-url)")
    env.add_argument("--index-url", metavar="URL", help="simple index (default: PyPI)")
    env.add_argument("--offline", action="store_true", help="no network: cached catalog, existing environments and uv's cache only")
    env.add_argument("--cache-dir", type=Path, default=None,
                     help=f"environments and catalog cache (default: {default_cache_dir()})")
    run = common.add_argument_group("running")
    run.add_argument("--timeout", type=_positive, default=120.0, metavar="SECONDS",
                     help="per case (default: 120)")
    run.add_argument("--import-timeout", type=_positive, default=600.0, metavar="SECONDS",
                     help="for importing the framework (default: 600)")
    run.add_argument("--json", dest="json_path", type=Path, metavar="FILE",
                     help="also write a machine-readable result")
    run.add_argument("--force", action="store_true", help="re-run what is already stored")
    run.add_argument("--variant", dest="variants", action="append", default=[], type=_variant,
                     metavar="NAME=VAR=VALUE[,VAR=VALUE]",
                     help="also run with these environment variables, stored as variant NAME "
                     "(e.g. onednn-off=TF_ENABLE_ONEDNN_OPTS=0); repeatable")
    run.add_argument("-j", "--jobs", type=int, default=max(os.cpu_count() or 1, 1), metavar="N",
                     help="releases measured at once (default: number of cores)")
    run.add_argument("--disk-budget", type=_positive, default=40.0, metavar="GB",
                     help="environments kept on disk before the least recently used are "
                     "evicted (default: 40)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    one_store = argparse.ArgumentParser(add_help=False)
    one_store.add_argument_group("results").add_argument(
        "--results", dest="results_dir", type=Path, default=Path("results"), metavar="DIR",
        help="results folder (default: results/)")
    stores = argparse.ArgumentParser(add_help=False)  # report merges stores of several machines
    stores.add_argument_group("results").add_argument(
        "--results", dest="results_dirs", type=Path, nargs="+", action="extend", metavar="DIR",
        help="results folder(s) to merge (default: results/)")

    top = _Parser(prog="python -m harness",
                  description="Find the framework release where a convolution's result changed.")
    top.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, text in COMMANDS.items():
        p = sub.add_parser(name, parents=[common, stores if name == "report" else one_store],
                           help=text, description=text)
        if name == "bisect":
            p.add_argument("--good-when", choices=GOOD_WHEN_CHOICES, default="pass",
                           help="which outcomes count as good (default: pass)")
            p.add_argument("--no-prefetch", dest="prefetch", action="store_false",
                           help="build only the environments that are probed (no speculative builds)")
            p.add_argument("--nightly", action="store_true",
                           help="narrow each transition to two consecutive tf-nightly builds when "
                           "PyPI still has nightlies for that period")
        if name == "scan":
            p.add_argument("--shard", type=_shard, metavar="I/N",
                           help="only shard I of N: the releases split by expected cost, "
                           "the same on every machine (see `matrix`)")
        if name == "report":
            p.add_argument("--output", type=Path, metavar="DIR",
                           help="where report.md/.csv/.html/.png go (default: the first --results DIR)")
        if name in chosen:
            _hook(name, "add_arguments", lambda _p: None)(p)  # a command's own options
    return top


def config_from(args: argparse.Namespace) -> Config:
    kwargs = dict(
        command=args.command, package=args.package, from_=args.from_, to=args.to,
        versions=tuple(args.versions), case_patterns=tuple(args.cases),
        case_paths=tuple(args.case_paths), python=args.python, timeout=args.timeout,
        import_timeout=args.import_timeout, json_path=args.json_path,
        force=args.force, exclude_newer=args.exclude_newer,
        find_links=tuple(str(Path(p).resolve()) for p in args.find_links),
        index_url=args.index_url, offline=args.offline, quiet=args.quiet,
        good_when=getattr(args, "good_when", "pass"),
        variants=(DEFAULT_VARIANT, *args.variants), jobs=max(args.jobs, 1),
        disk_budget=args.disk_budget * GB,
        prefetch=getattr(args, "prefetch", True), nightly=getattr(args, "nightly", False),
        shard=getattr(args, "shard", None),
    )
    dirs = getattr(args, "results_dirs", None) or [getattr(args, "results_dir", Path("results"))]
    kwargs.update(results_dir=dirs[0], results_dirs=tuple(dirs), report_dir=getattr(args, "output", None))
    if args.cache_dir is not None:
        kwargs["cache_dir"] = args.cache_dir
    return Config(**kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(argv).parse_args(argv)
    cfg = config_from(args)
    ui = UI(quiet=cfg.quiet)
    task = importlib.import_module(f"harness.commands.{cfg.command}")
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


if __name__ == "__main__":
    sys.exit(main())
