"""``benchmark``: the naive pip loop vs the harness cold and warm, and the import floor.

Everything runs in one invocation, side by side over the same releases, and
the table goes to the terminal and ``results/benchmark.md``.  Not run in CI:
it downloads and installs every release twice.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import command, envs, frameworks, releases
from harness.cli import RUSAGE_FILE
from harness.benchmark import (BisectRun, Benchmark, EnvBuild, ReleaseRun, ReleaseTiming, breakdown,
                               ratio, same_transitions, table)
from harness.config import GB, Config
from harness.errors import HarnessError, UsageError
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
    parser.add_argument("--no-scan", dest="with_scan", action="store_false",
                        help="with --bisect: time only the bisects")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="scratch folder (default: <cache-dir>/benchmark); emptied afterwards")


def options_from(args: argparse.Namespace) -> dict:
    # options left out are not in the namespace (the parser suppresses defaults)
    given = vars(args)
    return {"spec": given.get("releases", "default"), "skip_naive": given.get("skip_naive", False),
            "with_bisect": given.get("bisect", False), "workdir": given.get("workdir"),
            "with_scan": given.get("with_scan", True)}


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


def _harness(args: list[str], uv_cache: Path, extra_env: dict[str, str] | None = None
             ) -> tuple[float, bool, str]:
    return _timed([sys.executable, "-m", "harness", *args, "-q"],
                  env=envs.scrubbed_env({"UV_CACHE_DIR": str(uv_cache), **(extra_env or {})}),
                  timeout=4 * 3600)


def run(cfg: Config, ui: UI, *, spec: str, skip_naive: bool, with_bisect: bool,
        workdir: Path | None, with_scan: bool = True) -> int:
    plan = build(cfg)
    chosen, forced = _choose(cfg, spec, plan)
    scratch = workdir or cfg.cache_dir / "benchmark"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    versions = ",".join(str(r.version) for r in chosen)
    common = ["--cache-dir", str(scratch / "cache"), "--results", str(scratch / "results"),
              "-j", str(cfg.jobs), *[a for p in cfg.case_patterns for a in ("--case", p)],
              *(["--disk-budget", f"{cfg.disk_budget / GB:g}"] if cfg.disk_budget is not None else []),
              *(["--python", forced] if forced else [])]
    uv_cache = scratch / "uv-cache"
    try:
        text = (_scan(cfg, ui, plan, chosen, forced, spec, versions, common, uv_cache, scratch,
                      skip_naive) if with_scan or not with_bisect else "")
        if with_bisect:
            text += "\n" + _bisect(cfg, ui, scratch, uv_cache)
        ui.result(text)
        out_path = cfg.results_dir / "benchmark" / "benchmark.md"  # untracked, unlike results/*.md
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(f"# Benchmark\n\nMachine: {_machine()}. Command: `python -m harness "
                            f"benchmark --releases {spec}{' --bisect' if with_bisect else ''}`\n\n{text}")
        ui.result(f"wrote {out_path}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _scan(cfg: Config, ui: UI, plan, chosen: list[Release], forced: str | None, spec: str,
          versions: str, common: list[str], uv_cache: Path, scratch: Path, skip_naive: bool) -> str:
    """The naive loop, the harness cold and warm, and the import floor over ``chosen``."""
    interps = [resolve_forced(forced, plan.interpreters)] if forced else plan.interpreters
    naive_times: dict[str, tuple[float | None, bool]] = {}
    for n, release in enumerate(chosen, 1):
        picked = pick(release, interps)
        if not picked:
            raise UsageError(f"{release.version}: {picked.reason}")
        if skip_naive:
            naive_times[str(release.version)] = (None, False)
            continue
        ui.progress(f"[naive {n}/{len(chosen)}] venv + pip install {cfg.package}=={release.version} "
                    f"on Python {picked.interpreter.short}")
        naive_times[str(release.version)] = naive(cfg, release, picked.interpreter.path,
                                                  picked.interpreter.version, scratch)
        ui.progress(f"    {naive_times[str(release.version)][0]:.1f} s")
    ui.progress(f"[harness cold] scan {versions} with an empty uv cache and no environments")
    cold, ok, out = _harness(["scan", "--versions", versions, *common], uv_cache)
    cold_figure = cold if ok else None
    ui.progress(f"    {cold:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
    ui.progress("[harness warm] the same scan again with --force (environments cached; "
                "this first rerun writes their .pyc)")
    first, ok, out = _harness(["scan", "--versions", versions, "--force", *common], uv_cache)
    first_figure = first if ok else None
    ui.progress(f"    {first:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
    ui.progress("[harness warm] and again (the .pyc written)")
    warm, ok, out = _harness(["scan", "--versions", versions, "--force", *common], uv_cache)
    warm_figure = warm if ok else None
    ui.progress(f"    {warm:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
    module = frameworks.lookup(cfg.package).module
    ui.progress(f"[import floor] bare `import {module}` in each environment, {cfg.jobs} at a time")
    floors, floor_wall = _import_times(scratch / "cache" / "envs", module, cfg.jobs)
    timings = []
    for release in chosen:
        py = pick(release, interps)
        naive_s, naive_ok = naive_times[str(release.version)]
        timings.append(ReleaseTiming(str(release.version), py.interpreter.short if py else "-",
                                     naive_s, naive_ok, floors.get(str(release.version))))
    imports, cases = _run_seconds(scratch / "results", cfg.package)
    bench = Benchmark(tuple(timings), cold_figure, warm_figure, cfg.jobs, len(plan.cases),
                      floor_wall if floors else None, imports, cases, first_figure)
    return table(bench, title=f"Scan: {spec} ({versions})")


def _run_seconds(results: Path, package: str) -> tuple[float | None, float | None]:
    """The last scan's imports and cases, summed over its stored rows (the warm scan
    rewrote them with --force): each release's import once, every case's seconds."""
    runs = [rows for rows in (_release_rows(p) for p in sorted((results / "runs" / package).glob("*/*.json")))
            if rows]
    if not runs:
        return None, None
    return (sum(max(r["import_seconds"] for r in rows) for rows in runs),
            sum(r.get("seconds") or 0.0 for rows in runs for r in rows))


def _release_rows(path: Path) -> list[dict]:
    """A stored release file's rows that were measured (an import time recorded)."""
    return [r for r in json.loads(path.read_text())["rows"].values() if r.get("import_seconds") is not None]


