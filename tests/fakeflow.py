"""Tiny fake framework wheels for fast pipeline tests.

``build_wheels(folder)`` writes ``fakeflow-<version>-py3-none-any.whl`` files
whose ``fakeflow.nn.conv1d/conv2d`` behave like TensorFlow's (eager, NumPy
underneath) with a known bug in some versions:

- 1.0.0  conv2d returns -5.3e37 and conv1d NaN (the seed report's symptoms)
- 1.1.0  correct
- 1.2.0  conv1d kills its process with SIGSEGV
- 1.3.0  conv1d hangs
- 1.4.0  ``import fakeflow`` fails
- 1.5.0  correct, and ``conv2d`` accepts an integer ``strides``
- 1.1.1, 1.3.1, 1.3.2 (``PATCH_VERSIONS`` only): patch releases; 1.3.2 has 1.5.0's ``strides``
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

VERSIONS = ("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0")

CORE = '''
import numpy as _np

float16, float32, float64, int32 = "float16", "float32", "float64", "int32"


def executing_eagerly():
    return True


def constant(value, dtype=None):
    return _np.asarray(value, dtype=dtype)


def cast(value, dtype):
    return _np.asarray(value).astype(dtype)


def _conv(x, w, strides, padding):
    x = _np.asarray(x, dtype=_np.float64)
    w = _np.asarray(w, dtype=_np.float64)
    rank = x.ndim - 2
    if padding == "SAME":
        pads = []
        for size, k, s in zip(x.shape[1:-1], w.shape[:rank], strides):
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = _np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sizes = [(n - k) // s + 1 for n, k, s in zip(x.shape[1:-1], w.shape[:rank], strides)]
    out = _np.zeros([x.shape[0]] + out_sizes + [w.shape[-1]])
    for pos in _np.ndindex(*out_sizes):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, w.shape[:rank]))
        patch = x[(slice(None),) + window + (slice(None),)]
        out[(slice(None),) + pos + (slice(None),)] = _np.tensordot(patch, w, axes=rank + 1)
    return out.astype(_np.float32)
'''

NN = '''
import numpy as _np
from fakeflow import _conv


def conv2d(input, filters, strides, padding, data_format=None, dilations=None, name=None):
    {conv2d}


def conv1d(input, filters, stride, padding, data_format=None, dilations=None, name=None):
    {conv1d}
'''

GOOD_CONV2D = (
    "assert not isinstance(strides, int), 'strides must be a list of 4 ints'\n"
    "    return _conv(input, filters, list(strides)[1:-1], padding)"
)
GOOD_CONV1D = "return _conv(input, filters, [stride], padding)"
BODIES = {
    "1.0.0": dict(
        conv2d="return _np.full((1, 1, 1, 1), -5.3e37, _np.float32)",
        conv1d="return _np.full((1, 1, 1), _np.nan, _np.float32)",
    ),
    "1.2.0": dict(conv1d="import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)"),
    "1.3.0": dict(conv1d="import time\n    while True:\n        time.sleep(0.05)"),
    "1.5.0": dict(conv2d=(
        "strides = [1, strides, strides, 1] if isinstance(strides, int) else strides\n"
        "    return _conv(input, filters, list(strides)[1:-1], padding)"
    )),
}
# patch lines (not in VERSIONS; tests/test_lines_pipeline.py): 1.5.0's integer strides
# backported to 1.3.2, never to the 1.1 line
PATCH_VERSIONS = ("1.1.0", "1.1.1", "1.3.0", "1.3.1", "1.3.2", "1.5.0")
BODIES["1.3.2"] = dict(conv2d=BODIES["1.5.0"]["conv2d"])


def _nn_source(version: str) -> str:
    body = BODIES.get(version, {})
    return NN.format(conv2d=body.get("conv2d", GOOD_CONV2D), conv1d=body.get("conv1d", GOOD_CONV1D))


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(folder: Path, version: str, requires: str = "numpy") -> Path:
    init = f"__version__ = {version!r}\n" + CORE + "\nfrom fakeflow import nn\n"
    if version == "1.4.0":
        init = "raise ImportError('libcudart.so.8.0: cannot open shared object file')\n"
    dist_info = f"fakeflow-{version}.dist-info"
    files = {
        "fakeflow/__init__.py": init.encode(),
        "fakeflow/nn.py": _nn_source(version).encode(),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: fakeflow\nVersion: {version}\nRequires-Dist: {requires}\n"
        ).encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: fakeflow-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(n, d) for n, d in files.items()] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"fakeflow-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def build_wheels(folder: Path, versions=VERSIONS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [build_wheel(folder, v) for v in versions]
