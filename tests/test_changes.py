"""The end-of-run transitions table (harness/changes.py): grouping, ordering, rendering."""

from __future__ import annotations

import itertools

import pytest
from packaging.version import Version
from rich.console import Console

from harness import bisection, changes
from harness.changes import Flip, Group
from harness.commands.bisect import CaseReport
from harness.outcome import Outcome
from harness.results import Row


def text(renderable, width: int = 200) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(renderable)
    return console.export_text()


# -- group


def test_identical_flips_are_one_group_with_sorted_unique_names():
    flips = [Flip(name, "2.8.4", "2.9.0", "pass", "wrong") for name in ("c", "a", "b", "a")]
    (g,) = changes.group(flips)
    assert g == Group("2.8.4", "2.9.0", "pass", "wrong", "", ("a", "b", "c"))


@pytest.mark.parametrize("field", ["old", "new", "old_outcome", "new_outcome", "note"])
def test_flips_differing_in_any_field_but_the_case_are_separate_groups(field):
    base = Flip("a", "1.0.0", "1.1.0", "pass", "wrong", "")
    other = Flip(**{**base.__dict__, "case": "b", field: {"old": "1.0.1", "new": "1.2.0",
                                                           "old_outcome": "error", "new_outcome": "crash",
                                                           "note": "also in 1.0.5"}[field]})
    groups = changes.group([base, other])
    assert len(groups) == 2 and sorted(len(g.cases) for g in groups) == [1, 1]


def test_groups_come_in_version_order_not_string_order_then_largest_first():
    flips = [Flip("x", "1.9.0", "1.10.0", "pass", "wrong"),
             Flip("y", "1.2.0", "1.9.0", "pass", "wrong"),
             Flip("z1", "1.8.0", "1.9.0", "wrong", "pass"),
             Flip("z2", "1.8.0", "1.9.0", "wrong", "pass"),
             Flip("w", "1.8.0", "1.9.0", "error", "pass")]
    order = [(g.old, g.new, g.old_outcome) for g in changes.group(flips)]
    # by the new release (1.9.0 before 1.10.0), then the old one, then the largest group
    assert order == [("1.2.0", "1.9.0", "pass"), ("1.8.0", "1.9.0", "wrong"), ("1.8.0", "1.9.0", "error"),
                     ("1.9.0", "1.10.0", "pass")]


def test_group_order_does_not_depend_on_input_order():
    flips = [Flip(f"c{n}", old, new, a, b) for n, (old, new, a, b) in enumerate(itertools.product(
        ["1.0.0", "1.1.0"], ["2.0.0", "2.0.0rc0"], ["pass", "wrong"], ["error"]))]
    expected = changes.group(flips)
    for perm in itertools.islice(itertools.permutations(flips), 0, 2000, 97):
        assert changes.group(perm) == expected


def test_nothing_in_nothing_out():
    assert changes.group([]) == []


@pytest.mark.parametrize("count,shown,expected", [
    (1, 3, "a0"), (3, 3, "a0, a1, a2"), (4, 3, "a0, a1, a2, +1 more"), (124, 3, "a0, a1, a10, +121 more"),
    (5, 1, "a0, +4 more")])
def test_names_show_a_few_then_how_many_more(count, shown, expected):
    (g,) = changes.group(Flip(f"a{n}", "1", "2", "pass", "wrong") for n in range(count))
    assert g.names(shown) == expected


# -- table


def test_table_has_one_row_per_group_with_count_and_names():
    flips = [Flip(f"conv_{n}", "2.8.4", "2.9.0", "pass", "wrong") for n in range(124)]
    flips.append(Flip("seed_conv2d", "1.0.0", "1.1.0", "wrong", "pass"))
    out = text(changes.table(changes.group(flips)))
    lines = [line for line in out.splitlines() if "->" in line]
    assert len(lines) == 2, out
    assert "1.0.0 -> 1.1.0" in lines[0] and "wrong -> pass" in lines[0] and "seed_conv2d" in lines[0]
    assert "2.8.4 -> 2.9.0" in lines[1] and "124" in lines[1] and "+121 more" in lines[1]
    assert "2 distinct, 125 case change(s)" in out
    assert "note" not in out  # no notes: no note column


def test_table_note_column_only_when_a_group_has_a_note():
    flips = [Flip("a", "1.3.0", "1.5.0", "timeout", "pass", "unmeasured between: 1.4.0"),
             Flip("b", "1.0.0", "1.1.0", "wrong", "pass")]
    out = text(changes.table(changes.group(flips)))
    assert "note" in out and "unmeasured between: 1.4.0" in out


@pytest.mark.parametrize("groups,max_rows", [(n, m) for n in range(0, 7) for m in range(1, 6)])
def test_table_keeps_the_largest_groups_and_counts_the_rest(groups, max_rows):
    # group k (releases k -> k+1) has k+1 cases
    flips = [Flip(f"c{k}_{i}", f"1.{k}.0", f"1.{k + 1}.0", "pass", "wrong")
             for k in range(groups) for i in range(k + 1)]
    built = changes.group(flips)
    table = changes.table(built, max_rows=max_rows)
    shown = min(groups, max_rows)
    assert table.row_count == shown
    out = text(table)
    kept = list(range(groups))[-shown:] if shown else []  # the largest are the newest here
    for k in range(groups):
        assert (f"1.{k}.0 -> 1.{k + 1}.0" in out) == (k in kept), (k, out)
    left = [k for k in range(groups) if k not in kept]
    if left:
        assert f"+{len(left)} more distinct transition(s) of {sum(k + 1 for k in left)} case change(s)" in out
    else:
        assert "more distinct" not in out


