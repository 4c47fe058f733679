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


# -- the pipeline's planning: lookahead, wanted, order, catch_up ----------------

from harness.bisection import catch_up, lookahead, order, wanted  # noqa: E402


def classic_order(verdicts):
    """The probes of the plain one-at-a-time search, in order."""
    calls = []

    def predicate(i):
        calls.append(i)
        return verdicts[i]

    least_satisfying(list(range(len(verdicts))), predicate)
    return calls


def pipelined(sequences_, workers, depth, pick=0):
    """Drive one search per sequence the way ``bisect`` does: each round measures
    every probe wanted now plus up to ``workers`` probes ahead (by ``order``,
    starting at rank ``pick`` to vary which speculative ones are chosen);
    searches take verdicts only through ``catch_up``."""
    n = len(sequences_[0])
    searches = [Bisection(n) for _ in sequences_]
    measured: set[int] = set()
    known = [dict() for _ in sequences_]
    rounds = 0
    while True:
        now = {catch_up(s, k) for s, k in zip(searches, known)} - {None}
        if not now:
            return searches, measured, rounds
        rounds += 1
        ahead = order(wanted(searches, known, depth), exclude=measured | now)
        batch = now | set(ahead[pick:pick + workers])
        for i in batch:
            measured.add(i)
            for seq, k in zip(sequences_, known):
                k[i] = seq[i]


@pytest.mark.parametrize("n", range(0, 10))
def test_pipelined_search_matches_classic_and_linear_scan_on_monotone_sequences(n):
    checked = 0
    for verdicts in sequences(n):
        if len(verdicts) != n:
            continue
        expected = classic_order(verdicts)
        for workers, depth, pick in ((1, 1, 0), (2, 3, 0), (3, 2, 1), (4, 3, 2)):
            (search,), measured, _ = pipelined([verdicts], workers, depth, pick)
            found = result(list(range(n)), search)
            assert found.transition == linear(verdicts), (verdicts, workers, depth)
            assert search.order == expected, "the search itself must not change"
            assert set(expected) <= measured
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("n", range(1, 7))
def test_pipelined_search_probes_what_the_classic_one_does_on_every_sequence(n):
    # also non-monotone ones (pass -> wrong -> pass): measuring ahead must never
    # change which transition is reported
    for verdicts in itertools.product((True, False, None), repeat=n):
        verdicts = list(verdicts)
        expected = classic_order(verdicts)
        (search,), _, _ = pipelined([verdicts], 2, 3, 1)
        assert search.order == expected, verdicts


def test_shared_probes_leave_every_search_as_if_alone():
    n = 9
    seqs = [list(v) for v in itertools.product((True, False), repeat=n)][::7]
    searches, measured, rounds = pipelined(seqs, 2, 3)
    for seq, s in zip(seqs, searches):
        assert s.order == classic_order(seq)
    alone = max(len(classic_order(seq)) for seq in seqs)
    assert rounds <= alone  # rounds never exceed the longest single search


def test_measuring_ahead_saves_rounds():
    seq = [True] * 37 + [False] * 63
    _, _, one = pipelined([seq], 0, 0)
    _, _, ahead = pipelined([seq], 3, 3)
    assert one == len(classic_order(seq))
    assert ahead < one


@pytest.mark.parametrize("n", range(2, 8))
def test_lookahead_names_every_probe_of_the_next_depth_steps(n):
    for verdicts in itertools.product((True, False, None), repeat=n):
        verdicts = list(verdicts)
        calls = classic_order(verdicts)
        for done in range(len(calls)):
            state = Bisection(n)
            for i in calls[:done]:
                state.record(i, verdicts[i])
            for depth in (0, 1, 2):
                chances = lookahead(state, {}, depth)
                nxt = calls[done:done + depth + 1]
                # unknown verdicts are not guessed, so only the path through
                # known ones is certain to be covered
                covered = []
                for i in nxt:
                    covered.append(i)
                    if verdicts[i] is None:
                        break
                assert set(covered) <= set(chances), (verdicts, done, depth)
                assert chances[calls[done]] == 1.0
                assert all(0 < c <= 1.0 for c in chances.values())


def test_lookahead_follows_measured_verdicts_instead_of_guessing():
    s = Bisection(16)
    assert lookahead(s, {}, 0) == {0: 1.0}
    assert lookahead(s, {0: True, 15: False}, 0) == {7: 1.0}  # endpoints known: the midpoint now
    assert lookahead(s, {0: True, 15: False, 7: True}, 1) == {11: 1.0, 13: 0.5, 9: 0.5}
    assert s.known == {}  # the search itself is untouched


def test_catch_up_records_in_the_search_order_only_what_it_asks():
    s = Bisection(8)
    measured = {0: True, 7: False, 3: True, 1: False, 5: False}
    assert catch_up(s, measured) == 4  # 0, 7, midpoint 3, then 5, then 4 is missing
    assert s.order == [0, 7, 3, 5]
    assert 1 not in s.known


def test_wanted_sums_over_searches_and_order_prefers_score_then_ready_then_index():
    a, b = Bisection(8), Bisection(8)
    scores = wanted([a, b], [{0: True, 7: False}, {0: True, 7: True}], 1)
    assert scores[3] == 1.0 and 7 not in scores  # b's search is over
    assert order({1: 0.5, 2: 0.5, 3: 1.0, 4: 0.25}, exclude={4}, ready={2}) == [3, 2, 1]
