"""The whole pipeline on fake framework wheels, through real uv environments.

The fake ``fakeflow`` releases (tests/fakeflow.py) are installed into real
Python 3.6 environments built by uv (numpy comes from the index or uv's
cache); the runner really crashes, hangs and fails to import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main

from fakeflow import build_wheels
from conftest import json_doc

pytestmark = pytest.mark.pipeline  # builds real uv environments from fake wheels

USER_CASE = '''
def case_int_strides(tf, np):
    """conv2d with a bare integer stride (accepted only from 1.5.0)"""
    x = tf.constant(np.ones((1, 3, 3, 1), dtype="float32"))
    w = tf.constant(np.ones((2, 2, 1, 1), dtype="float32"))
    return tf.nn.conv2d(x, w, 1, "VALID")


def expect_int_strides(np):
    return np.full((1, 2, 2, 1), 4.0)
'''


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    build_wheels(root / "wheels")
    (root / "user.py").write_text(USER_CASE)
    return root


def harness(world: Path, *args: str) -> int:
    return main([
        *args, "--package", "fakeflow", "--find-links", str(world / "wheels"),
        "--cache-dir", str(world / "cache"), "--results", str(world / "results"),
        "--timeout", "5", "-q",
    ])


def test_bisect_pinpoints_fix_steps_over_crash_hang_and_broken_import(world, capsys):
    out = world / "bisect.json"
    assert harness(world, "bisect", "--cases", str(world / "user.py"), "--case", "seed_*",
                   "--case", "int_strides", "--json", str(out)) == 0
    text = capsys.readouterr().out
    report = {r["case"]: r for r in json_doc(out, "bisect")["cases"]}

    conv2d = report["seed_conv2d"]
    assert conv2d["transition"] == {"from": "1.0.0", "to": "1.1.0",
                                    "from_outcome": "wrong", "to_outcome": "pass"}
    table = {line.split("│")[1].strip(): line for line in text.splitlines()
             if "->" in line and line.startswith("│")}
    assert "wrong -> pass" in table["1.0.0 -> 1.1.0"] and "seed_conv2d" in table["1.0.0 -> 1.1.0"], text

    conv1d = report["seed_conv1d"]
    assert conv1d["transition"]["from"] == "1.3.0" and conv1d["transition"]["to"] == "1.5.0"
    assert conv1d["transition"]["from_outcome"] == "timeout"
    probes = {p["version"]: p["outcome"] for p in conv1d["probes"]}
    assert probes["1.0.0"] == "wrong" and probes["1.5.0"] == "pass"
    assert all(p["python"].startswith("3.6") for p in conv1d["probes"] if p["outcome"] != "skip")
    assert [s["version"] for s in conv1d["skipped"]] == ["1.4.0"]
    assert "ImportError: libcudart.so.8.0" in conv1d["skipped"][0]["reason"]
    assert "timeout -> pass" in table["1.3.0 -> 1.5.0"] and "seed_conv1d" in table["1.3.0 -> 1.5.0"]
    assert "unmeasured" in table["1.3.0 -> 1.5.0"] and "1.4.0" in text

    user = report["int_strides"]
    assert user["transition"]["from"] == "1.3.0" and user["transition"]["to"] == "1.5.0"
    assert user["transition"]["from_outcome"] == "error"
    # endpoints + ceil(log2 6), plus one probe per unmeasurable release stepped over
    for r in report.values():
        assert len(r["probes"]) <= 2 + 3 + len(r["skipped"]), r


def test_scan_records_every_outcome_and_rerun_reuses_results(world, capsys):
    out = world / "scan.json"
    assert harness(world, "scan", "--case", "seed_*", "--json", str(out)) == 0
    rows = {(r["version"], r["case"]): r for r in json_doc(out, "scan")["rows"]}
    assert rows[("1.2.0", "seed_conv1d")]["outcome"] == "crash"
    assert rows[("1.2.0", "seed_conv1d")]["detail"].startswith("SIGSEGV")
    assert rows[("1.2.0", "seed_conv2d")]["outcome"] == "pass"  # the crash cost one case only
    assert rows[("1.3.0", "seed_conv1d")]["outcome"] == "timeout"
    assert rows[("1.3.0", "seed_conv2d")]["outcome"] == "pass"
    assert rows[("1.4.0", "seed_conv2d")]["outcome"] == "skip"
    assert rows[("1.0.0", "seed_conv1d")]["detail"].startswith("at [0, 0, 0] expected 3, got nan")

    stored = world / "results" / "runs" / "fakeflow" / "1.1.0" / "py3.6--default.json"
    data = json.loads(stored.read_text())
    assert data["schema"] == 1
    row = data["rows"]["seed_conv2d"]
    assert row["framework_version"] == "1.1.0" and any(f.startswith("numpy==") for f in row["frozen"])
    assert row["machine"]["os"]
    before = stored.stat().st_mtime_ns
    assert harness(world, "scan", "--case", "seed_*", "--versions", "1.1.0,1.2.0") == 0
    assert stored.stat().st_mtime_ns == before, "a rerun must reuse stored rows"


def test_good_when_no_crash(world, capsys):
    out = world / "nocrash.json"
    assert harness(world, "bisect", "--case", "seed_conv1d", "--good-when", "no-crash",
                   "--from", "1.1.0", "--to", "1.3.0", "--json", str(out)) == 0
    (report,) = json_doc(out, "bisect")["cases"]
    assert report["transition"]["from"] == "1.1.0" and report["transition"]["to"] == "1.2.0"
    assert report["transition"]["to_outcome"] == "crash"


def test_no_prefetch_builds_only_probed_environments(world, tmp_path):
    out = tmp_path / "b.json"
    assert main(["bisect", "--package", "fakeflow", "--find-links", str(world / "wheels"),
                 "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                 "--case", "seed_conv2d", "--no-prefetch", "--json", str(out), "-q"]) == 0
    (report,) = json_doc(out, "bisect")["cases"]
    built = {p.name.split("-")[1] for p in (tmp_path / "cache" / "envs").iterdir() if p.is_dir()}
    assert built == {p["version"] for p in report["probes"]}


def test_prefetch_builds_the_possible_next_probes(world, tmp_path):
    assert main(["bisect", "--package", "fakeflow", "--find-links", str(world / "wheels"),
                 "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                 "--case", "seed_conv2d", "-q"]) == 0
    built = [p for p in (tmp_path / "cache" / "envs").iterdir() if p.is_dir()]
    # 2 endpoints + midpoint(s) probed, plus speculative builds, never the whole range
    assert 3 <= len(built) <= 6


def test_variants_are_separate_rows_with_their_environment(world, tmp_path):
    case = tmp_path / "env_case.py"
    case.write_text(
        "import os\n\n\n"
        "def case_sees_variant(tf, np):\n"
        "    return tf.constant([float(os.environ.get('HARNESS_TEST_KNOB', '0'))])\n\n\n"
        "def expect_sees_variant(np):\n"
        "    return [0.0]\n"
    )
    out = tmp_path / "rows.json"
    assert harness(world, "scan", "--versions", "1.1.0", "--cases", str(case), "--case", "sees_variant",
                   "--variant", "knob=HARNESS_TEST_KNOB=1", "--json", str(out)) == 0
    rows = {r["variant"]: r for r in json_doc(out, "scan")["rows"]}
    assert rows["default"]["outcome"] == "pass" and rows["knob"]["outcome"] == "wrong"
    stored = json.loads((world / "results/runs/fakeflow/1.1.0/py3.6--knob.json").read_text())
    assert stored["rows"]["sees_variant"]["variant_env"] == {"HARNESS_TEST_KNOB": "1"}


def test_different_outcomes_that_are_both_bad_are_named_as_such(world, capsys):
    assert harness(world, "bisect", "--case", "seed_conv1d", "--versions", "1.2.0,1.3.0") == 0
    out = capsys.readouterr().out
    assert ("seed_conv1d: crash in 1.2.0 and timeout in 1.3.0: both ends are bad for "
            "--good-when pass, no transition to find") in out


def test_fail_on_exits_1_only_when_a_row_has_such_an_outcome(world, capsys):
    # seed_conv1d crashes in 1.2.0 (fakeflow); 1.1.0 passes everything
    assert harness(world, "scan", "--case", "seed_*", "--versions", "1.1.0", "--fail-on", "crash,wrong") == 0
    assert harness(world, "scan", "--case", "seed_*", "--versions", "1.1.0,1.2.0", "--fail-on", "crash") == 1
    assert "--fail-on crash: 1 row(s) have such an outcome, e.g. seed_conv1d in fakeflow 1.2.0: crash" \
        in capsys.readouterr().out
    assert harness(world, "scan", "--case", "seed_*", "--versions", "1.2.0", "--fail-on", "wrong") == 0


def test_json_dash_puts_only_the_document_on_stdout(world, capsys):
    assert harness(world, "scan", "--case", "seed_conv2d", "--versions", "1.1.0", "--json", "-") == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["schema"] == 2 and doc["kind"] == "scan" and doc["rows"][0]["case"] == "seed_conv2d"
    assert "rows for 1 releases" in captured.err


def test_json_path_in_a_missing_folder_fails_before_any_work(world, tmp_path, capsys):
    results = tmp_path / "fresh-results"
    with pytest.raises(SystemExit) as exc:  # refused while the command line is read
        main(["scan", "--package", "fakeflow", "--find-links", str(world / "wheels"),
              "--cache-dir", str(tmp_path / "cache"), "--results", str(results),
              "--case", "seed_conv2d", "--json", str(tmp_path / "no" / "such" / "x.json")])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and len(err.splitlines()) == 1 and "expected an existing folder" in err
    assert not (tmp_path / "cache").exists() and not results.exists(), "nothing ran"


SEED_SCRIPT = '''
import numpy as np
import fakeflow as tf
base = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], dtype="float32").T
res = tf.nn.conv1d(base[np.newaxis], base[:, :, np.newaxis], 1, "VALID")
print(res)
'''

STRIDE_SCRIPT = '''
import sys
import numpy as np
import fakeflow as tf
try:
    tf.nn.conv2d(np.ones((1, 3, 3, 1), "float32"), np.ones((2, 2, 1, 1), "float32"), 1, "VALID")
except Exception as exc:
    print("refused: %s" % exc)
    sys.exit(1)
'''


def test_bisect_script_by_output_and_by_exit_code_with_a_paste_ready_block(world, capsys):
    seed, stride = world / "seed_script.py", world / "stride_script.py"
    seed.write_text(SEED_SCRIPT)
    stride.write_text(STRIDE_SCRIPT)
    out = world / "script.json"
    assert harness(world, "bisect", "--script", str(seed), "--versions", "1.0.0,1.1.0",
                   "--good-output", r"^\[+ ?3\.\]+$", "--bad-output", "nan", "--json", str(out)) == 0
    (found,) = json_doc(out, "bisect")["cases"]
    assert found["case"] == "seed_script"
    assert found["transition"] == {"from": "1.0.0", "to": "1.1.0", "from_outcome": "wrong",
                                   "to_outcome": "pass"}
    capsys.readouterr()
    assert harness(world, "bisect", "--script", str(stride), "--from", "1.1.0", "--json", str(out)) == 0
    text = capsys.readouterr().out
    (found,) = json_doc(out, "bisect")["cases"]
    # 1.4.0 cannot import fakeflow: that is skip (stepped over), not bad
    assert found["transition"] == {"from": "1.3.0", "to": "1.5.0", "from_outcome": "wrong",
                                   "to_outcome": "pass"}
    assert [s["version"] for s in found["skipped"]] == ["1.4.0"]
    assert "import failed: ImportError" in found["skipped"][0]["reason"]
    assert "**fakeflow 1.3.0 -> 1.5.0: `stride_script` went from wrong to pass**" in text
    repro = world / "results" / "repro" / "stride_script-1.3.0-to-1.5.0.py"
    assert repro.read_text() == STRIDE_SCRIPT


@pytest.mark.parametrize("slow", ["1.0.0", "1.1.0"])
def test_a_rerun_starts_the_release_that_took_longest_last_time(world, tmp_path, slow):
    """One worker: the release whose stored rows say it took longest runs first."""
    def scan(*extra: str) -> None:
        assert main(["scan", "--package", "fakeflow", "--find-links", str(world / "wheels"),
                     "--cache-dir", str(world / "cache"), "--results", str(tmp_path), "-q",
                     "--case", "seed_conv2d", "--versions", "1.0.0,1.1.0", "-j", "1", *extra]) == 0

    def stored(version: str) -> Path:
        return tmp_path / "runs" / "fakeflow" / version / "py3.6--default.json"

    scan()
    data = json.loads(stored(slow).read_text())
    data["rows"]["seed_conv2d"]["seconds"] = 100.0  # as if its case had taken that long
    stored(slow).write_text(json.dumps(data))
    scan("--force")
    started = {v: json.loads(stored(v).read_text())["rows"]["seed_conv2d"]["recorded_at"]
               for v in ("1.0.0", "1.1.0")}
    assert min(started, key=started.get) == slow, started