def _import_times(envs_dir: Path, module: str, jobs: int) -> tuple[dict[str, float], float]:
    """Each environment's bare import, ``jobs`` at a time as the scan runs them, and the
    wall time of them all: the floor under the scan's own concurrency."""
    found = []
    for env in sorted(envs_dir.glob("*")) if envs_dir.is_dir() else []:
        info = env / "harness-env.json"
        if info.exists():
            found.append((json.loads(info.read_text())["spec"]["version"], env))

    def one(item):  # with the .pyc a runner reads and writes (envs.bytecode_vars)
        version, env = item
        seconds, ok, _ = _timed([env / "bin" / "python", "-c", f"import {module}"],
                                env=envs.python_env(env))
        return version, seconds, ok

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        results = list(pool.map(one, found))
    wall = time.monotonic() - started
    return {v: s for v, s, ok in results if ok}, wall


# The cold bisect, as before and as now, side by side in one run.  "Before" is the
# harness as it was before the crash, uv-cache and .pyc changes (docs/benchmark.md),
# switched back on by the variables that still select those paths: the runner restarted
# and importing again after each crash, uv without harness/uv.toml, and no .pyc written.
BEFORE_ENV = {"HARNESS_NO_FORK": "1", "UV_NO_CONFIG": "1", "HARNESS_NO_BYTECODE": "1"}
BISECT_RUNS = (("before (restart after a crash, uv's defaults, no .pyc)", BEFORE_ENV), ("now", {}))


