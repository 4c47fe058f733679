"""``benchmark``: the naive pip loop vs the harness cold and warm, and the import floor.

Everything runs in one invocation, side by side over the same releases, and
the table goes to the terminal and ``results/benchmark.md``.  Not run in CI:
it downloads and installs every release twice.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path

from harness import command, envs, frameworks
from harness.benchmark import Benchmark, ReleaseTiming, bisect_line, table
from harness.config import Config
from harness.errors import UsageError
from harness.interpreters import pick, resolve_forced
from harness.plan import build
from harness.releases import Release
from harness.ui import UI

DEFAULT_RELEASES = ("1.0.1", "1.4.0", "2.0.0")  # small, cheap, graph and eager eras
NAIVE_SCRIPT = ("import time, numpy as np; t = time.time(); import {module} as tf; "
                "print('imported', tf.__version__, round(time.time() - t, 2))")

OPTIONS = ("package", "case", "environments", "running", "output", "store")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--releases", default="default", metavar="SET",
                        help="'default' (1.0.1,1.4.0,2.0.0), 'all-py311' (every release with a "
                        "Python 3.11 wheel) or V1,V2,...")
    parser.add_argument("--skip-naive", action="store_true", help="do not run the pip baseline")
    parser.add_argument("--bisect", action="store_true",
                        help="also time a cold bisect of the built-in suite over the whole history")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="scratch folder (default: <cache-dir>/benchmark); emptied afterwards")


def options_from(args: argparse.Namespace) -> dict:
    # options left out are absent from the namespace (cli.parser): their defaults live here
    return {"spec": getattr(args, "releases", "default"), "skip_naive": getattr(args, "skip_naive", False),
            "with_bisect": getattr(args, "bisect", False), "workdir": getattr(args, "workdir", None)}


def _choose(cfg: Config, spec: str, plan) -> tuple[list[Release], str | None]:
    if spec == "default":
        return [plan.catalog.find(v) for v in DEFAULT_RELEASES], None
    if spec == "all-py311":
        py311 = resolve_forced("3.11", plan.interpreters)
        return [r for r in plan.catalog.releases if pick(r, [py311])], "3.11"
    chosen = [plan.catalog.find(v) for v in spec.split(",")]
    if None in chosen:
        raise UsageError(f"--releases {spec}: expected 'default', 'all-py311' or known versions")
    return chosen, None  # type: ignore[return-value]


def _timed(argv, **kw) -> tuple[float, bool, str]:
    started = time.monotonic()
    try:
        out = command.run(argv, **kw)
        ok = True
    except command.CommandFailed as exc:
        out, ok = exc.output_tail, False
    return time.monotonic() - started, ok, out


def naive(cfg: Config, release: Release, python: Path, version: tuple, scratch: Path) -> tuple[float, bool]:
    """venv + pip install + import script, as a person would do it by hand."""
    venv = scratch / f"naive-{release.version}"
    shutil.rmtree(venv, ignore_errors=True)
    env = envs.scrubbed_env()
    bin_ = venv / "bin"
    started = time.monotonic()
    _, ok, _ = _timed([python, "-m", "venv", venv], env=env)
    if ok and version < (3, 7):
        _, ok, _ = _timed([bin_ / "python", "-m", "pip", "install", "-q", "pip<22"], env=env)
    reqs = [f"{cfg.package}=={release.version}", *frameworks.lookup(cfg.package).pins_for(release.version)]
    if ok:
        _, ok, _ = _timed([bin_ / "python", "-m", "pip", "install", "-q", *reqs], env=env, timeout=3600)
    if ok:
        _, ok, _ = _timed([bin_ / "python", "-c", NAIVE_SCRIPT.format(module=frameworks.lookup(cfg.package).module)], env=env)
    seconds = time.monotonic() - started
    shutil.rmtree(venv, ignore_errors=True)
    return seconds, ok


def _harness(args: list[str], uv_cache: Path) -> tuple[float, bool, str]:
    return _timed([sys.executable, "-m", "harness", *args, "-q"],
                  env=envs.scrubbed_env({"UV_CACHE_DIR": str(uv_cache)}), timeout=4 * 3600)


def run(cfg: Config, ui: UI, *, spec: str, skip_naive: bool, with_bisect: bool,
        workdir: Path | None) -> int:
    plan = build(cfg)
    chosen, forced = _choose(cfg, spec, plan)
    scratch = workdir or cfg.cache_dir / "benchmark"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    versions = ",".join(str(r.version) for r in chosen)
    common = ["--cache-dir", str(scratch / "cache"), "--results", str(scratch / "results"),
              "-j", str(cfg.jobs), *[a for p in cfg.case_patterns for a in ("--case", p)],
              *(["--python", forced] if forced else [])]
    uv_cache = scratch / "uv-cache"
    try:
        timings = []
        naive_times: dict[str, tuple[float | None, bool]] = {}
        for n, release in enumerate(chosen, 1):
            interps = [resolve_forced(forced, plan.interpreters)] if forced else plan.interpreters
            picked = pick(release, interps)
            if not picked:
                raise UsageError(f"{release.version}: {picked.reason}")
            if skip_naive:
                naive_times[str(release.version)] = (None, False)
                continue
            ui.progress(f"[naive {n}/{len(chosen)}] venv + pip install {cfg.package}=={release.version} "
                        f"on Python {picked.interpreter.short}")
            naive_times[str(release.version)] = naive(cfg, release, picked.interpreter.path, picked.interpreter.version, scratch)
            ui.progress(f"    {naive_times[str(release.version)][0]:.1f} s")
        ui.progress(f"[harness cold] scan {versions} with an empty uv cache and no environments")
        cold, ok, out = _harness(["scan", "--versions", versions, *common], uv_cache)
        cold_figure = cold if ok else None
        ui.progress(f"    {cold:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
        ui.progress("[harness warm] the same scan again with --force (environments cached)")
        warm, ok, out = _harness(["scan", "--versions", versions, "--force", *common], uv_cache)
        warm_figure = warm if ok else None
        ui.progress(f"    {warm:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
        module = frameworks.lookup(cfg.package).module
        ui.progress(f"[import floor] bare `import {module}` in each environment")
        floors = _import_times(scratch / "cache" / "envs", module)
        for release in chosen:
            py = pick(release, [resolve_forced(forced, plan.interpreters)] if forced else plan.interpreters)
            naive_s, naive_ok = naive_times[str(release.version)]
            timings.append(ReleaseTiming(str(release.version), py.interpreter.short if py else "-",
                                         naive_s, naive_ok, floors.get(str(release.version))))
        bench = Benchmark(tuple(timings), cold_figure, warm_figure, cfg.jobs, len(plan.cases))
        text = table(bench, title=f"Scan: {spec} ({versions})")
        if with_bisect:
            text += "\n" + _bisect(cfg, ui, scratch, uv_cache)
        ui.result(text)
        out_path = cfg.results_dir / "benchmark.md"
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(f"# Benchmark\n\nMachine: {_machine()}. Command: `python -m harness "
                            f"benchmark --releases {spec}{' --bisect' if with_bisect else ''}`\n\n{text}")
        ui.result(f"wrote {out_path}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _import_times(envs_dir: Path, module: str) -> dict[str, float]:
    out = {}
    for env in sorted(envs_dir.glob("*")) if envs_dir.is_dir() else []:
        info = env / "harness-env.json"
        if not info.exists():
            continue
        version = json.loads(info.read_text())["spec"]["version"]
        seconds, ok, _ = _timed([env / "bin" / "python", "-c", f"import {module}"],
                                env=envs.scrubbed_env())
        if ok:
            out[version] = seconds
    return out


def _bisect(cfg: Config, ui: UI, scratch: Path, uv_cache: Path) -> str:
    shutil.rmtree(scratch / "cache", ignore_errors=True)
    shutil.rmtree(uv_cache, ignore_errors=True)
    report = scratch / "bisect.json"
    ui.progress("[bisect] cold bisect of the built-in suite over every release installable here")
    seconds, ok, out = _harness(["bisect", "--cache-dir", str(scratch / "bisect-cache"),
                                 "--results", str(scratch / "bisect-results"), "--json", str(report)],
                                uv_cache)
    if not ok:
        return f"- bisect failed: {out.splitlines()[-1:]}\n"
    data = json.loads(report.read_text())
    probes = {p["version"] for r in data for p in r["probes"]}
    per_case = max(len(r["probes"]) for r in data)
    built = len([p for p in (scratch / "bisect-cache" / "envs").glob("*") if p.is_dir()])
    n = len(build(cfg).catalog.releases)
    line = bisect_line(n, len(probes), built, seconds, math.ceil(math.log2(max(n, 2))) + 2)
    return line + f" (at most {per_case} probes for one case; {len(data)} cases)\n"


def _machine() -> str:
    from harness.results import machine

    info = machine()
    return f"{info.get('cpu', '?')}, {info.get('os', '?')}"
