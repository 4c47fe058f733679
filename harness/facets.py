"""What a case exercises, for grouping and filtering reports: op, dtype, layout.

Stores hold case names only, so the facets come from the built-in suite's
specs when the name is one of its cases, and otherwise from the suite's
naming scheme (``<op>_<layout>_..._<dtype>``, e.g. ``conv2d_nhwc_same_f16``).
A name that fits neither (a user case, a historical bug) gets ``other``, so
reports of copied stores never fail on an unknown case.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

OTHER = "other"
LAYOUTS = ("ncdhw", "ndhwc", "nchw", "nhwc", "ncw", "nwc")
DTYPES = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64", "i32": "int32"}


@dataclass(frozen=True)
class Facets:
    """The filterable properties of one case."""

    op: str
    dtype: str
    layout: str


@functools.cache
def _suite() -> dict[str, Facets]:
    try:
        from harness.cases import builtin_cases

        cases = builtin_cases()
    except Exception:  # a report must not depend on the suite being loadable here
        return {}
    return {c.name: Facets(c.spec.get("op", OTHER), c.spec.get("dtype", "float32"),
                           c.spec.get("attrs", {}).get("data_format", OTHER))
            for c in cases}


def from_name(name: str) -> Facets:
    """Facets read from a name of the suite's scheme; ``other`` where it says nothing."""
    parts = name.split("_")
    layout_at = next((i for i, p in enumerate(parts) if p in LAYOUTS), None)
    op = "_".join(parts[:layout_at]) if layout_at else OTHER
    layout = parts[layout_at].upper() if layout_at else OTHER
    dtype = DTYPES.get(parts[-1], OTHER)
    return Facets(op, dtype, layout)


def of(name: str) -> Facets:
    """The facets of one case name (see the module docstring)."""
    return _suite().get(name) or from_name(name)
