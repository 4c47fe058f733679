"""The built-in suite: size, names that say what they test, stable inputs, sane expectations."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import numpy as np
import pytest

from harness import cases as cases_mod
from harness.cli import main

OPS = ("conv1d", "conv2d", "conv3d", "depthwise_conv2d", "conv2d_transpose", "keras_conv1d",
       "keras_conv2d")
NAME = re.compile(
    r"^(?P<op>" + "|".join(OPS) + r")_(?P<fmt>nwc|ncw|nhwc|nchw|ndhwc|ncdhw)_(?P<pad>valid|same|explicit)"
    r"(_stride\d+(x\d+)*)?(_dil\d+(x\d+)*)?(_(?P<tag>kfull|k1|k1x1|k1x1x1|kbig|cin0|cout0|ch\d+x\d+|out\d+x\d+))?"
    r"(_batch(?P<batch>\d+))?(_groups(?P<groups>\d+))?(_mult\d+)?"
    r"(_(?P<values>nan|inf|infmix|large|overflow|denorm))?_(?P<dtype>f16|bf16|f32|f64|i32)$"
)
DTYPES = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64", "i32": "int32"}


@pytest.fixture(scope="module")
def suite():
    return cases_mod.builtin_cases()


@pytest.fixture(scope="module")
def generated(suite):
    out = []
    for case in suite:
        if case.name.startswith("seed_"):
            continue
        m = NAME.match(case.name)
        assert m, f"{case.name} does not follow the naming scheme"
        out.append((case, m))
    return out


def test_at_least_sixty_cases_with_unique_names(suite):
    names = [c.name for c in suite]
    assert len(names) >= 60
    assert len(set(names)) == len(names)


def test_the_seed_arrays_are_the_report_s(suite):
    by_name = {c.name: c for c in suite}
    base = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], dtype=np.float32).T
    x, w = by_name["seed_conv2d"].inputs
    np.testing.assert_array_equal(x[0, :, :, 0], base)
    np.testing.assert_array_equal(w[:, :, 0, 0], base)
    assert by_name["seed_conv2d"].expect().values[0].item() == 3.0
    x1, w1 = by_name["seed_conv1d"].inputs
    np.testing.assert_array_equal(x1[0], base)
    np.testing.assert_array_equal(w1[:, :, 0], base)
    assert by_name["seed_conv1d"].expect().values[0].item() == 3.0


def test_every_op_layout_padding_and_dtype_is_covered(generated):
    seen = {(m["op"], m["fmt"]) for _, m in generated}
    for op, fmts in [("conv1d", "nwc ncw"), ("conv2d", "nhwc nchw"), ("conv3d", "ndhwc ncdhw"),
                     ("depthwise_conv2d", "nhwc nchw"), ("conv2d_transpose", "nhwc nchw"),
                     ("keras_conv1d", "nwc ncw"), ("keras_conv2d", "nhwc nchw")]:
        assert {(op, f) for f in fmts.split()} <= seen
    assert {m["pad"] for _, m in generated} == {"valid", "same", "explicit"}
    assert {m["dtype"] for _, m in generated} == set(DTYPES)
    assert {m["values"] for _, m in generated} >= {"nan", "inf", "infmix", "large", "overflow", "denorm"}
    names = " ".join(c.name for c, _ in generated)
    for needle in ["_stride2_dil2_", "_kfull_", "_k1x1_", "_kbig_", "_batch0_", "_batch1_",
                   "_cin0_", "_cout0_", "_groups"]:
        assert needle in names


def _spatial(shape, fmt):
    return shape[2:] if fmt.startswith("nc") else shape[1:-1]


def test_names_tell_the_truth_about_the_arrays(generated):
    for case, m in generated:
        x, w = case.inputs
        spec = case.spec
        fmt, op = m["fmt"], m["op"]
        assert spec["op"] == op and spec["attrs"]["data_format"] == fmt.upper()
        assert spec["dtype"] == DTYPES[m["dtype"]]
        rank = w.ndim - 2
        kernel = w.shape[:rank]
        channels = x.shape[1] if fmt.startswith("nc") else x.shape[-1]
        size = _spatial(x.shape, fmt) if op != "conv2d_transpose" else _spatial(
            tuple(spec["attrs"]["output_shape"]), fmt)
        tag = m["tag"]
        if tag == "kfull":
            assert tuple(kernel) == tuple(size), case.name
        if tag in ("k1", "k1x1", "k1x1x1"):
            assert set(kernel) == {1} and len(tag) - 1 == len("x".join("1" * rank)), case.name
        if tag == "kbig":
            assert any(k > n for k, n in zip(kernel, size)) and spec["attrs"]["padding"] == "SAME"
        if tag == "cin0":
            assert channels == 0
        if tag == "cout0":
            assert w.shape[-1] == 0
        assert x.shape[0] == int(m["batch"] or 2), case.name
        if m["groups"]:
            assert channels == int(m["groups"]) * w.shape[-2], case.name
        if m["values"] in ("nan", "inf", "infmix"):
            assert {"nan": np.isnan, "inf": np.isposinf, "infmix": np.isneginf}[m["values"]](x).any()
        if m["values"] == "denorm":
            tiny = np.finfo(x.dtype).tiny
            assert (np.abs(x) < tiny).all() and (x != 0).any(), case.name


def test_inputs_are_stored_in_the_case_dtype(generated):
    for case, m in generated:
        for a in case.inputs:
            if m["dtype"] == "bf16":
                # float32 holding bfloat16 values: the low 16 bits are zero
                assert a.dtype == np.float32 and not (a.view(np.uint32) & 0xFFFF).any()
            else:
                assert a.dtype == np.dtype(DTYPES[m["dtype"]]), case.name


def test_inputs_are_bit_identical_on_every_generation(suite):
    again = {c.name: c for c in cases_mod.builtin_cases()}
    for case in suite:
        assert case.digest == again[case.name].digest


def test_one_case_s_inputs_are_pinned():
    """The generator's output for a known case must not drift (stored results rely on it)."""
    case = next(c for c in cases_mod.builtin_cases() if c.name == "conv2d_nhwc_same_stride2_f32")
    h = hashlib.sha256(b"".join(a.tobytes() for a in case.inputs)).hexdigest()[:16]
    assert h == PINNED_DIGEST


