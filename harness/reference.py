"""Float64 NumPy reference convolutions and the tolerance policy.

Convolution here is what TensorFlow computes: cross-correlation (no kernel
flip), channels-last internally, ``out[n, o..., c_out] = sum over kernel
offsets k and input channels c of x[n, o*s + k*d - pad_lo, c] * w[k, c, c_out]``.
Written for clarity, not speed: one shifted slice per kernel offset.
Depthwise convolution is grouped convolution with one group per input
channel; the transposed convolution is the adjoint (the gradient with
respect to the input) of the forward one, written as a scatter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np

# Unit roundoff of each dtype the suite uses (half the machine epsilon).
UNIT_ROUNDOFF = {
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
    "float32": 2.0**-24,
    "float64": 2.0**-53,
}
# Smallest positive normal number: below it CPUs running with flush-to-zero /
# denormals-are-zero (TensorFlow turns both on in its CPU threads) read and
# write zero.
SMALLEST_NORMAL = {
    "float16": 2.0**-14,
    "bfloat16": 2.0**-126,
    "float32": 2.0**-126,
    "float64": 2.0**-1022,
}
LARGEST = {
    "float16": 65504.0,
    "bfloat16": (2 - 2.0**-7) * 2.0**127,
    "float32": float(np.finfo(np.float32).max),
    "float64": float(np.finfo(np.float64).max),
}
SAFETY = 4.0  # slack over the worst-case bound for accumulation-order differences

Padding = Union[str, Sequence[Sequence[int]]]  # typing.Union: evaluated at run time on 3.9


def _as_tuple(value: int | Sequence[int], rank: int) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * rank
    return tuple(int(v) for v in value)


def _operands(x, w, strides, dilations, channels_first: bool):
    """float64 operands, channels-last, with per-dimension strides and dilations."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if channels_first:
        x = np.moveaxis(x, 1, -1)
    rank = x.ndim - 2
    return x, w, rank, _as_tuple(strides, rank), _as_tuple(dilations, rank)


def pads(
    in_sizes: Sequence[int],
    k_sizes: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: Padding,
) -> list[tuple[int, int]]:
    """(low, high) zero padding per spatial dimension, TensorFlow's rules.

    ``SAME`` pads so that ``out = ceil(in / stride)``, the odd pixel at the
    end; an explicit list gives ``(low, high)`` per spatial dimension.
    """
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
    padding: Padding = "VALID",
    channels_first: bool = False,
) -> np.ndarray:
    """N-d cross-correlation in float64.

    ``x`` is ``[batch, *spatial, c_in]`` (or ``[batch, c_in, *spatial]`` when
    ``channels_first``); ``w`` is ``[*kernel, c_in / groups, c_out]``.  Grouped
    convolution follows from ``c_in`` being a multiple of ``w``'s input
    channels.  Returns float64 in the same layout as ``x``.
    """
    x, w, rank, s, d = _operands(x, w, strides, dilations, channels_first)
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


def depthwise(x: np.ndarray, w: np.ndarray, **kwargs) -> np.ndarray:
    """``tf.nn.depthwise_conv2d``: ``w`` is ``[*kernel, c_in, multiplier]``.

    Output channel ``c * multiplier + m`` is input channel ``c`` correlated
    with ``w[..., c, m]``: a grouped convolution with ``c_in`` groups.
    """
    w = np.asarray(w, dtype=np.float64)
    *kernel, c_in, multiplier = w.shape
    return conv(x, w.reshape(*kernel, 1, c_in * multiplier), **kwargs)


def conv_transpose(
    x: np.ndarray,
    w: np.ndarray,
    output_spatial: Sequence[int],
    *,
    strides: int | Sequence[int] = 1,
    dilations: int | Sequence[int] = 1,
    padding: Padding = "VALID",
    channels_first: bool = False,
) -> np.ndarray:
    """``tf.nn.conv2d_transpose``: the adjoint of ``conv`` with the same filter.

    ``w`` is ``[*kernel, c_out, c_in]`` (forward-conv layout seen from the
    output); ``output_spatial`` is the forward convolution's input size,
    which the forward padding rules are applied to.  Every input pixel
    scatters ``x[n, i, :] @ w[k].T`` to output position ``i*s + k*d - pad_lo``.
    """
    x, w, rank, s, d = _operands(x, w, strides, dilations, channels_first)
    k_sizes, c_out = w.shape[:rank], w.shape[-2]
    in_sizes = x.shape[1:-1]
    lohi = pads(output_spatial, k_sizes, s, d, padding)
    full = [n + lo + hi for n, (lo, hi) in zip(output_spatial, lohi)]
    forward = [max((f - ((k - 1) * dd + 1)) // ss + 1, 0) for f, k, ss, dd in zip(full, k_sizes, s, d)]
    if list(forward) != list(in_sizes):
        raise ValueError(f"output size {list(output_spatial)} gives forward size {forward}, "
                         f"not the input's {list(in_sizes)}")
    out = np.zeros((x.shape[0], *full, c_out))
    for offset in np.ndindex(*k_sizes):
        window = tuple(
            slice(o * dd, o * dd + (n - 1) * ss + 1, ss) if n else slice(0, 0)
            for o, dd, ss, n in zip(offset, d, s, in_sizes)
        )
        out[(slice(None), *window, slice(None))] += x @ w[offset].T
    crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(lohi, output_spatial))
    out = out[(slice(None), *crop, slice(None))]
    return np.moveaxis(out, -1, 1) if channels_first else out


def error_bound(
    abs_products: np.ndarray,
    reference: np.ndarray,
    terms: int,
    dtype: str,
    operand_sums: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Elementwise bound on |computed - exact| for a K-term dot product in ``dtype``.

    The classic bound for recursive summation is ``gamma_K * sum|x||w|``
    with ``gamma_K = K u / (1 - K u)``; the output's own rounding adds
    ``u |y|``.  ``abs_products`` is the convolution of ``|x|`` with ``|w|``.
    Flush-to-zero arithmetic adds an absolute term: each of the K products
    and K sums may lose up to the smallest normal number, and an operand
    read as zero loses ``|other operand|`` times it, so ``operand_sums``
    (per output, ``sum |x| + sum |w|`` over its window) counts too.
    ``SAFETY`` covers blocked or reordered accumulation (e.g. float16
    accumulators in blocked GEMMs, Winograd transforms).
    """
    u = UNIT_ROUNDOFF.get(dtype)
    if u is None:  # integer dtypes are exact
        return np.zeros_like(reference)
    ku = min(terms * u, 0.5)
    gamma = ku / (1 - ku)
    underflow = SMALLEST_NORMAL[dtype] * (2 * terms + operand_sums)
    return SAFETY * (gamma * abs_products + u * np.abs(reference) + underflow)


def overflow(reference: np.ndarray, dtype: str) -> np.ndarray:
    """``reference`` with values beyond ``dtype``'s range replaced by +-inf.

    Round-to-nearest sends anything at or above ``max + ulp/2`` to infinity.
    Only meaningful when no partial sum can overflow before the total does
    (all terms of one sign), which is how the suite's overflow cases are built.
    """
    largest = LARGEST.get(dtype)
    if largest is None:
        return reference
    half_ulp = largest * UNIT_ROUNDOFF[dtype] / 2  # the ulp of max is about max * u
    limit = largest + half_ulp
    with np.errstate(invalid="ignore"):
        beyond = np.isfinite(reference) & (np.abs(reference) >= limit)
    return np.where(beyond, np.copysign(np.inf, reference), reference)
