"""Differential comparison across frameworks: the case x framework table.

Pure: no I/O.  Each framework==version has, per case, its stored row (the
outcome and the deviation from the float64 reference) and its raw output
arrays; pairs of frameworks are compared on those outputs directly.  Two
outputs *agree* when NaN and infinity positions match and every finite
element differs by at most the sum of both error bounds (each output may
be that far from the exact value), so two passing outputs always agree and
the pairwise number says by how much they actually differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from harness.errors import UsageError
from harness.outcome import Outcome
from harness.results import Row

OUTCOME_ORDER = tuple(Outcome)


@dataclass(frozen=True)
class Target:
    """One framework release to compare: ``torch==2.13.0``."""

    package: str
    version: str

    @property
    def label(self) -> str:
        return f"{self.package}=={self.version}"


def parse_targets(text: str) -> list[Target]:
    """``tensorflow==1.15.5,theano==1.0.5`` -> targets; ``UsageError`` naming the bad item."""
    targets = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        package, eq, version = item.partition("==")
        try:
            Version(version)
        except InvalidVersion:
            eq = ""
        if not eq or not package.strip():
            raise UsageError(f"--frameworks: expected PACKAGE==VERSION, got {item!r}",
                             hint="e.g. --frameworks tensorflow==1.15.5,theano==1.0.5,torch==2.13.0")
        targets.append(Target(canonicalize_name(package.strip()), version.strip()))
    labels = [t.label for t in targets]
    if len(targets) < 2 or len(set(labels)) != len(labels):
        raise UsageError(f"--frameworks: expected at least two different releases, got {text!r}")
    return targets


@dataclass(frozen=True)
class Pair:
    """Two frameworks' outputs of one case."""

    a: str
    b: str
    max_abs_diff: float | None  # None: not both returned arrays of one shape
    agree: bool | None
    note: str = ""


@dataclass(frozen=True)
class CaseComparison:
    case: str
    rows: dict[str, Row]  # label -> row
    pairs: tuple[Pair, ...] = field(default=())

    @property
    def outcomes(self) -> dict[str, Outcome]:
        return {label: row.outcome for label, row in self.rows.items()}

    @property
    def disagrees(self) -> bool:
        """Outcomes differ, or two returned outputs differ beyond their bounds."""
        return len(set(self.outcomes.values())) > 1 or any(p.agree is False for p in self.pairs)