def test_expectations_have_the_output_shape_and_bounds(suite):
    for case in suite:
        e = case.expect()
        (want,), (bound,) = e.values, e.bounds
        assert bound.shape == want.shape
        assert (bound[np.isfinite(want)] >= 0).all()
        if "_batch0_" in case.name or "_cout0_" in case.name:
            assert want.size == 0
        if "_cin0_" in case.name:
            assert want.size > 0 and not want.any()  # an empty sum is zero
        if case.name.endswith("_i32"):
            assert not bound.any()


def test_special_values_reach_the_expected_outputs(suite):
    by_name = {c.name: c.expect().values[0] for c in suite}
    assert np.isnan(by_name["conv2d_nhwc_same_nan_f32"]).any()
    assert np.isfinite(by_name["conv2d_nhwc_same_nan_f32"]).any()
    assert np.isposinf(by_name["conv2d_nhwc_same_inf_f32"]).any()
    infmix = by_name["conv2d_nhwc_valid_infmix_f32"]
    assert np.isnan(infmix).any() and np.isinf(infmix).any()
    assert np.isposinf(by_name["conv2d_nhwc_valid_overflow_f32"]).all()
    assert np.isposinf(by_name["conv2d_nhwc_valid_overflow_f16"]).all()
    large = by_name["conv2d_nhwc_valid_large_f32"]
    assert np.isfinite(large).all() and np.abs(large).max() > 1e30


def test_cases_command_lists_every_name(capsys, suite):
    assert main(["cases"]) == 0
    assert capsys.readouterr().out.split() == [c.name for c in suite]


def test_case_option_takes_globs(capsys):
    assert main(["cases", "--case", "conv1d_*", "--case", "seed_conv2d"]) == 0
    names = capsys.readouterr().out.split()
    assert names[-1] == "seed_conv2d" and len(names) > 10
    assert all(n.startswith("conv1d_") for n in names[:-1])


def test_python_m_harness_cases_runs():
    out = subprocess.run([sys.executable, "-m", "harness", "cases", "--case", "depthwise_*"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out and all(n.startswith("depthwise_conv2d_") for n in out)


PINNED_DIGEST = "ced5bca255248dfc"  # sha256 prefix of its input bytes, RandomState(crc32(name))
