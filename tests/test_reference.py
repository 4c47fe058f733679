"""The float64 reference against independent computations, and the tolerance policy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from harness import reference


def brute_force(x, w, strides, dilations, padding, groups=1):
    """Channels-last N-d cross-correlation by explicit loops over every index."""
    rank = x.ndim - 2
    k_sizes = w.shape[:rank]
    c_in, c_out = x.shape[-1], w.shape[-1]
    cg = c_in // groups
    og = c_out // groups
    lohi = reference.pads(x.shape[1:-1], k_sizes, strides, dilations, padding)
    full = [n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], lohi)]
    out_sizes = [max((f - (k - 1) * d - 1) // s + 1, 0)
                 for f, k, s, d in zip(full, k_sizes, strides, dilations)]
    out = np.zeros((x.shape[0], *out_sizes, c_out))
    for n in range(x.shape[0]):
        for o in itertools.product(*map(range, out_sizes)):
            for co in range(c_out):
                g = co // og
                total = 0.0
                for k in itertools.product(*map(range, k_sizes)):
                    pos = [oi * s + ki * d - lo for oi, ki, s, d, (lo, _) in
                           zip(o, k, strides, dilations, lohi)]
                    if all(0 <= p < size for p, size in zip(pos, x.shape[1:-1])):
                        for ci in range(cg):
                            total += x[(n, *pos, g * cg + ci)] * w[(*k, ci, co)]
                out[(n, *o, co)] = total
    return out


@st.composite
def conv_problems(draw, max_rank=3):
    rank = draw(st.integers(1, max_rank))
    groups = draw(st.integers(1, 3))
    cg = draw(st.integers(1, 2))
    og = draw(st.integers(1, 2))
    batch = draw(st.integers(1, 2))
    k = [draw(st.integers(1, 3)) for _ in range(rank)]
    s = [draw(st.integers(1, 3)) for _ in range(rank)]
    d = [draw(st.integers(1, 2)) for _ in range(rank)]
    size = [draw(st.integers(1, 6)) for _ in range(rank)]
    kind = draw(st.sampled_from(["VALID", "SAME", "explicit"]))
    if kind == "explicit":
        padding = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(rank)]
    else:
        padding = kind
    if kind == "VALID" or kind == "explicit":  # keep at least one output when unpadded
        pad = padding if kind == "explicit" else [(0, 0)] * rank
        size = [max(n, (kk - 1) * dd + 1 - lo - hi) for n, kk, dd, (lo, hi) in zip(size, k, d, pad)]
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *size, groups * cg))
    w = rng.standard_normal((*k, cg, groups * og))
    return x, w, s, d, padding, groups


@settings(max_examples=60, deadline=None)
@given(conv_problems())
def test_conv_matches_brute_force_loop(problem):
    x, w, s, d, padding, groups = problem
    got = reference.conv(x, w, strides=s, dilations=d, padding=padding)
    want = brute_force(x, w, s, d, padding, groups)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 2), st.integers(1, 9), st.integers(1, 9), st.integers(1, 4),
       st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_conv2d_valid_matches_scipy_correlate(batch, h, w_, kh, kw, cin, cout, seed):
    """VALID, stride 1: out[..., o] = sum_c correlate(x[..., c], w[..., c, o], 'valid')."""
    kh, kw = min(kh, h), min(kw, w_)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, h, w_, cin))
    w = rng.standard_normal((kh, kw, cin, cout))
    want = np.stack([
        np.stack([sum(signal.correlate(x[n, :, :, c], w[:, :, c, o], mode="valid")
                      for c in range(cin)) for o in range(cout)], axis=-1)
        for n in range(batch)])
    np.testing.assert_allclose(reference.conv(x, w), want, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2**31 - 1))
def test_strided_dilated_is_subsampled_correlation_of_dilated_kernel(size, k, s, d, seed):
    """Dilation = correlating with a zero-stuffed kernel; stride = keeping every s-th output."""
    rng = np.random.default_rng(seed)
    size = max(size, (k - 1) * d + 1)
    x = rng.standard_normal((1, size, 1))
    w = rng.standard_normal((k, 1, 1))
    stuffed = np.zeros((k - 1) * d + 1)
    stuffed[::d] = w[:, 0, 0]
    want = signal.correlate(x[0, :, 0], stuffed, mode="valid")[::s]
    got = reference.conv(x, w, strides=s, dilations=d)
    np.testing.assert_allclose(got[0, :, 0], want, rtol=1e-12, atol=1e-12)


def test_same_padding_puts_the_odd_pixel_at_the_end():
    # TensorFlow: in 4, k 2, stride 1 -> total pad 1, low 0, high 1
    assert reference.pads([4], [2], [1], [1], "SAME") == [(0, 1)]
    assert reference.pads([7], [3], [2], [1], "SAME") == [(1, 1)]
    assert reference.pads([3], [5], [1], [1], "SAME") == [(2, 2)]


def test_channels_first_is_a_transposed_layout():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 6, 3))
    w = rng.standard_normal((3, 2, 3, 4))
    last = reference.conv(x, w, strides=2, padding="SAME")
    first = reference.conv(np.moveaxis(x, -1, 1), w, strides=2, padding="SAME", channels_first=True)
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last)


def test_seed_case_gives_three():
    base = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]], dtype=np.float32)
    assert reference.conv(base[None, :, :, None], base[:, :, None, None]).item() == 3.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 2), st.integers(0, 2**31 - 1))
def test_depthwise_is_per_channel_correlation(h, w_, k, cin, mult, s, seed):
    rng = np.random.default_rng(seed)
    k = min(k, h, w_)
    x = rng.standard_normal((2, h, w_, cin))
    w = rng.standard_normal((k, k, cin, mult))
    got = reference.depthwise(x, w, strides=s)
    for c in range(cin):
        for m in range(mult):
            want = reference.conv(x[..., c:c + 1], w[:, :, c:c + 1, m:m + 1], strides=s)
            np.testing.assert_allclose(got[..., c * mult + m], want[..., 0], rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(conv_problems(max_rank=2))
def test_conv_transpose_is_the_adjoint_of_conv(problem):
    """<conv(y, w), x> == <conv_transpose(x, w), y> for every y, x (the gradient w.r.t. the input)."""
    y, w, s, d, padding, groups = problem
    w = np.random.default_rng(1).standard_normal((*w.shape[:-2], y.shape[-1], w.shape[-1]))
    forward = reference.conv(y, w, strides=s, dilations=d, padding=padding)
    x = np.random.default_rng(2).standard_normal(forward.shape)
    # forward filter [k, c_y, c_x] is the transposed op's [k, c_out, c_in]
    back = reference.conv_transpose(x, w, y.shape[1:-1], strides=s, dilations=d, padding=padding)
    assert back.shape == y.shape
    np.testing.assert_allclose(np.vdot(forward, x), np.vdot(back, y), rtol=1e-10, atol=1e-10)


def test_conv_transpose_rejects_an_inconsistent_output_size():
    with pytest.raises(ValueError, match="forward size"):
        reference.conv_transpose(np.zeros((1, 3, 1)), np.zeros((3, 1, 1)), [9], padding="VALID")


def test_grouped_conv_is_a_concatenation_of_convs():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 5, 6))
    w = rng.standard_normal((3, 2, 2, 9))
    got = reference.conv(x, w, padding="SAME")
    parts = [reference.conv(x[..., 2 * g:2 * g + 2], w[..., 3 * g:3 * g + 3], padding="SAME")
             for g in range(3)]
    np.testing.assert_allclose(got, np.concatenate(parts, axis=-1), rtol=1e-12)


def test_empty_dimensions_keep_the_output_shape():
    assert reference.conv(np.zeros((0, 5, 5, 3)), np.zeros((3, 3, 3, 4))).shape == (0, 3, 3, 4)
    zero_in = reference.conv(np.zeros((2, 5, 5, 0)), np.zeros((3, 3, 0, 4)), padding="SAME")
    assert zero_in.shape == (2, 5, 5, 4) and not zero_in.any()
    assert reference.conv(np.zeros((2, 5, 5, 3)), np.zeros((3, 3, 3, 0))).shape == (2, 3, 3, 0)


def test_nan_and_inf_propagate_through_the_windows_that_see_them():
    x = np.ones((1, 5, 1))
    x[0, 2, 0] = np.nan
    out = reference.conv(x, np.ones((3, 1, 1)))
    assert np.isnan(out[0, :, 0]).all()  # every VALID window of width 3 covers index 2
    x[0, 2, 0] = np.inf
    out = reference.conv(x, np.ones((2, 1, 1)))
    assert list(np.isinf(out[0, :, 0])) == [False, True, True, False]


# ---------------------------------------------------------------- tolerance policy

def bound(dtype, terms, products=1.0, ref=1.0):
    return float(reference.error_bound(np.array(products), np.array(ref), terms, dtype))


def test_bound_orders_the_dtypes_by_unit_roundoff():
    assert bound("bfloat16", 27) > bound("float16", 27) > bound("float32", 27) > bound("float64", 27)


def test_bound_scales_with_the_number_of_terms_and_the_absolute_products():
    assert bound("float32", 100) > 9 * bound("float32", 10)
    assert bound("float32", 10, products=100.0) > 50 * bound("float32", 10, products=1.0)


def test_bound_is_zero_for_integers():
    assert bound("int32", 1000, products=1e6) == 0.0


def test_bound_covers_a_real_float32_and_float16_dot_product():
    rng = np.random.default_rng(4)
    for dtype, terms in [("float32", 1000), ("float16", 200)]:
        x, w = rng.standard_normal(terms).astype(dtype), rng.standard_normal(terms).astype(dtype)
        exact = np.dot(x.astype(np.float64), w.astype(np.float64))
        acc = np.zeros((), dtype)
        for a, b in zip(x, w):  # sequential accumulation in the dtype
            acc = (acc + a * b).astype(dtype)
        products = np.dot(np.abs(x).astype(np.float64), np.abs(w).astype(np.float64))
        assert abs(float(acc) - exact) <= bound(dtype, terms, products, exact)


def test_flush_to_zero_is_within_the_bound():
    tiny = reference.SMALLEST_NORMAL["float32"]
    x, w = np.array([tiny / 8]), np.array([1.0])
    exact = float(x @ w)
    allowed = float(reference.error_bound(np.array(exact), np.array(exact), 1, "float32",
                                          np.array(np.abs(x).sum() + np.abs(w).sum())))
    assert abs(0.0 - exact) <= allowed  # a CPU with denormals-are-zero returns 0


def test_overflow_turns_out_of_range_values_into_infinities():
    big = np.array([7e4, -7e4, 6e4, np.nan])
    out = reference.overflow(big, "float16")
    assert out[0] == np.inf and out[1] == -np.inf and out[2] == 6e4 and np.isnan(out[3])
    assert reference.overflow(big, "float32")[0] == 7e4