def pair(a: str, b: str, out_a: Sequence[np.ndarray] | None, out_b: Sequence[np.ndarray] | None,
         bounds: Sequence[np.ndarray] | None) -> Pair:
    """Compare two frameworks' outputs (``None``: that framework returned nothing)."""
    if out_a is None or out_b is None:
        return Pair(a, b, None, None, "")
    if len(out_a) != len(out_b):
        return Pair(a, b, None, False, f"{len(out_a)} vs {len(out_b)} outputs")
    worst, agree, notes = 0.0, True, []
    for k, (x, y) in enumerate(zip(out_a, out_b)):
        if x.shape != y.shape:
            return Pair(a, b, None, False, f"shapes {list(x.shape)} vs {list(y.shape)}")
        x64, y64 = np.asarray(x, np.float64), np.asarray(y, np.float64)
        special = (np.isnan(x64) != np.isnan(y64)) | ((np.isinf(x64) | np.isinf(y64)) & (x64 != y64))
        finite = np.isfinite(x64) & np.isfinite(y64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(finite, np.abs(x64 - y64), 0.0)
        if x64.size:
            worst = max(worst, float(diff.max()))
        bound = np.asarray(bounds[k], np.float64) if bounds is not None else None
        # both wrong in the same unexpected shape: no bound applies, only equality
        allowed = 2 * bound if bound is not None and bound.shape == x64.shape else 0.0
        if special.any():
            agree = False
            notes.append(f"NaN/inf at {int(special.sum())} element(s) differ")
        elif (diff > allowed).any():
            agree = False
            notes.append(f"{int((diff > allowed).sum())} element(s) beyond both bounds")
    return Pair(a, b, worst, agree, "; ".join(notes))


def compare_case(case: str, rows: Mapping[str, Row], outputs: Mapping[str, Sequence[np.ndarray] | None],
                 bounds: Sequence[np.ndarray] | None) -> CaseComparison:
    """One case across frameworks: rows by label, outputs by label (None when none)."""
    labels = list(rows)
    pairs = tuple(pair(a, b, outputs.get(a), outputs.get(b), bounds) for a, b in combinations(labels, 2))
    return CaseComparison(case, dict(rows), pairs)


# ---------------------------------------------------------------- rendering

def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def cell(row: Row) -> str:
    """``pass 2.4e-07`` / ``error: TypeError`` / ``unsupported``."""
    if row.outcome in (Outcome.PASS, Outcome.WRONG):
        return f"{row.outcome} {_num(row.max_abs_error)}"
    if row.outcome is Outcome.ERROR:
        return f"error: {row.detail.split(':')[0]}" if row.detail else "error"
    return str(row.outcome)


def counts(comparisons: Sequence[CaseComparison], labels: Sequence[str]) -> dict[str, dict[str, int]]:
    out = {label: {str(o): 0 for o in OUTCOME_ORDER} for label in labels}
    for comp in comparisons:
        for label, row in comp.rows.items():
            out[label][str(row.outcome)] += 1
    return out


def markdown(comparisons: Sequence[CaseComparison], labels: Sequence[str], header: Sequence[str],
             about: Mapping[str, str]) -> str:
    """The report: summary counts, pairwise summary, the full table, the disagreements."""
    lines = ["# Framework comparison", "", *header, ""]
    lines += ["| framework | release measured | " + " | ".join(str(o) for o in OUTCOME_ORDER) + " |",
              "|---|---|" + "---:|" * len(OUTCOME_ORDER)]
    table = counts(comparisons, labels)
    for label in labels:
        lines.append(f"| {label} | {about.get(label, '')} | "
                     + " | ".join(str(table[label][str(o)]) for o in OUTCOME_ORDER) + " |")
    lines += ["", "## Pairs", "",
              "Cases where both returned arrays: how many agree (within both error bounds), "
              "and the largest element-wise difference between the two.", "",
              "| pair | both returned | agree | disagree | max abs difference |", "|---|---:|---:|---:|---:|"]
    for a, b in combinations(labels, 2):
        found = [p for c in comparisons for p in c.pairs if p.a == a and p.b == b and p.agree is not None]
        diffs = [p.max_abs_diff for p in found if p.max_abs_diff is not None]
        lines.append(f"| {a} vs {b} | {len(found)} | {sum(p.agree is True for p in found)} | "
                     f"{sum(p.agree is False for p in found)} | {_num(max(diffs) if diffs else None)} |")
    lines += ["", "## Cases", "",
              "Outcome and max abs deviation from the float64 reference per framework; "
              "the largest pairwise difference between frameworks that returned.", "",
              "| case | " + " | ".join(labels) + " | max pairwise | |",
              "|---|" + "---|" * len(labels) + "---:|---|"]
    for comp in comparisons:
        diffs = [p.max_abs_diff for p in comp.pairs if p.max_abs_diff is not None]
        mark = "**differs**" if comp.disagrees else ""
        lines.append(f"| {comp.case} | " + " | ".join(cell(comp.rows[label]) for label in labels)
                     + f" | {_num(max(diffs) if diffs else None)} | {mark} |")
    differing = [c for c in comparisons if c.disagrees]
    lines += ["", f"## Disagreements ({len(differing)} case(s))", ""]
    for comp in differing:
        lines.append(f"- **{comp.case}**")
        for label in labels:
            row = comp.rows[label]
            lines.append(f"  - {label}: {row.outcome}" + (f": {row.detail}" if row.detail else ""))
        for p in comp.pairs:
            if p.agree is False:
                lines.append(f"  - {p.a} vs {p.b}: {p.note}")
    return "\n".join(lines) + "\n"


def to_json(comparisons: Sequence[CaseComparison]) -> list[dict]:
    """One object per case: per framework outcome/deviation/detail, and every pair."""
    return [{
        "case": c.case,
        "frameworks": {label: {"version": r.version, "python": r.python, "outcome": str(r.outcome),
                               "max_abs_error": r.max_abs_error, "detail": r.detail}
                       for label, r in c.rows.items()},
        "pairs": [{"a": p.a, "b": p.b, "max_abs_diff": p.max_abs_diff, "agree": p.agree, "note": p.note}
                  for p in c.pairs],
        "disagrees": c.disagrees,
    } for c in comparisons]
