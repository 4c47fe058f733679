"""``python -m harness <command>``: parse once, build the Config, run one task.

Expected failures (``HarnessError``) print one line and exit 1 (2 for bad
usage); Ctrl-C says what was kept and how to resume.  Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import __version__
from harness.config import Config, default_cache_dir
from harness.errors import HarnessError
from harness.outcome import GOOD_WHEN_CHOICES
from harness.ui import UI

COMMANDS = {
    "bisect": "find, per case, the release where its outcome changed",
    "scan": "run the cases in every release of a range and store the rows",
    "cases": "list case names, one a line",
    "report": "tables, transitions and a heatmap of the stored results (of one or more stores)",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every usage error
        self.exit(2, f"{self.prog}: error: {message}; see --help\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value}")
    return number


def parser() -> argparse.ArgumentParser:
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
    env.add_argument("--offline", action="store_true", help="use the cached catalog only")
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
        if name == "report":
            p.add_argument("--output", type=Path, metavar="DIR",
                           help="where report.md/.csv/.html/.png go (default: the first --results DIR)")
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
    )
    dirs = getattr(args, "results_dirs", None) or [getattr(args, "results_dir", Path("results"))]
    kwargs.update(results_dir=dirs[0], results_dirs=tuple(dirs), report_dir=getattr(args, "output", None))
    if args.cache_dir is not None:
        kwargs["cache_dir"] = args.cache_dir
    return Config(**kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    cfg = config_from(args)
    ui = UI(quiet=cfg.quiet)
    task = importlib.import_module(f"harness.commands.{cfg.command}")
    try:
        return task.run(cfg, ui)
    except HarnessError as exc:
        ui.err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        ui.err.print(
            f"\ninterrupted: every finished release is stored under {cfg.results_dir}; "
            "run the same command again to resume where it stopped", markup=False)
        return 130


if __name__ == "__main__":
    sys.exit(main())
