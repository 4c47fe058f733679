"""``matrix``: a GitHub Actions matrix (JSON) of ``scan --shard I/N`` jobs.

Prints ``{"include": [...]}`` on one line (what ``$GITHUB_OUTPUT`` and
``fromJSON`` want), one entry per non-empty shard.  An entry follows the
fields of ``nox --list --json`` (``session``, ``name``, ``description``,
``python``, ``tags``, ``call_spec``) and adds what a runner needs:

``shard``    ``I/N``, for ``nox -s scan -- --shard I/N``
``slug``     ``I-of-N``, for artifact and folder names (no ``/``)
``python``   the interpreters its releases need (``harness.interpreters.pick``
             over the Pythons a CI runner can install), for the setup step
``versions`` its releases, comma-separated (``--versions`` syntax)
``span``     oldest..newest of them (shards interleave: LPT, not ranges)
``count``, ``cost``  how many releases, expected seconds (``harness.shard``)

The split is the one ``scan --shard`` computes: same catalog selection
(``--package``, ``--from``, ``--to``, ``--versions``), same cost model.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from harness import output, releases, shard
from harness.config import Config
from harness.interpreters import Interpreter, pick, resolve_forced
from harness.plan import load_catalog
from harness.releases import Release
from harness.ui import UI

# Interpreters a CI runner can install (setup-python / uv for 3.8+, conda-forge
# for 3.6 and 3.7): together they install every TensorFlow release from 0.12.1.
CI_PYTHONS = ("3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of shards >= 1, got {text!r}")
    return value

OPTIONS = ("package", "releases", "environments", "output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shards", type=_count, default=4, metavar="N",
                        help="number of shards (runners), default 4")


def options_from(args: argparse.Namespace) -> dict:
    return {"shards": getattr(args, "shards", 4)}  # absent when not given (cli.parser)


def ci_interpreters(pythons: Sequence[str] = CI_PYTHONS) -> list[Interpreter]:
    """Stand-ins for the Pythons a runner can install, for matching wheels.

    Tags are this machine's platform's, so run ``matrix`` on the OS and CPU
    the shards will run on (as the workflow does).
    """
    out = []
    for text in pythons:
        major, minor = (int(p) for p in text.split(".")[:2])
        abiflags = "m" if (major, minor) < (3, 8) else ""  # 3.8 dropped pymalloc's "m"
        out.append(Interpreter(Path(f"python{major}.{minor}"), (major, minor, 0), abiflags))
    return out


def entries(chosen: Sequence[Release], count: int, interpreters: Sequence[Interpreter], *,
            package: str) -> list[dict]:
    """One matrix entry per non-empty shard of ``chosen`` (see the module docstring)."""
    out = []
    for index, members in enumerate(shard.split(chosen, count), 1):
        if not members:
            continue
        picks = [pick(r, interpreters) for r in members]
        pythons = sorted({p.interpreter.short for p in picks if p},
                         key=lambda v: tuple(map(int, v.split("."))))
        label = f"{index}/{count}"
        span = f"{members[0]}..{members[-1]}"
        cost = round(sum(shard.cost(r) for r in members))
        out.append({
            "session": f"scan(shard={label!r})", "name": "scan",
            "description": f"{package}: {len(members)} releases in {span}, ~{cost} s expected",
            "python": pythons, "tags": ["shard"], "call_spec": {"shard": label},
            "shard": label, "slug": f"{index}-of-{count}",
            "versions": ",".join(map(str, members)), "span": span,
            "count": len(members), "cost": cost,
        })
    return out


def run(cfg: Config, ui: UI, *, shards: int) -> int:
    catalog = load_catalog(cfg)
    chosen = releases.select(catalog, from_=cfg.from_, to=cfg.to, versions=cfg.versions)
    candidates = ci_interpreters()
    if cfg.python:
        candidates = [resolve_forced(cfg.python, candidates)]
    include = entries(chosen, shards, candidates, package=cfg.package)
    ui.progress(f"{len(chosen)} {cfg.package} releases ({chosen[0]} .. {chosen[-1]}) in {len(include)} "
                f"shard(s) of {shards}, by expected cost; catalog: {catalog.source}")
    for entry in include:
        ui.progress(f"  {entry['shard']:>5}  {entry['count']:3} releases  ~{entry['cost']:5} s  "
                    f"python {' '.join(entry['python']) or '-'}  {entry['span']}")
    # print, not rich: one exact line for $GITHUB_OUTPUT (no wrapping, no :emoji: codes)
    print(json.dumps({"include": include}, separators=(",", ":")), flush=True)
    if cfg.json_path:
        ui.progress(output.write(cfg.json_path, "matrix", include=include))
    return 0
