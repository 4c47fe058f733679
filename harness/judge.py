"""Judging on the host: a runner's raw result + the expectation -> outcome.

Pure: no I/O.  Shape and dtype mismatches are ``wrong``; values are compared
elementwise against an error bound (built-in cases) or rtol/atol (user
cases); NaN matches NaN and infinities must match exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.cases import Expectation
from harness.outcome import Outcome


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    max_abs_error: float | None = None
    detail: str = ""


def _first_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def judge(result: dict[str, Any], outputs: Sequence[np.ndarray], expected: Expectation | None) -> Verdict:
    """The outcome of one case from the runner's ``result`` dict and its output arrays."""
    status = result.get("status")
    if status in ("crash", "timeout"):
        return Verdict(Outcome(status), None, result.get("message", ""))
    if status == "unsupported":
        return Verdict(Outcome.UNSUPPORTED, None, _first_line(result.get("message", "")))
    if status == "error":
        return Verdict(Outcome.ERROR, None,
                       f"{result.get('error_class', 'Exception')}: {_first_line(result.get('message', ''))}")
    if expected is None:
        return Verdict(Outcome.PASS, None, "returned without error (no expectation given)")
    if len(outputs) != len(expected.values):
        return Verdict(Outcome.WRONG, None,
                       f"expected {len(expected.values)} output(s), got {len(outputs)}")
    worst = 0.0
    details = []
    dtypes = result.get("dtypes") or [str(o.dtype) for o in outputs]
    for k, (got, want) in enumerate(zip(outputs, expected.values)):
        label = f"output {k}: " if len(outputs) > 1 else ""
        if got.shape != want.shape:
            return Verdict(Outcome.WRONG, None, f"{label}expected shape {want.shape}, got {got.shape}")
        if expected.dtypes and expected.dtypes[k] and dtypes[k] != expected.dtypes[k]:
            return Verdict(Outcome.WRONG, None, f"{label}expected dtype {expected.dtypes[k]}, got {dtypes[k]}")
        bound = expected.bounds[k] if expected.bounds is not None else None
        error, ok, where = compare(got, want, bound, expected.rtol, expected.atol)
        worst = max(worst, error) if np.isfinite(error) else float("inf")
        if not ok:
            details.append(f"{label}{where}")
    if details:
        return Verdict(Outcome.WRONG, worst, "; ".join(details))
    return Verdict(Outcome.PASS, worst, "")


def compare(
    got: np.ndarray, want: np.ndarray, bound: np.ndarray | None, rtol: float, atol: float
) -> tuple[float, bool, str]:
    """(max finite |got - want|, all within tolerance?, first mismatch description)."""
    got64 = np.asarray(got, dtype=np.float64)
    want64 = np.asarray(want, dtype=np.float64)
    if got64.size == 0:
        return 0.0, True, ""
    nan_ok = np.isnan(got64) == np.isnan(want64)
    inf_ok = np.where(np.isinf(want64) | np.isinf(got64), got64 == want64, True)
    finite = np.isfinite(got64) & np.isfinite(want64)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where not finite: masked out
        diff = np.where(finite, np.abs(got64 - want64), 0.0)
    allowed = bound if bound is not None else atol + rtol * np.abs(want64)
    within = np.where(finite, diff <= allowed, True) & nan_ok & inf_ok
    max_error = float(diff.max()) if finite.any() else 0.0
    if not (nan_ok.all() and inf_ok.all()):
        max_error = float("inf")
    if within.all():
        return max_error, True, ""
    index = tuple(int(i) for i in np.argwhere(~within)[0])
    return max_error, False, (
        f"at {list(index)} expected {want64[index]:.6g}, got {got64[index]:.6g} "
        f"({int((~within).sum())} of {within.size} elements off)"
    )
