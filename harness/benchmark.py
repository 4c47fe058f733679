"""The benchmark's arithmetic and table: pure, no I/O.

Side by side, per release: the naive loop (``python -m venv`` + ``pip
install`` + a script), the harness cold (empty uv cache, no environments),
the harness warm (environments cached, results forced to rerun; once to write
the .pyc, then timed again), and the import floor (a bare ``import`` in each
environment).  Harness runs are
parallel, so their per-release figures are the run's wall time divided by
the number of releases, and the floor is the sum of import times divided by
the workers used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReleaseTiming:
    version: str
    python: str
    naive_seconds: float | None  # None: not measured (--skip-naive)
    naive_ok: bool  # the naive environment imported the framework
    import_seconds: float | None


@dataclass(frozen=True)
class Benchmark:
    releases: tuple[ReleaseTiming, ...]
    cold_seconds: float | None  # None: the run failed, so it has no figure
    warm_seconds: float | None
    jobs: int
    cases: int
    floor_wall: float | None = None  # the bare imports run ``jobs`` at a time, wall time
    warm_imports: float | None = None  # the warm scan's own imports, summed (its stored rows)
    warm_cases: float | None = None  # ... and its cases, summed
    first_rerun_seconds: float | None = None  # the first warm scan, which wrote the .pyc

    @property
    def naive_total(self) -> float | None:
        """The naive loop's total; None unless every release was measured and imported:
        a baseline that failed to do the work gets no ratio."""
        if any(r.naive_seconds is None or not r.naive_ok for r in self.releases):
            return None
        return sum(r.naive_seconds for r in self.releases)  # type: ignore[misc]

    @property
    def floor(self) -> float:
        """The best a warm scan can do: the bare imports run with the scan's concurrency
        (their wall time when measured so, else their sum over the workers)."""
        if self.floor_wall is not None:
            return self.floor_wall
        imports = [r.import_seconds or 0.0 for r in self.releases]
        return sum(imports) / max(1, min(self.jobs, len(imports)))


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    return f"{a / b:.2f}x"


def table(bench: Benchmark, *, title: str) -> str:
    """Markdown: one row per release, a total row, and the target ratios."""
    n = len(bench.releases)
    per = lambda total: total / n if n else 0.0  # noqa: E731
    lines = [
        f"## {title}",
        "",
        f"{n} release(s), {bench.cases} case(s) each, {bench.jobs} worker(s) for the harness.",
        "",
        "| release | python | naive pip loop (s) | harness cold (s/release) | harness warm (s/release) | import floor (s) |",
        "|---|---|---|---|---|---|",
    ]
    def figure(total: float | None) -> str:
        return "failed" if total is None else f"{per(total):.1f}"

    for r in bench.releases:
        naive = ("-" if r.naive_seconds is None
                 else f"{r.naive_seconds:.1f}" if r.naive_ok else "failed (no import)")
        floor = "-" if r.import_seconds is None else f"{r.import_seconds:.1f}"
        lines.append(f"| {r.version} | {r.python} | {naive} | {figure(bench.cold_seconds)} | "
                     f"{figure(bench.warm_seconds)} | {floor} |")
    naive_total = bench.naive_total
    total = lambda v: "failed" if v is None else f"{v:.1f}"  # noqa: E731
    lines += [
        f"| **total** | | {'-' if naive_total is None else f'{naive_total:.1f}'} | "
        f"{total(bench.cold_seconds)} | {total(bench.warm_seconds)} | {bench.floor:.1f} "
        + (f"({min(bench.jobs, n)} at a time, wall) |" if bench.floor_wall is not None
           else f"(sum / {min(bench.jobs, n)}) |"),
        "",
    ]
    failed = sum(1 for r in bench.releases if r.naive_seconds is not None and not r.naive_ok)
    if failed:
        lines.append(f"- cold speed-up over the naive loop: **-** (the naive loop failed to import "
                     f"{failed} of {n} releases: it did not do the same work, so no ratio)")
    else:
        lines.append(f"- cold speed-up over the naive loop: **{ratio(naive_total, bench.cold_seconds)}** "
                     "(target >= 4x)")
    lines.append(f"- warm scan over the import floor: **{ratio(bench.warm_seconds, bench.floor)}** "
                 "(target <= 1.2x)")
    if bench.first_rerun_seconds is not None:
        lines.append(f"- the first warm scan, which writes each environment's .pyc (the cold scan "
                     f"built them and writes none): {bench.first_rerun_seconds:.1f} s, "
                     f"{ratio(bench.first_rerun_seconds, bench.floor)} the floor; the warm column "
                     "and the floor are the runs after it, reading them")
    if bench.warm_seconds is not None and bench.warm_imports is not None and bench.warm_cases is not None:
        workers = max(1, min(bench.jobs, n))
        runners = (bench.warm_imports + bench.warm_cases) / workers
        lines.append(
            f"- where the warm scan's {bench.warm_seconds:.1f} s went: its runners' imports "
            f"{bench.warm_imports:.1f} s + cases {bench.warm_cases:.1f} s, summed; over {workers} "
            f"worker(s) {runners:.1f} s; the rest, {bench.warm_seconds - runners:.1f} s, is the harness "
            "(start, reference values, job files, judging, storing) and uneven work between the workers; "
            f"imports + cases over the floor: {ratio(runners, bench.floor)}")
    return "\n".join(lines) + "\n"


# -- where the wall time of a cold bisect goes ------------------------------


@dataclass(frozen=True)
class EnvBuild:
    """One environment a bisect built (from its info file)."""

    version: str
    seconds: float
    phases: tuple[tuple[str, float], ...] = ()  # uv's own figures; empty when not recorded
    sdists: int | None = None  # source distributions uv built for it; None: not recorded


@dataclass(frozen=True)
class ReleaseRun:
    """One release a bisect ran (from its stored rows)."""

    version: str
    import_seconds: float
    cases_seconds: float


PHASES = ("venv", "resolve", "prepare", "install", "freeze")


@dataclass(frozen=True)
class BisectRun:
    """A cold bisect: its wall time and what its artifacts say it did."""

    label: str
    wall: float | None  # None: the run failed, so it has no figure
    workers: int
    catalog_seconds: float | None = None
    builds: tuple[EnvBuild, ...] = ()
    runs: tuple[ReleaseRun, ...] = ()
    probes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (case, versions in probe order)
    transitions: tuple[tuple[str, str], ...] = ()  # (case, "a -> b" or "none", then its lines)
    peak: str | None = None  # the run's own "disk: measured peak" figure
    cpu_self: float | None = None  # CPU seconds (user + sys) of the harness process
    cpu_children: float | None = None  # ... and of everything it ran: uv, runners

    @property
    def cpu(self) -> float | None:
        if self.cpu_self is None or self.cpu_children is None:
            return None
        return self.cpu_self + self.cpu_children

    @property
    def probed(self) -> set[str]:
        return {v for _, versions in self.probes for v in versions}

    def _run(self, version: str) -> float:
        return sum(r.import_seconds + r.cases_seconds for r in self.runs if r.version == version)

    @property
    def work(self) -> float:
        """Import + cases seconds of the probed releases: what no schedule can avoid."""
        return sum(self._run(v) for v in self.probed)

    @property
    def critical_path(self) -> float:
        """The longest chain of dependent probes (one case's, in order), plus the build
        of the first probe: nothing can run before it."""
        if not self.probes:
            return 0.0
        first = {versions[0] for _, versions in self.probes if versions}
        build = min((b.seconds for b in self.builds if b.version in first), default=0.0)
        return build + max(sum(self._run(v) for v in versions) for _, versions in self.probes)

    @property
    def limit(self) -> float:
        """The best wall time for these probes on ``workers`` cores, with every download
        hidden behind other work: catalog + max(work / workers, critical path, CPU / workers).
        The CPU term counts what the imports and cases leave out: uv unpacking and
        linking, source builds, the harness itself."""
        return (self.catalog_seconds or 0.0) + max(self.work / max(self.workers, 1),
                                                   self.critical_path,
                                                   (self.cpu or 0.0) / max(self.workers, 1))


def breakdown(runs: list[BisectRun]) -> str:
    """Markdown: one column per run, where its wall time went."""
    def col(f) -> str:
        return " | ".join(f(r) for r in runs)

    def s(x: float | None) -> str:
        return "-" if x is None else f"{x:.0f} s"

    def builds(r: BisectRun, probed: bool | None = None) -> list[EnvBuild]:
        return [b for b in r.builds if probed is None or (b.version in r.probed) == probed]

    def phases(r: BisectRun) -> str:
        if not any(b.phases for b in r.builds):
            return "-"
        return " / ".join(f"{sum(dict(b.phases).get(p, 0.0) for b in r.builds):.0f}" for p in PHASES)

    def runs_(r: BisectRun, probed: bool) -> list[ReleaseRun]:
        return [x for x in r.runs if (x.version in r.probed) == probed]

    def sdists(r: BisectRun) -> str:
        counted = [b.sdists for b in r.builds if b.sdists is not None]
        return str(sum(counted)) if counted else "-"

    def cpu(r: BisectRun) -> str:
        if r.cpu is None:
            return "-"
        return f"{r.cpu:.0f} s ({r.cpu_self:.0f} + {r.cpu_children:.0f})"

    def busy(r: BisectRun) -> str:
        if r.cpu is None or not r.wall:
            return "-"
        return f"{100 * r.cpu / (r.workers * r.wall):.0f} %"

    def idle(r: BisectRun) -> str:
        if r.wall is None:
            return "-"
        busy = sum(x.import_seconds + x.cases_seconds for x in r.runs)
        return f"{r.workers * r.wall - busy:.0f} s of {r.workers * r.wall:.0f}"

    lines = [
        "| | " + col(lambda r: r.label) + " |",
        "|---|" + "---|" * len(runs),
        "| wall | " + col(lambda r: s(r.wall) if r.wall is not None else "failed") + " |",
        "| catalog (fetched once, timed apart) | " + col(
            lambda r: "-" if r.catalog_seconds is None else f"{r.catalog_seconds:.1f} s") + " |",
        "| environments built: probed + never probed | " + col(
            lambda r: f"{len(builds(r))}: {len(builds(r, True))} + {len(builds(r, False))}") + " |",
        "| build time, summed over environments | " + col(
            lambda r: s(sum(b.seconds for b in r.builds))) + " |",
        "| of it venv / resolve / download+unpack / link / freeze (s) | " + col(phases) + " |",
        "| source distributions built by uv | " + col(sdists) + " |",
        "| build time of environments never probed (wasted) | " + col(
            lambda r: s(sum(b.seconds for b in builds(r, False)))) + " |",
        "| releases run: probed + run ahead, never probed | " + col(
            lambda r: f"{len(r.runs)}: {len(runs_(r, True))} + {len(runs_(r, False))}") + " |",
        "| imports, summed | " + col(lambda r: s(sum(x.import_seconds for x in r.runs))) + " |",
        "| cases, summed | " + col(lambda r: s(sum(x.cases_seconds for x in r.runs))) + " |",
        "| import + cases of releases never probed (wasted) | " + col(
            lambda r: s(sum(x.import_seconds + x.cases_seconds for x in runs_(r, False)))) + " |",
        "| idle core time (workers x wall - imports - cases) | " + col(idle) + " |",
        "| CPU used, user + sys: harness + what it ran (uv, runners) | " + col(cpu) + " |",
        "| cores busy: CPU / (cores x wall) | " + col(busy) + " |",
        "| critical path (first build + longest chain of one case's probes) | " + col(
            lambda r: s(r.critical_path)) + " |",
        f"| limit on {runs[0].workers if runs else 0} cores: catalog + max(imports and cases / cores, "
        "critical path, CPU / cores) | "
        + col(lambda r: s(r.limit)) + " |",
        "| wall / limit | " + col(lambda r: ratio(r.wall, r.limit)) + " |",
        "| disk: measured peak (environments + their uv cache entries) | " + col(
            lambda r: r.peak or "-") + " |",
    ]
    return "\n".join(lines) + "\n"


def same_transitions(a: BisectRun, b: BisectRun) -> str:
    """One line: whether two bisects found the same transitions, else the differences."""
    if a.wall is None or b.wall is None:
        return "- transitions: not compared (a run failed)"
    ta, tb = dict(a.transitions), dict(b.transitions)
    differ = sorted(c for c in set(ta) | set(tb) if ta.get(c) != tb.get(c))
    if not differ:
        found = sum(1 for t in ta.values() if t != "none")
        return f"- transitions: the same for all {len(ta)} cases ({found} found) in both runs"
    shown = "; ".join(f"{c}: {ta.get(c)} vs {tb.get(c)}" for c in differ[:10])
    return f"- transitions: **{len(differ)} of {len(set(ta) | set(tb))} cases differ**: {shown}"
