from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import numpy as np
import pytest

from harness import cases
from harness.errors import UsageError

RUNNER = Path(__file__).parents[1] / "harness" / "runner"


def write(tmp_path, text, name="mycases.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_runner_is_python36_syntax():
    files = sorted(RUNNER.glob("*.py"))
    assert len(files) >= 6  # __init__, driver, adapter_common and one adapter per family
    for path in files:
        ast.parse(path.read_text(), feature_version=(3, 6))


def test_builtin_suite_has_the_seed_cases():
    names = [c.name for c in cases.builtin_cases()]
    assert "seed_conv2d" in names and "seed_conv1d" in names
    seed = next(c for c in cases.builtin_cases() if c.name == "seed_conv2d")
    np.testing.assert_array_equal(seed.expect().values[0], [[[[3.0]]]])


def test_user_file_cases_and_expectations(tmp_path):
    path = write(tmp_path, '''
        TOLERANCE = {"rtol": 0.1}
        def case_double(tf, np):
            """doubles a constant"""
            return tf.constant([1.0]) * 2
        def expect_double(np):
            return [2.0]
        def case_plain(tf, np):
            return tf.constant(1)
        def helper():
            pass
    ''')
    found = cases.load_user_file(path)
    assert [c.name for c in found] == ["double", "plain"]
    double = found[0]
    assert double.kind == "user" and double.function == "case_double"
    assert double.description == "doubles a constant"
    e = double.expect()
    assert e.rtol == 0.1 and e.atol == cases.DEFAULT_TOLERANCE["atol"] and e.dtypes is None
    assert found[1].expect() is None


@pytest.mark.parametrize(
    "source, message",
    [
        ("def case_x(tf, np):\n    if (y := 1):\n        return y\n", "expected Python 3.6 syntax"),
        ("def case_x(tf, np, /):\n    return 1\n", "expected Python 3.6 syntax"),
        ("def case_x(tf, np:\n", "expected Python 3.6 syntax"),
        ("def helper(tf, np):\n    return 1\n", "found none"),
        ("TOLERANCE = {'rel': 1}\ndef case_x(tf, np):\n    return 1\n", "expected TOLERANCE to be a literal dict"),
        ("TOLERANCE = dict(rtol=1)\ndef case_x(tf, np):\n    return 1\n", "got 'dict(rtol=1)'"),
        ("TOLERANCE = {'rtol': 'x'}\ndef case_x(tf, np):\n    return 1\n", "numbers >= 0"),
    ],
)
def test_broken_case_files_are_one_line_usage_errors(tmp_path, source, message):
    with pytest.raises(UsageError) as err:
        cases.load_user_file(write(tmp_path, source))
    assert message in str(err.value) and err.value.exit_code == 2


def test_folder_and_missing_paths(tmp_path):
    write(tmp_path, "def case_a(tf, np):\n    return 1\n", "a.py")
    write(tmp_path, "def case_b(tf, np):\n    return 1\n", "b.py")
    assert [c.name for c in cases.load_user_cases([tmp_path])] == ["a", "b"]
    with pytest.raises(UsageError, match="no such file"):
        cases.load_user_cases([tmp_path / "nope.py"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="found none"):
        cases.load_user_cases([empty])


def test_select_by_name_and_glob():
    suite = cases.builtin_cases()
    assert [c.name for c in cases.select(suite, ["seed_conv1d"])] == ["seed_conv1d"]
    assert {c.name for c in cases.select(suite, ["seed_*"])} >= {"seed_conv1d", "seed_conv2d"}
    with pytest.raises(UsageError, match="--case nope: no such case"):
        cases.select(suite, ["nope"])


def test_duplicate_names_rejected(tmp_path):
    user = cases.load_user_file(write(tmp_path, "def case_seed_conv2d(tf, np):\n    return 1\n"))
    with pytest.raises(UsageError, match="duplicate case names: seed_conv2d"):
        cases.select(cases.builtin_cases() + user, [])


def test_digest_changes_with_inputs():
    a = cases.builtin_cases()[0]
    from dataclasses import replace

    b = replace(a, inputs=(a.inputs[0] * 2, a.inputs[1]))
    assert a.digest != b.digest and a.digest == cases.builtin_cases()[0].digest
