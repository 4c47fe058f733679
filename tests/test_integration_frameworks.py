"""Real Theano 1.0.5 (Python 3.6, compiles C++) and a real PyTorch CPU build, side by side.

The seed's question, answered directly: Theano's ``conv2d(filter_flip=False)``
and PyTorch give 3 for the report's 4x3 input and filter, like TensorFlow on
this CPU.  PyTorch comes from the CPU wheel on this machine's disk when there
is one (``TORCH_CPU_WHEELS``, default /opt/wheels); without it the test is
skipped rather than downloading a CUDA build of several GB.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.releases import catalog_from_folder, folder_has
from conftest import json_doc

pytestmark = pytest.mark.integration
WHEELS = Path(os.environ.get("TORCH_CPU_WHEELS", "/opt/wheels"))


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("frameworks")
    yield root
    shutil.rmtree(root / "cache", ignore_errors=True)


def torch_cpu_version() -> str | None:
    if not WHEELS.is_dir() or not folder_has(WHEELS, "torch"):
        return None
    return str(catalog_from_folder("torch", WHEELS).releases[-1].version)


def test_theano_and_torch_answer_the_seed_with_3(dirs, capsys):
    torch = torch_cpu_version()
    if torch is None:
        pytest.skip(f"no torch CPU wheel in {WHEELS}")
    out = dirs / "compare.json"
    code = main(["compare", "--frameworks", f"theano==1.0.5,torch=={torch}", "--find-links", str(WHEELS),
                 "--case", "seed_*", "--timeout", "300", "--cache-dir", str(dirs / "cache"),
                 "--results", str(dirs / "results"), "--json", str(out), "-q"])
    assert code == 0
    cases = {c["case"]: c for c in json_doc(out, "compare")["cases"]}
    for name in ("seed_conv2d", "seed_conv1d"):
        fws = cases[name]["frameworks"]
        assert fws["theano==1.0.5"]["outcome"] == "pass" and fws["theano==1.0.5"]["python"].startswith("3.6")
        assert fws[f"torch=={torch}"]["outcome"] == "pass"
        assert fws[f"torch=={torch}"]["version"].endswith("+cpu"), "the CPU build, not PyPI's CUDA one"
        assert cases[name]["pairs"][0]["max_abs_diff"] == 0.0 and not cases[name]["disagrees"]
    kept = dirs / "results" / "compare-outputs" / "theano==1.0.5" / "seed_conv2d_0.npy"
    import numpy as np

    assert np.load(kept).ravel().tolist() == [3.0]
    assert "wrote" in capsys.readouterr().out
