"""Stores for rendering tests: the committed full-history table as rows, and
synthetic stores of any size.

``docs/reports/report.csv`` is the collapsed table of a real scan (101 releases x
124 cases on one machine).  Its range columns expand back to every release
with ``RELEASES``, the final tensorflow releases 0.12.1 .. 2.21.0 from PyPI's
simple API (101 of them, as that scan had); the outcome of every cell is
then exactly the scan's.  What the CSV does not keep (interpreter, max abs
error, detail, recording time) is left empty.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from harness.outcome import Outcome
from harness.results import Row

REPORT_CSV = Path(__file__).resolve().parent.parent / "docs" / "reports" / "report.csv"
RELEASES = """0.12.1 1.0.0 1.0.1 1.1.0 1.2.0 1.2.1 1.3.0 1.4.0 1.4.1 1.5.0 1.5.1 1.6.0 1.7.0 1.7.1 1.8.0
1.9.0 1.10.0 1.10.1 1.11.0 1.12.0 1.12.2 1.12.3 1.13.1 1.13.2 1.14.0 1.15.0 1.15.2 1.15.3 1.15.4
1.15.5 2.0.0 2.0.1 2.0.2 2.0.3 2.0.4 2.1.0 2.1.1 2.1.2 2.1.3 2.1.4 2.2.0 2.2.1 2.2.2 2.2.3 2.3.0
2.3.1 2.3.2 2.3.3 2.3.4 2.4.0 2.4.1 2.4.2 2.4.3 2.4.4 2.5.0 2.5.1 2.5.2 2.5.3 2.6.0 2.6.1 2.6.2
2.6.3 2.6.4 2.6.5 2.7.0 2.7.1 2.7.2 2.7.3 2.7.4 2.8.0 2.8.1 2.8.2 2.8.3 2.8.4 2.9.0 2.9.1 2.9.2
2.9.3 2.10.0 2.10.1 2.11.0 2.11.1 2.12.0 2.12.1 2.13.0 2.13.1 2.14.0 2.14.1 2.15.0 2.15.0.post1
2.15.1 2.16.1 2.16.2 2.17.0 2.17.1 2.18.0 2.18.1 2.19.0 2.19.1 2.20.0 2.21.0""".split()
OPS = ("conv1d", "conv2d", "conv3d", "depthwise_conv2d", "conv2d_transpose")
LAYOUTS = {"conv1d": ("nwc", "ncw"), "conv2d": ("nhwc", "nchw"), "conv3d": ("ndhwc", "ncdhw"),
           "depthwise_conv2d": ("nhwc", "nchw"), "conv2d_transpose": ("nhwc", "nchw")}


def _row(case: str, version: str, outcome: str, *, python: str = "", cpu: str = "AMD EPYC",
         error: float | None = None, detail: str = "", at: float = 1_764_000_000.0) -> Row:
    return Row(case=case, package="tensorflow", version=version, python=python, variant="default",
               outcome=Outcome(outcome), max_abs_error=error, detail=detail,
               machine={"cpu": cpu}, recorded_at=at)


def real_rows(path: Path = REPORT_CSV) -> list[Row]:
    """Every cell of the committed full-history table, as stored rows."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        ranges = header[3:]
        members = []
        for label in ranges:
            first, _, last = label.partition("-")
            members.append(RELEASES[RELEASES.index(first):RELEASES.index(last or first) + 1])
        assert sum(map(len, members)) == len(RELEASES), "the table does not cover RELEASES"
        rows = []
        for case, _variant, cpu, *cells in reader:
            for versions, outcome in zip(members, cells):
                rows += [_row(case, v, outcome, cpu=cpu, at=0.0) for v in versions if outcome]
    return rows


def python_of(version: str) -> str:
    """A plausible interpreter of a release (only for synthetic stores)."""
    v = tuple(int(p) for p in version.split(".")[:2])
    return "3.6.15" if v < (2, 2) else "3.8.18" if v < (2, 10) else "3.11.7"


def synthetic_versions(n: int) -> list[str]:
    """``n`` releases in version order, several patch releases per line, two majors."""
    out, line = [], 0
    while len(out) < n:
        major, minor = (1, line) if line < 16 else (2, line - 16)
        out += [f"{major}.{minor}.{patch}" for patch in range(1 + line % 4)]
        line += 1
    return out[:n]


def synthetic_rows(n_releases: int = 100, n_cases: int = 150, *, seed: int = 0) -> list[Row]:
    """A store shaped like a real one: most cases pass throughout, some are
    unsupported early, some turn wrong or crash for a while, a few flip
    often; every row has an interpreter, an error and (when not passing) a detail."""
    rng = random.Random(seed)
    versions = synthetic_versions(n_releases)
    rows = []
    for i in range(n_cases):
        op = OPS[i % len(OPS)]
        layout = LAYOUTS[op][rng.random() < 0.2]
        dtype = rng.choice(("f32", "f32", "f32", "f16", "f64", "bf16"))
        case = f"{op}_{layout}_{rng.choice(('same', 'valid'))}_{i:03d}_{dtype}"
        kind = rng.random()
        outcomes = ["pass"] * n_releases
        if kind < 0.2:  # unsupported in old releases
            cut = rng.randrange(n_releases)
            outcomes[:cut] = ["unsupported"] * cut
        elif kind < 0.5:  # one bad stretch
            a = rng.randrange(n_releases)
            b = rng.randrange(a, n_releases + 1)
            outcomes[a:b] = [rng.choice(("wrong", "crash", "error"))] * (b - a)
        elif kind < 0.55:  # flaky-looking
            outcomes = [rng.choice(("pass", "wrong", "error", "timeout")) for _ in versions]
        for v, outcome in zip(versions, outcomes):
            error = 0.0 if outcome == "pass" else 3.5 if outcome == "wrong" else None
            detail = {"error": "InvalidArgumentError: Conv2DCustomBackpropInput: filter depth mismatch",
                      "crash": "SIGSEGV", "timeout": "killed after 120 s"}.get(outcome, "")
            rows.append(_row(case, v, outcome, python=python_of(v), error=error, detail=detail))
    return rows
