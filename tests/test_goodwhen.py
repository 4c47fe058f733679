"""``--good-when``: outcome sets, first, a regex on the detail."""

from __future__ import annotations

import pytest

from harness import goodwhen
from harness.outcome import Outcome, is_good

O = Outcome


@pytest.mark.parametrize("text", ["pass", "no-crash"])
def test_builtin_spellings_agree_with_is_good(text):
    spec = goodwhen.parse(text)
    for outcome in Outcome:
        assert spec.verdict(outcome) == is_good(outcome, text), outcome


def test_a_set_of_outcomes():
    spec = goodwhen.parse("wrong,error")
    assert [spec.verdict(o) for o in (O.WRONG, O.ERROR, O.PASS, O.CRASH, O.SKIP)] == [
        True, True, False, False, None]


def test_first_is_good_when_the_outcome_is_that_of_the_range_start():
    spec = goodwhen.parse("first")
    assert spec.verdict(O.WRONG, first=O.WRONG) is True
    assert spec.verdict(O.ERROR, first=O.WRONG) is False  # wrong -> error is a change too
    assert spec.verdict(O.PASS, first=None) is None


def test_detail_regex():
    spec = goodwhen.parse(r"detail:Expected list for 'strides'")
    assert spec.verdict(O.WRONG, "exit code 1: refused: Expected list for 'strides' argument") is True
    assert spec.verdict(O.PASS, "accepted") is False
    assert spec.verdict(O.SKIP, "Expected list for 'strides'") is None


@pytest.mark.parametrize("text", ["good", "pass,skip", "", "detail:(["])
def test_bad_spellings_say_what_was_expected(text):
    with pytest.raises(ValueError, match="expected"):
        goodwhen.parse(text)
