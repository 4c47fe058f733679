"""The non-TensorFlow adapters: layout and filter conversions, checked against the reference.

A fake ``torch`` computes its ``conv*d`` / ``conv_transpose2d`` / ``pad`` in
float64 with ``harness/reference.py``, in PyTorch's own conventions (NC*,
OI* filters, symmetric integer padding).  The adapter must convert every
suite case into those conventions and back so that the result equals the
reference in the case's own layout: a wrong transpose, a missed group or
an off-by-one in SAME or transposed padding fails here without a real torch.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import numpy as np
import pytest

import adapter_common
import adapter_jax
import adapter_theano
import adapter_torch
from adapter_common import Conv, Unsupported

from harness import reference
from harness.cases import builtin_cases
from harness.judge import judge
from harness.outcome import Outcome

STDLIB = {"importlib", "inspect", "json", "os", "sys", "threading", "time", "traceback", "numpy"}


@pytest.mark.parametrize("module", [adapter_common, adapter_torch, adapter_theano, adapter_jax])
def test_adapters_are_python36_and_import_only_stdlib_numpy_and_their_framework(module):
    tree = ast.parse(Path(module.__file__).read_text(), feature_version=(3, 6))
    top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    assert top <= STDLIB, "module-level imports must be stdlib only (the framework is handed in)"
    inner = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert inner <= STDLIB | {"theano", "jax"}


# ---------------------------------------------------------------- a float64 fake torch

class Dtype:
    def __init__(self, name):
        self.name = name


class Tensor:
    def __init__(self, array):
        self.a = np.asarray(array)

    def to(self, dtype):
        return Tensor(self.a.astype("float32" if dtype.name == "bfloat16" else dtype.name))

    def float(self):
        return Tensor(self.a.astype(np.float32))

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a

    def __getitem__(self, index):
        return Tensor(self.a[index])


def _conv(x, w, bias, stride, padding, dilation, groups):
    assert bias is None
    xs = np.moveaxis(x.a, 1, -1)
    ws = np.moveaxis(w.a, (0, 1), (-1, -2))  # [O, I, *k] -> [*k, I, O]
    assert groups == (xs.shape[-1] // ws.shape[-2] if ws.shape[-2] else 1)
    with np.errstate(invalid="ignore", over="ignore"):  # the nan/inf/overflow cases
        out = reference.conv(xs, ws, strides=stride, dilations=dilation, padding=[(p, p) for p in padding])
        return Tensor(np.moveaxis(out, -1, 1).astype(x.a.dtype))


def _conv_transpose(x, w, bias, stride, padding, output_padding, groups, dilation):
    assert bias is None and groups == 1 and padding == 0
    assert all(0 <= e < s for e, s in zip(output_padding, stride)), "torch rejects this output_padding"
    xs = np.moveaxis(x.a, 1, -1)
    wt = np.moveaxis(w.a, (0, 1), (-1, -2))  # [c_in, c_out, *k] -> [*k, c_out, c_in]
    kernel = wt.shape[:-2]
    size = [(n - 1) * s + (k - 1) * d + 1 + e
            for n, s, k, d, e in zip(xs.shape[1:-1], stride, kernel, dilation, output_padding)]
    out = reference.conv_transpose(xs, wt, size, strides=stride, dilations=dilation, padding="VALID")
    return Tensor(np.moveaxis(out, -1, 1).astype(x.a.dtype))


def _pad(x, flat):
    pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)][::-1]
    return Tensor(np.pad(x.a, [(0, 0)] * (x.a.ndim - len(pairs)) + pairs))


def fake_torch(with_bfloat16=True):
    functional = types.SimpleNamespace(conv1d=_conv, conv2d=_conv, conv3d=_conv,
                                       conv_transpose2d=_conv_transpose, pad=_pad)
    names = ["float16", "float32", "float64", "int32"] + (["bfloat16"] if with_bfloat16 else [])
    torch = types.SimpleNamespace(dtype=Dtype, from_numpy=Tensor,
                                  nn=types.SimpleNamespace(functional=functional))
    for name in names:
        setattr(torch, name, Dtype(name))
    return torch


def run_case(adapter, case, tmp_path):
    files = []
    for k, array in enumerate(case.inputs):
        np.save(tmp_path / f"{case.name}_{k}.npy", array)
        files.append(f"{case.name}_{k}.npy")
    job = {"name": case.name, "kind": "op", "spec": {**case.spec, "inputs": files}}
    return adapter.build_op(job, np, str(tmp_path))


CASES = [c for c in builtin_cases() if c.spec["dtype"] in ("float32", "float64", "int32")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_torch_adapter_matches_the_reference_in_the_case_layout(case, tmp_path):
    out = run_case(adapter_torch.Torch(fake_torch()), case, tmp_path)
    verdict = judge({"status": "ok", "dtypes": [case.spec["dtype"]]}, [out], case.expect())
    assert verdict.outcome is Outcome.PASS, verdict.detail


def test_asymmetric_padding_goes_through_pad_and_symmetric_does_not(tmp_path):
    calls = []
    torch = fake_torch()
    real_pad = torch.nn.functional.pad
    torch.nn.functional.pad = lambda x, flat: calls.append(flat) or real_pad(x, flat)
    by_name = {c.name: c for c in CASES}
    run_case(adapter_torch.Torch(torch), by_name["conv2d_nhwc_same_f32"], tmp_path)  # 3x3: pads (1, 1)
    assert calls == []
    run_case(adapter_torch.Torch(torch), by_name["conv2d_nhwc_explicit_f32"], tmp_path)  # ((1, 2), (0, 1))
    assert calls == [[0, 1, 1, 2]]  # the last dimension first


def test_missing_bfloat16_is_unsupported(tmp_path):
    case = next(c for c in builtin_cases() if c.spec["dtype"] == "bfloat16")
    with pytest.raises(Unsupported, match="bfloat16"):
        run_case(adapter_torch.Torch(fake_torch(with_bfloat16=False)), case, tmp_path)


# ---------------------------------------------------------------- the shared conversion

def test_filters_become_oihw_and_depthwise_groups_per_input_channel():
    np_ = np
    x = np.zeros((2, 7, 6, 3))
    conv = Conv({"op": "conv2d", "attrs": {"data_format": "NHWC"}}, [x, np.zeros((3, 3, 1, 6))],
                   np_)
    assert conv.x.shape == (2, 3, 7, 6) and conv.w.shape == (6, 1, 3, 3) and conv.groups == 3
    dw = Conv({"op": "depthwise_conv2d", "attrs": {"data_format": "NHWC"}},
                 [x, np.arange(3 * 3 * 3 * 2.0).reshape(3, 3, 3, 2)], np_)
    assert dw.w.shape == (6, 1, 3, 3) and dw.groups == 3
    # output channel c * multiplier + m is input channel c with filter [..., c, m]
    assert dw.w[1 * 2 + 1, 0, 0, 0] == np.arange(3 * 3 * 3 * 2.0).reshape(3, 3, 3, 2)[0, 0, 1, 1]


def test_transpose_output_fits_tensorflows_size_rules():
    spec = {"op": "conv2d_transpose", "attrs": {"data_format": "NHWC", "padding": "SAME", "strides": 2,
                                                "output_shape": [2, 8, 6, 3]}}
    conv = Conv(spec, [np.zeros((2, 4, 3, 4)), np.zeros((3, 3, 3, 4))], np)
    assert conv.pads == [(0, 1), (0, 1)] and conv.full == [9, 7] and conv.extra == [0, 0]
    assert conv.w.shape == (4, 3, 3, 3) and conv.c_out == 3
    with pytest.raises(Unsupported, match="does not fit"):
        Conv(dict(spec, attrs=dict(spec["attrs"], output_shape=[2, 20, 6, 3])),
                [np.zeros((2, 4, 3, 4)), np.zeros((3, 3, 3, 4))], np)


def test_unknown_op_is_unsupported():
    with pytest.raises(Unsupported, match="no adapter"):
        Conv({"op": "conv4d"}, [np.zeros(1), np.zeros(1)], np)


def test_user_cases_are_unsupported_outside_tensorflow():
    with pytest.raises(Unsupported, match="TensorFlow"):
        adapter_torch.Torch(fake_torch()).outputs({"kind": "user", "file": "x", "function": "f"}, ".")
