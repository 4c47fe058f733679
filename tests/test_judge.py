from __future__ import annotations

import numpy as np
import pytest

from harness.cases import Expectation
from harness.judge import compare, judge
from harness.outcome import Outcome, is_good

OK = {"status": "ok", "dtypes": ["float32"]}


def exp(value, **kw):
    """Expectation of a single output."""
    return Expectation(values=(np.asarray(value, dtype=np.float64),), **kw)


def test_pass_and_wrong():
    want = exp([[[[3.0]]]], dtypes=("float32",))
    assert judge(OK, [np.array([[[[3.0]]]], np.float32)], want).outcome is Outcome.PASS
    wrong = judge(OK, [np.array([[[[-5.3e37]]]], np.float32)], want)
    assert wrong.outcome is Outcome.WRONG and "expected 3, got -5.3e+37" in wrong.detail
    assert wrong.max_abs_error == pytest.approx(5.3e37, rel=1e-3)


def test_shape_and_dtype_mismatch_are_wrong():
    want = exp([[[[3.0]]]], dtypes=("float32",))
    got = judge(OK, [np.array([3.0], np.float32)], want)
    assert got.outcome is Outcome.WRONG and "shape" in got.detail
    got = judge({"status": "ok", "dtypes": ["float64"]}, [np.array([[[[3.0]]]])], want)
    assert got.outcome is Outcome.WRONG and "dtype float32, got float64" in got.detail


def test_nan_matches_nan_only():
    want = exp([[np.nan, 1.0]])
    assert judge(OK, [np.array([[np.nan, 1.0]])], want).outcome is Outcome.PASS
    assert judge(OK, [np.array([[0.0, 1.0]])], want).outcome is Outcome.WRONG
    assert judge(OK, [np.array([[np.nan, np.nan]])], exp([[0.0, 1.0]])).outcome is Outcome.WRONG


def test_infinities_must_match_exactly():
    assert judge(OK, [np.array([np.inf])], exp([np.inf])).outcome is Outcome.PASS
    assert judge(OK, [np.array([-np.inf])], exp([np.inf])).outcome is Outcome.WRONG
    assert judge(OK, [np.array([1e30])], exp([np.inf])).outcome is Outcome.WRONG


def test_elementwise_bound_used_when_given():
    want = Expectation(values=(np.array([1.0, 1.0]),), bounds=(np.array([0.1, 0.001]),))
    assert judge(OK, [np.array([1.05, 1.0])], want).outcome is Outcome.PASS
    assert judge(OK, [np.array([1.0, 1.05])], want).outcome is Outcome.WRONG


def test_statuses_map_to_outcomes():
    assert judge({"status": "error", "error_class": "ValueError", "message": "bad\nmore"}, [], None).detail == "ValueError: bad"
    assert judge({"status": "crash", "message": "SIGSEGV"}, [], None).outcome is Outcome.CRASH
    assert judge({"status": "timeout", "message": "killed"}, [], None).outcome is Outcome.TIMEOUT
    assert judge({"status": "unsupported", "message": "no dilations"}, [], None).outcome is Outcome.UNSUPPORTED
    assert judge(OK, [np.zeros(1)], None).outcome is Outcome.PASS


def test_output_count_mismatch():
    assert judge(OK, [np.zeros(1), np.zeros(1)], exp([[0.0]])).outcome is Outcome.WRONG


def test_empty_outputs_compare_by_shape():
    assert compare(np.zeros((0, 3)), np.zeros((0, 3)), None, 0, 0)[1]
    assert judge(OK, [np.zeros((0, 3))], exp([np.zeros((0, 2))])).outcome is Outcome.WRONG


@pytest.mark.parametrize("outcome", list(Outcome))
def test_good_when(outcome):
    if outcome is Outcome.SKIP:
        assert is_good(outcome, "pass") is None and is_good(outcome, "no-crash") is None
        return
    assert is_good(outcome, "pass") == (outcome is Outcome.PASS)
    assert is_good(outcome, "no-crash") == (outcome not in (Outcome.CRASH, Outcome.TIMEOUT))
