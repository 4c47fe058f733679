"""Float64 NumPy reference convolutions and the tolerance policy.

Convolution here is what TensorFlow computes: cross-correlation (no kernel
flip), channels-last internally, ``out[n, o..., c_out] = sum over kernel
offsets k and input channels c of x[n, o*s + k*d - pad_lo, c] * w[k, c, c_out]``.
Written for clarity, not speed: one shifted slice per kernel offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Padding = Literal["VALID", "SAME"] | list

# Unit roundoff of each dtype the suite uses (half the machine epsilon).
UNIT_ROUNDOFF = {
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
    "float32": 2.0**-24,
    "float64": 2.0**-53,
}
SAFETY = 4.0  # slack over the worst-case bound for accumulation-order differences


def _as_tuple(value: int | Sequence[int], rank: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * rank
    return tuple(int(v) for v in value)


def pads(
    in_sizes: Sequence[int],
    k_sizes: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str | Sequence[Sequence[int]],
) -> list[tuple[int, int]]:
    """(low, high) zero padding per spatial dimension, TensorFlow's rules."""
    if not isinstance(padding, str):
        return [(int(lo), int(hi)) for lo, hi in padding]
    if padding == "VALID":
        return [(0, 0)] * len(in_sizes)
    out = []
    for size, k, s, d in zip(in_sizes, k_sizes, strides, dilations):
        effective = (k - 1) * d + 1
        out_size = -(-size // s)
        total = max((out_size - 1) * s + effective - size, 0)
        out.append((total // 2, total - total // 2))
    return out


def conv(
    x: np.ndarray,
    w: np.ndarray,
    *,
    strides: int | Sequence[int] = 1,
    dilations: int | Sequence[int] = 1,
    padding: str | Sequence[Sequence[int]] = "VALID",
    channels_first: bool = False,
) -> np.ndarray:
    """N-d cross-correlation in float64.

    ``x`` is ``[batch, *spatial, c_in]`` (or ``[batch, c_in, *spatial]`` when
    ``channels_first``); ``w`` is ``[*kernel, c_in / groups, c_out]``.  Grouped
    convolution follows from ``c_in`` being a multiple of ``w``'s input
    channels.  Returns float64 in the same layout as ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if channels_first:
        x = np.moveaxis(x, 1, -1)
    rank = x.ndim - 2
    s = _as_tuple(strides, rank)
    d = _as_tuple(dilations, rank)
    k_sizes = w.shape[:rank]
    c_in, c_in_group, c_out = x.shape[-1], w.shape[-2], w.shape[-1]
    groups = c_in // c_in_group if c_in_group else 1
    padded = np.pad(x, [(0, 0), *pads(x.shape[1:-1], k_sizes, s, d, padding), (0, 0)])
    out_sizes = [
        max((p - ((k - 1) * dd + 1)) // ss + 1, 0)
        for p, k, ss, dd in zip(padded.shape[1:-1], k_sizes, s, d)
    ]
    out = np.zeros((x.shape[0], *out_sizes, c_out))
    per_group = c_out // groups if groups else 0
    for offset in np.ndindex(*k_sizes):
        window = tuple(
            slice(o * dd, o * dd + (n - 1) * ss + 1, ss) if n else slice(0, 0)
            for o, dd, ss, n in zip(offset, d, s, out_sizes)
        )
        patch = padded[(slice(None), *window, slice(None))]
        for g in range(groups):
            xs = patch[..., g * c_in_group : (g + 1) * c_in_group]
            ws = w[offset][:, g * per_group : (g + 1) * per_group]
            out[..., g * per_group : (g + 1) * per_group] += xs @ ws
    return np.moveaxis(out, -1, 1) if channels_first else out


def error_bound(
    abs_products: np.ndarray, reference: np.ndarray, terms: int, dtype: str
) -> np.ndarray:
    """Elementwise bound on |computed - exact| for a K-term dot product in ``dtype``.

    The classic bound for recursive summation is
    ``gamma_K * sum|x||w|`` with ``gamma_K = K u / (1 - K u)``; the output's
    own rounding adds ``u |y|``.  ``abs_products`` is the convolution of
    ``|x|`` with ``|w|``.  ``SAFETY`` covers kernels that round intermediate
    results (e.g. float16 accumulators in blocked GEMMs).
    """
    u = UNIT_ROUNDOFF.get(dtype)
    if u is None:  # integer dtypes are exact
        return np.zeros_like(reference)
    ku = min(terms * u, 0.5)
    gamma = ku / (1 - ku)
    return SAFETY * (gamma * abs_products + u * np.abs(reference))