def _bisect(cfg: Config, ui: UI, scratch: Path, uv_cache: Path) -> str:
    catalog_seconds = _catalog_seconds(cfg, scratch / "catalog-timing")
    what = f"cases {', '.join(cfg.case_patterns)}" if cfg.case_patterns else "the built-in suite"
    runs = []
    for label, extra_env in BISECT_RUNS:
        for leftover in (scratch / "cache", scratch / "bisect-cache", scratch / "bisect-results", uv_cache):
            shutil.rmtree(leftover, ignore_errors=True)
        report = scratch / "bisect.json"
        report.unlink(missing_ok=True)
        rusage = scratch / "rusage.json"
        rusage.unlink(missing_ok=True)
        ui.progress(f"[bisect {label}] cold bisect of {what} over every release installable here")
        seconds, ok, out = _harness([
            "bisect", "--cache-dir", str(scratch / "bisect-cache"), "--results",
            str(scratch / "bisect-results"), "--json", str(report), "-j", str(cfg.jobs),
            *(["--disk-budget", f"{cfg.disk_budget / GB:g}"] if cfg.disk_budget is not None else []),
            *[a for p in cfg.case_patterns for a in ("--case", p)]], uv_cache,
            {**extra_env, RUSAGE_FILE: str(rusage)})
        ui.progress(f"    {seconds:.1f} s" + ("" if ok else f" (failed: {out.splitlines()[-1:]})"))
        runs.append(_collect(cfg, label, seconds if ok else None, catalog_seconds, scratch, report, out,
                             rusage))
    before, now = runs
    n = len(build(cfg).catalog.releases)
    bound = math.ceil(math.log2(max(n, 2))) + 2
    per_case = max((len(v) for r in runs for _, v in r.probes), default=0)
    return (f"## Cold bisect of {what}\n\n{cfg.jobs} worker(s); empty uv cache and no environments "
            f"before each run; catalog timed apart.\n\n" + breakdown(runs) + "\n"
            + same_transitions(before, now) + "\n"
            + f"- at most {per_case} probes for one case (bound ceil(log2 n) + 2 = {bound})\n"
            + f"- cold bisect, before / now: **{ratio(before.wall, now.wall)}** "
            f"({'failed' if before.wall is None else f'{before.wall:.0f} s'} / "
            f"{'failed' if now.wall is None else f'{now.wall:.0f} s'})\n")


def _catalog_seconds(cfg: Config, folder: Path) -> float | None:
    shutil.rmtree(folder, ignore_errors=True)
    started = time.monotonic()
    try:
        releases.load_catalog(cfg.package, cache_dir=folder, index_url=cfg.index_url or releases.PYPI_SIMPLE)
    except HarnessError:
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return time.monotonic() - started


def _collect(cfg: Config, label: str, wall: float | None, catalog_seconds: float | None,
             scratch: Path, report: Path, out: str = "", rusage: Path | None = None) -> BisectRun:
    """What a finished bisect did, from its artifacts: the build log, the stored rows, the report."""
    if wall is None or not report.exists():
        return BisectRun(label, None, cfg.jobs)
    builds = []
    log = scratch / "bisect-cache" / "envs" / envs.BUILD_LOG
    for line in log.read_text().splitlines() if log.exists() else []:
        entry = json.loads(line)
        builds.append(EnvBuild(entry["version"], entry["seconds"], tuple(entry.get("phases", {}).items()),
                               entry.get("sdists")))
    runs = []
    for path in sorted((scratch / "bisect-results" / "runs" / cfg.package).glob("*/*.json")):
        measured = _release_rows(path)
        if measured:
            runs.append(ReleaseRun(path.parent.name, max(r["import_seconds"] for r in measured),
                                   sum(r.get("seconds") or 0.0 for r in measured)))
    data = json.loads(report.read_text())
    if isinstance(data, dict):  # versioned --json documents: {"schema", "kind", "cases"}
        data = data.get("cases", [])
    probes = tuple((r["case"], tuple(p["version"] for p in r["probes"])) for r in data)
    transitions = tuple((r["case"], (f"{r['transition']['from']} -> {r['transition']['to']}"
                                      if r["transition"] else "none") + _lines(r.get("lines", [])))
                        for r in data)
    peak = re.search(r"disk: measured peak ([\d.]+ GB)", out)
    cpu = json.loads(rusage.read_text()) if rusage is not None and rusage.exists() else {}
    return BisectRun(label, wall, cfg.jobs, catalog_seconds, tuple(builds), tuple(runs), probes,
                     transitions, peak.group(1) if peak else None, cpu.get("self"), cpu.get("children"))


def _lines(answers: list[dict]) -> str:
    """The per-line answers of a bisect report, for comparing two runs."""
    if not answers:
        return ""
    return "; lines " + ", ".join(f"{a['line']} {a['status']} {a.get('first_new') or ''}".strip()
                                  for a in answers)


def _machine() -> str:
    from harness.results import machine

    info = machine()
    return f"{info.get('cpu', '?')}, {info.get('os', '?')}"
