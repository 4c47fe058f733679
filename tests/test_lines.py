"""Release lines (pure): grouping, the mainline, backport candidates, the one-line description."""

from __future__ import annotations

from datetime import datetime, timedelta

from packaging.version import Version

from harness import lines
from harness.lines import Line, LineAnswer

VERSIONS = [Version(v) for v in ("2.6.0", "2.6.5", "2.7.0", "2.7.4", "2.8.0", "2.8.3", "2.9.0",
                                 "2.9.1", "2.9.2", "2.10.0", "2.10.1", "2.11.0")]
DAY = timedelta(days=1)
T0 = datetime(2022, 1, 1)
# 2.6.5 came out before 2.9.0; the others' last patches with or after 2.10.0
UPLOADED = [T0, T0 + 100 * DAY, T0 + 10 * DAY, T0 + 260 * DAY, T0 + 40 * DAY, T0 + 260 * DAY,
            T0 + 140 * DAY, T0 + 200 * DAY, T0 + 260 * DAY, T0 + 260 * DAY, T0 + 300 * DAY,
            T0 + 330 * DAY]


def test_lines_group_by_minor_in_order():
    got = lines.lines_of(VERSIONS)
    assert [(l.name, l.indices) for l in got] == [
        ("2.6", (0, 1)), ("2.7", (2, 3)), ("2.8", (4, 5)), ("2.9", (6, 7, 8)),
        ("2.10", (9, 10)), ("2.11", (11,))]
    assert lines.mainline(got) == [0, 2, 4, 6, 9, 11]
    assert lines.has_patch_lines(got)
    assert not lines.has_patch_lines(lines.lines_of([Version("1.0.0"), Version("1.1.0")]))
    assert lines.lines_of([]) == []


def test_lines_keep_majors_apart():
    got = lines.lines_of([Version(v) for v in ("1.15.0", "1.15.5", "2.0.0", "2.15.0")])
    assert [l.name for l in got] == ["1.15", "2.0", "2.15"]


def test_candidates_are_older_lines_still_patched_after_the_old_side():
    by_line = lines.lines_of(VERSIONS)
    maybe, ended = lines.candidates(by_line, UPLOADED, old=6, new=9)  # 2.9.0 -> 2.10.0
    assert [l.name for l in maybe] == ["2.7", "2.8", "2.9"]
    assert [l.name for l in ended] == ["2.6"]  # 2.6.5 predates 2.9.0


def test_the_old_sides_own_line_is_always_a_candidate():
    by_line = lines.lines_of(VERSIONS)
    late = list(UPLOADED)
    late[8] = T0  # even with a nonsense upload time
    maybe, _ = lines.candidates(by_line, late, old=6, new=9)
    assert "2.9" in [l.name for l in maybe]


def test_lines_at_or_after_the_new_side_and_single_release_lines_are_not_candidates():
    by_line = lines.lines_of(VERSIONS)
    maybe, ended = lines.candidates(by_line, UPLOADED, old=0, new=2)  # 2.6.0 -> 2.7.0
    assert [l.name for l in maybe] == ["2.6"] and ended == []
    maybe, ended = lines.candidates(by_line, UPLOADED, old=9, new=11)  # 2.10.0 -> 2.11.0
    assert "2.11" not in [l.name for l in maybe + ended]


def test_unknown_upload_times_are_checked_not_assumed():
    by_line = lines.lines_of(VERSIONS)
    maybe, ended = lines.candidates(by_line, [None] * len(VERSIONS), old=6, new=9)
    assert [l.name for l in maybe] == ["2.6", "2.7", "2.8", "2.9"] and ended == []


def test_describe_says_every_kind_once():
    answers = [LineAnswer("2.9", "backport", "2.9.2", "2.9.3"), LineAnswer("2.8", "from-first", "2.8.0"),
               LineAnswer("2.7", "never", None, "2.7.4"), LineAnswer("2.6", "unmeasured", None, "2.6.5"),
               LineAnswer("2.5", "not-checked")]
    assert lines.describe(answers) == (
        "also in 2.9.2, 2.8.0 (its line's first release); never in 2.7 (2.7.4 checked); "
        "unmeasured: 2.6 (2.6.5); not checked (ended before the change): 2.5")
    assert lines.describe([]) == ""
    many = [LineAnswer(f"1.{k}", "not-checked") for k in (9, 8, 7, 6)]
    assert lines.describe(many) == "not checked (ended before the change): 1.9, 1.8 and 2 older"
    assert answers[0].to_json() == {"line": "2.9", "status": "backport", "first_new": "2.9.2",
                                    "checked": "2.9.3"}


def test_line_ends():
    line = Line("2.9", (6, 7, 8))
    assert (line.first, line.last) == (6, 8)


def test_the_end_of_run_table_notes_each_cases_lines():
    from types import SimpleNamespace

    from harness import changes

    result = SimpleNamespace(transition=("2.9.0", "2.10.0"), skipped=())
    report = SimpleNamespace(case="c", result=result, outcome=lambda v: "crash" if v == "2.9.0" else "error",
                             lines=(LineAnswer("2.8", "backport", "2.8.3", "2.8.4"),))
    (flip,) = changes.from_reports([report])
    assert (flip.old, flip.new, flip.old_outcome, flip.new_outcome) == ("2.9.0", "2.10.0", "crash", "error")
    assert flip.note == "also in 2.8.3"
