"""The shard split: properties of the LPT partition, the cost model, ``--shard`` parsing."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.tags import Tag
from packaging.version import Version

from harness import shard
from harness.releases import Release, Wheel

# Items are (key, cost) pairs with distinct keys.
items_st = st.dictionaries(st.integers(0, 999), st.integers(1, 100), max_size=30).map(
    lambda d: sorted(d.items()))


def split(items, count):
    return shard.partition(items, count, cost=lambda i: i[1], key=lambda i: i[0])


def loads(shards):
    return [sum(c for _, c in s) for s in shards]


@given(items_st, st.integers(1, 8))
def test_every_item_in_exactly_one_shard_in_key_order(items, count):
    shards = split(items, count)
    assert len(shards) == count
    assert sorted(i for s in shards for i in s) == items
    assert all(s == sorted(s) for s in shards)


@given(items_st, st.integers(1, 8), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(items, count, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert split(shuffled, count) == split(items, count)


@given(items_st, st.integers(1, 8))
def test_balanced_within_list_scheduling_bound(items, count):
    # Greedy assignment: the fullest shard exceeds the mean by less than the largest item.
    total = loads(split(items, count))
    if items:
        assert max(total) <= sum(total) / count + max(c for _, c in items)
        assert max(total) - min(total) <= max(c for _, c in items)


def optimum(costs, count):
    best = sum(costs)
    for assignment in itertools.product(range(count), repeat=len(costs)):
        per = [0] * count
        for c, n in zip(costs, assignment):
            per[n] += c
        best = min(best, max(per))
    return best


@given(st.dictionaries(st.integers(0, 99), st.integers(1, 50), max_size=7).map(lambda d: sorted(d.items())),
       st.integers(1, 3))
def test_within_the_lpt_bound_of_the_optimum(items, count):
    # Graham 1969: LPT's makespan <= (4/3 - 1/(3m)) * optimal makespan.
    if not items:
        return
    got = max(loads(split(items, count)))
    assert got <= (4 / 3 - 1 / (3 * count)) * optimum([c for _, c in items], count) + 1e-9


def test_more_shards_than_items_leaves_the_last_ones_empty():
    shards = split([(1, 5), (2, 5), (3, 9)], 5)
    assert shards == [[(3, 9)], [(1, 5)], [(2, 5)], [], []]


def test_equal_costs_split_by_count_with_stable_ties():
    assert [[k for k, _ in s] for s in split([(k, 1) for k in range(7)], 3)] == [[0, 3, 6], [1, 4], [2, 5]]


def test_zero_shards_is_refused():
    with pytest.raises(ValueError):
        split([(1, 1)], 0)


def release(version: str, *sizes: int | None) -> Release:
    when = datetime(2020, 1, 1, tzinfo=timezone.utc)
    wheels = tuple(Wheel(f"tensorflow-{version}-cp36-cp36m-linux_x86_64.whl", "", when,
                         frozenset({Tag("cp36", "cp36m", "linux_x86_64")}), size=size)
                   for size in sizes)
    return Release(Version(version), wheels)


def test_cost_grows_with_the_largest_wheel_and_ignores_metapackages():
    old, new = release("1.0.0", 45_000_000), release("2.16.2", 2_000, 590_000_000, 259_000_000)
    assert shard.cost(new) > 5 * shard.cost(old)
    assert shard.cost(release("2.0.0", None)) == shard.cost(release("2.0.1"))  # sizes unknown
    assert shard.cost(release("2.0.0")) == pytest.approx(
        shard.OVERHEAD_SECONDS + shard.SECONDS_PER_MB * shard.UNKNOWN_SIZE_MB)


def test_shards_balance_cost_not_count():
    # Twelve cheap 1.x releases and three expensive 2.x ones: by count a
    # shard would get all the 2.x; by cost each gets one.
    cheap = [release(f"1.{n}.0", 45_000_000) for n in range(12)]
    dear = [release(f"2.{n}.0", 500_000_000) for n in range(3)]
    shards = shard.split(cheap + dear, 3)
    assert [sum(r.version.major == 2 for r in s) for s in shards] == [1, 1, 1]
    assert [len(s) for s in shards] == [5, 5, 5]
    rnd = random.Random(0)
    mixed = cheap + dear
    rnd.shuffle(mixed)
    assert [shard.select(mixed, shard.Shard(n, 3)) for n in (1, 2, 3)] == shards


@pytest.mark.parametrize("text, expected", [("1/1", (1, 1)), ("2/3", (2, 3)), ("3/3", (3, 3)),
                                            (" 2 / 3 ", (2, 3))])
def test_parse(text, expected):
    parsed = shard.parse(text)
    assert (parsed.index, parsed.count) == expected and str(parsed) == f"{expected[0]}/{expected[1]}"


@pytest.mark.parametrize("text", ["0/3", "4/3", "x", "1/0", "1", "1/2/3", "-1/3", ""])
def test_parse_refuses(text):
    with pytest.raises(ValueError, match=r"expected I/N with 1 <= I <= N \(e.g. 2/3\), got "):
        shard.parse(text)


def test_restrict_keeps_only_the_shards_releases_and_nothing_else():
    from harness.plan import Plan, restrict

    chosen = tuple(Release(Version(f"1.{n}.0"), ()) for n in range(5))
    plan = Plan(None, chosen, (), (), None)  # type: ignore[arg-type]
    assert restrict(plan, None) is plan
    parts = [restrict(plan, shard.Shard(i, 2)) for i in (1, 2)]
    assert sorted((r for p in parts for r in p.releases), key=lambda r: r.version) == list(chosen)
    assert all(p.releases == tuple(shard.select(chosen, shard.Shard(i, 2))) for i, p in zip((1, 2), parts))
    assert parts[0].releases and parts[1].releases


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans())))
def test_longest_first_sorts_the_ready_by_cost_then_keeps_the_rest_in_order(costs):
    items = [(n, cost, ready) for n, (cost, ready) in enumerate(costs)]
    order = shard.longest_first(items, cost=lambda item: item[1], ready=lambda item: item[2])
    assert sorted(order) == items
    ready = [i for i in order if i[2]]
    assert order == ready + [i for i in items if not i[2]]
    assert all((a[1], -a[0]) > (b[1], -b[0]) for a, b in zip(ready, ready[1:]))
