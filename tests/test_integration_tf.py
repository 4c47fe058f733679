"""Real TensorFlow releases in real environments (network on first run, ~2 min).

TF 1.0.1 and 1.12-1.14 on Python 3.6 (graph mode, Session) and TF 2.0.0
(eager).  Environments go to a temporary cache that is removed afterwards;
uv's own cache keeps the downloads for the next run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from conftest import json_doc

pytestmark = pytest.mark.integration
EXAMPLE = Path(__file__).parents[1] / "cases" / "examples" / "conv2d_int_strides.py"


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tf")
    yield root
    shutil.rmtree(root / "cache", ignore_errors=True)  # environments are ~0.2-0.5 GB each


def harness(dirs: Path, *args: str) -> int:
    return main([*args, "--cache-dir", str(dirs / "cache"), "--results", str(dirs / "results"), "-q"])


def test_seed_cases_pass_in_tf1_graph_mode_and_tf2_eager(dirs):
    out = dirs / "scan.json"
    assert harness(dirs, "scan", "--versions", "1.0.1,2.0.0", "--json", str(out)) == 0
    rows = {(r["version"], r["case"]): r for r in json_doc(out, "scan")["rows"]}
    for version in ("1.0.1", "2.0.0"):
        for case in ("seed_conv2d", "seed_conv1d"):
            row = rows[(version, case)]
            assert row["python"].startswith("3.6"), row
            # On this machine's CPU the seed's -5.3e37 does not reproduce: both pass.
            assert row["outcome"] == "pass", row
            assert row["max_abs_error"] == 0.0
    stored = json.loads((dirs / "results/runs/tensorflow/1.0.1/py3.6--default.json").read_text())
    frozen = stored["rows"]["seed_conv2d"]["frozen"]
    assert "tensorflow==1.0.1" in frozen
    numpy_version = next(f for f in frozen if f.startswith("numpy=="))
    assert numpy_version < "numpy==1.17", "the date cut and pins must keep numpy of 2017"


def test_user_case_change_is_pinpointed_to_the_right_pair(dirs, capsys):
    out = dirs / "bisect.json"
    assert harness(dirs, "bisect", "--cases", str(EXAMPLE), "--case", "conv2d_int_strides",
                   "--versions", "1.12.0,1.13.1,1.13.2,1.14.0,2.0.0", "--json", str(out)) == 0
    (report,) = json_doc(out, "bisect")["cases"]
    # the mainline (first release of each minor line) changed between 1.13.1 and 1.14.0 ...
    assert report["transition"] == {"from": "1.13.1", "to": "1.14.0",
                                    "from_outcome": "error", "to_outcome": "pass"}
    # ... and the 1.13 patch line never got it (1.12 has one release here: no line to check)
    assert {"line": "1.13", "status": "never", "first_new": None, "checked": "1.13.2"} in report["lines"]
    out_text = capsys.readouterr().out
    assert "1.13.1 -> 1.14.0" in out_text and "error -> pass" in out_text
    assert len(report["probes"]) <= 2 + 3
