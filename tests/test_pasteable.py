"""The paste-ready block and the standalone repro file of a transition."""

from __future__ import annotations

import subprocess
import sys

from harness import pasteable
from harness.cases import load_user_file
from harness.outcome import Outcome
from harness.results import Row

CASE = '''import tensorflow as tf


def case_fed(tf, np):
    x = tf.placeholder(tf.float32, shape=(1,))
    return x * 2, {x: np.ones(1, "float32")}


def expect_fed(np):
    return [2.0]
'''


def _row(version, outcome, detail):
    return Row(case="fed", package="tensorflow", version=version, python="2.7.18", variant="default",
               outcome=outcome, detail=detail,
               frozen=("Using Python 2.7.18 environment at: /x", "numpy==1.12.0", "pip==20.3.4",
                       f"tensorflow=={version}"),
               machine={"cpu": "Some CPU", "flags": ["avx2", "fma"], "os": "Linux"})


def test_block_has_link_versions_pins_and_command(tmp_path):
    path = tmp_path / "c.py"
    path.write_text(CASE)
    (case,) = load_user_file(path)
    text = pasteable.block(case, "tensorflow", _row("1.0.0", Outcome.WRONG, "got -5.3e+37 | nan"),
                           _row("1.0.1", Outcome.PASS, ""), cut="2017-03-09T00:00:00Z", repro=None)
    assert "**tensorflow 1.0.0 -> 1.0.1: `fed` went from wrong to pass**" in text
    assert "https://github.com/tensorflow/tensorflow/compare/v1.0.0...v1.0.1" in text
    assert "virtualenv -p python2.7 env && env/bin/pip install numpy==1.12.0 tensorflow==1.0.1" in text
    assert "got -5.3e+37 \\| nan" in text  # a pipe would break the table
    assert "Some CPU (avx2 fma)" in text and "as of 2017-03-09T00:00:00Z" in text


def test_repro_of_a_user_case_evaluates_it_with_nothing_but_the_framework(tmp_path):
    path = tmp_path / "c.py"
    path.write_text(CASE)
    (case,) = load_user_file(path)
    repro = pasteable.write_repro(case, tmp_path / "repro", "1.0.0", "1.0.1")
    assert repro.name == "fed-1.0.0-to-1.0.1.py" and repro.read_text().startswith(CASE)
    # with a stand-in tensorflow module, the __main__ runs the graph-mode path end to end
    fake = tmp_path / "fake" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "float32 = 'float32'\n"
        "class _P:\n    def __mul__(self, k): return ('mul', self, k)\n"
        "def placeholder(dtype, shape): return _P()\n"
        "def global_variables_initializer(): return None\n"
        "class Session:\n    def __enter__(self): return self\n    def __exit__(self, *a): pass\n"
        "    def run(self, what, feed_dict=None):\n"
        "        if what is None: return None\n"
        "        _, p, k = what\n        return feed_dict[p] * k\n")
    out = subprocess.run([sys.executable, str(repro)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path / "fake")}, check=True).stdout
    assert "got: [2.]" in out and "expected: [2.0]" in out


def test_no_repro_file_for_builtin_op_cases(tmp_path):
    from harness.cases import builtin_cases
    case = builtin_cases()[0]
    assert pasteable.write_repro(case, tmp_path, "1.0.0", "1.0.1") is None
