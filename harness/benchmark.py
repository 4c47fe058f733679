"""The benchmark's arithmetic and table: pure, no I/O.

Side by side, per release: the naive loop (``python -m venv`` + ``pip
install`` + a script), the harness cold (empty uv cache, no environments),
the harness warm (environments cached, results forced to rerun), and the
import floor (a bare ``import`` in each environment).  Harness runs are
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

    @property
    def naive_total(self) -> float | None:
        """The naive loop's total; None unless every release was measured and imported:
        a baseline that failed to do the work gets no ratio."""
        if any(r.naive_seconds is None or not r.naive_ok for r in self.releases):
            return None
        return sum(r.naive_seconds for r in self.releases)  # type: ignore[misc]

    @property
    def floor(self) -> float:
        """Sum of bare import times over the workers used: the best a warm scan can do."""
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
        f"{total(bench.cold_seconds)} | {total(bench.warm_seconds)} | {bench.floor:.1f} (sum / {min(bench.jobs, n)}) |",
        "",
        f"- cold speed-up over the naive loop: **{ratio(naive_total, bench.cold_seconds)}** (target >= 4x)",
        f"- warm scan over the import floor: **{ratio(bench.warm_seconds, bench.floor)}** (target <= 1.3x)",
    ]
    return "\n".join(lines) + "\n"


def bisect_line(n: int, probes: int, built: int, seconds: float, bound: int) -> str:
    return (f"- bisect over {n} releases: {probes} releases probed, {built} environments built "
            f"(bound ceil(log2 n) + 2 = {bound} per case), {seconds:.0f} s wall")

