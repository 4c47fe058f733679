"""The search checked against a linear scan on every small monotone sequence."""

from __future__ import annotations

import itertools
import math

import pytest

from harness.bisection import Bisection, least_satisfying, result


def linear(verdicts):
    """Expected answer by brute force: adjacent known items that differ."""
    known = [(i, v) for i, v in enumerate(verdicts) if v is not None]
    if len(known) < 2 or known[0][1] == known[-1][1]:
        return None
    for (i, a), (j, b) in zip(known, known[1:]):
        if a != b:
            return i, j
    raise AssertionError("unreachable for monotone input")


def sequences(max_len):
    """Monotone good/bad sequences (both directions) with unknowns inserted anywhere."""
    for n in range(0, max_len + 1):
        for change in range(0, n + 1):
            for first in (True, False):
                base = [first] * change + [not first] * (n - change)
                for mask in itertools.product((False, True), repeat=n):
                    yield [None if m else v for v, m in zip(base, mask)]


@pytest.mark.parametrize("n", range(0, 11))
def test_matches_linear_scan(n):
    checked = 0
    for verdicts in sequences(n):
        if len(verdicts) != n:
            continue
        items = list(range(n))
        calls = []

        def predicate(i):
            calls.append(i)
            return verdicts[i]

        found = least_satisfying(items, predicate)
        assert found.transition == linear(verdicts), verdicts
        assert len(calls) == len(set(calls)), "an item was probed twice"
        assert set(found.skipped) == {i for i in calls if verdicts[i] is None}
        known = sum(v is not None for v in verdicts)
        if known == n and n >= 2:
            # no unknowns: endpoints + binary search over the interior
            assert len(calls) <= 2 + math.ceil(math.log2(n)), (verdicts, calls)
        checked += 1
    assert checked > 0


def test_probes_both_endpoints_first():
    order = []
    least_satisfying(list(range(9)), lambda i: order.append(i) or i >= 4)
    assert order[:2] == [0, 8]


def test_find_fix_and_find_regression_are_the_same_search():
    bad_then_good = least_satisfying(list("abcdef"), lambda x: x >= "d")
    good_then_bad = least_satisfying(list("abcdef"), lambda x: x < "d")
    assert bad_then_good.transition == good_then_bad.transition == ("c", "d")


def test_unknown_endpoint_steps_inward():
    verdicts = [None, None, False, False, True, None]
    found = least_satisfying(list(range(6)), lambda i: verdicts[i])
    assert found.transition == (3, 4)
    assert (found.lo, found.hi) == (2, 4)
    assert set(found.skipped) == {0, 1, 5}


def test_agreeing_endpoints_mean_no_search():
    calls = []
    found = least_satisfying(list(range(20)), lambda i: calls.append(i) or True)
    assert found.transition is None and calls == [0, 19]


def test_all_unknown():
    found = least_satisfying(list(range(4)), lambda i: None)
    assert found.transition is None and found.lo is None and len(found.skipped) == 4


def test_speculate_names_both_possible_next_probes():
    search = Bisection(17)
    search.record(0, False)
    search.record(16, True)
    assert search.next_probe() == 8
    assert sorted(search.speculate()) == [4, 12]


def test_result_of_unfinished_search_is_safe():
    search = Bisection(5)
    search.record(0, True)
    assert result(list("abcde"), search).transition is None


def test_steps_left_decreases():
    search = Bisection(64)
    left = []
    truth = [i >= 37 for i in range(64)]
    while (i := search.next_probe()) is not None:
        left.append(search.steps_left())
        search.record(i, truth[i])
    probes_after_ends = len(left) - 2
    assert left[2] == probes_after_ends == 6  # log2 of the 62 open items, and exactly what it took
    assert left[2:] == sorted(left[2:], reverse=True) and len(set(left[2:])) > 1
    assert left[-1] == 1 and search.steps_left() == 0