def test_table_rows_stay_in_release_order_when_truncated():
    flips = ([Flip(f"big{i}", "1.0.0", "1.1.0", "pass", "wrong") for i in range(5)]
             + [Flip("small", "1.1.0", "1.2.0", "wrong", "pass")]
             + [Flip(f"mid{i}", "1.2.0", "1.3.0", "pass", "error") for i in range(3)])
    out = text(changes.table(changes.group(flips), max_rows=2))
    assert out.index("1.0.0 -> 1.1.0") < out.index("1.2.0 -> 1.3.0") and "1.1.0 -> 1.2.0" not in out


# -- from scan rows


def row(case: str, version: str, outcome: str, variant: str = "default") -> Row:
    return Row(case=case, package="tensorflow", version=version, python="3.6.15", variant=variant,
               outcome=Outcome(outcome))


def test_scan_rows_without_changes_have_no_flips():
    assert changes.from_rows([row("a", v, "pass") for v in ("1.0.0", "1.1.0", "2.0.0")]) == []
    assert changes.from_rows([]) == []


def test_scan_rows_flip_per_change_in_version_order_skips_stepped_over():
    rows = [row("a", "1.10.0", "pass"), row("a", "1.9.0", "skip"), row("a", "1.8.0", "wrong"),
            row("b", "1.8.0", "pass"), row("b", "1.9.0", "pass"), row("b", "1.10.0", "crash")]
    flips = sorted(changes.from_rows(rows), key=lambda f: f.case)
    assert flips == [Flip("a", "1.8.0", "1.10.0", "wrong", "pass", "unmeasured between: 1.9.0"),
                     Flip("b", "1.9.0", "1.10.0", "pass", "crash")]


def test_scan_rows_backports_are_noted_not_separate():
    # fixed in 2.5.0, backported to 2.4.2
    rows = [row("a", v, o) for v, o in [("2.4.0", "wrong"), ("2.4.1", "wrong"), ("2.4.2", "pass"),
                                         ("2.5.0", "pass")]]
    assert changes.from_rows(rows) == [Flip("a", "2.4.0", "2.5.0", "wrong", "pass", "also in 2.4.2")]


def test_scan_rows_variants_are_separate_series_named_in_the_note():
    rows = [row("a", "1.0.0", "pass"), row("a", "1.1.0", "pass"),
            row("a", "1.0.0", "pass", "off"), row("a", "1.1.0", "wrong", "off")]
    assert changes.from_rows(rows) == [Flip("a", "1.0.0", "1.1.0", "pass", "wrong", "variant off")]


# -- from bisect reports


def report(case: str, outcomes: dict[str, str], good=("pass",)) -> CaseReport:
    class Rel:
        def __init__(self, v):
            self.version = Version(v)

        def __str__(self):
            return str(self.version)

        def __repr__(self):
            return str(self.version)

    items = [Rel(v) for v in outcomes]
    verdict = {v: (None if o == "skip" else o in good) for v, o in outcomes.items()}
    result = bisection.least_satisfying(items, lambda r: verdict[str(r)])
    rows = {str(r): row(case, str(r), outcomes[str(r)]) for r in result.probed}
    return CaseReport(case, result, rows)


def test_bisect_reports_give_one_flip_per_transition_with_the_gap_noted():
    reports = [report("a", {"1.0.0": "wrong", "1.1.0": "wrong", "1.2.0": "pass"}),
               report("b", {"1.0.0": "wrong", "1.1.0": "skip", "1.2.0": "pass"}),
               report("c", {"1.0.0": "pass", "1.1.0": "pass", "1.2.0": "pass"})]
    assert changes.from_reports(reports) == [
        Flip("a", "1.1.0", "1.2.0", "wrong", "pass"),
        Flip("b", "1.0.0", "1.2.0", "wrong", "pass", "unmeasured between: 1.1.0")]


def test_bisect_cases_without_transition_get_their_own_line_when_few():
    reports = [report(f"c{n}", {"1.0.0": "pass", "2.0.0": "pass"}) for n in range(3)]
    reports.append(report("moved", {"1.0.0": "wrong", "2.0.0": "pass"}))
    lines = changes.unchanged(reports, lines=3)
    assert lines == [r.summary() for r in reports[:3]]


def test_bisect_cases_without_transition_are_grouped_by_kind_when_many():
    agree = [report(f"ok{n}", {"1.0.0": "pass", "2.0.0": "pass"}) for n in range(5)]
    bad = [report(f"bad{n}", {"1.0.0": "crash", "2.0.0": "timeout"}) for n in range(2)]
    lost = [report("lost", {"1.0.0": "skip", "2.0.0": "skip"})]
    lines = changes.unchanged(agree + bad + lost, lines=3)
    assert lines == [
        "5 case(s): pass in 1.0.0 and pass in 2.0.0: both ends agree, no transition to find "
        "(ok0, ok1, ok2, +2 more)",
        "2 case(s): crash in 1.0.0 and timeout in 2.0.0: both ends on the same side of --good-when, "
        "no transition to find (bad0, bad1)",
        "1 case(s): could not be compared (fewer than two releases measured) (lost)",
    ]
