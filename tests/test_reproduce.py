"""The pure parts of ``reproduce``: metadata, verdicts, ranges, tables; and the history files."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from packaging.version import Version

from harness import history
from harness.cases import Case
from harness.cli import parser
from harness.commands.reproduce import options_from, to_json, verdicts_for
from harness.errors import UsageError
from harness.history import Bug
from harness.outcome import Outcome

GOOD_META = {
    "id": "tfsa_2099_001",
    "title": "a division by zero",
    "source": ["https://example.org/advisory"],
    "kind": "crash",
    "affected": "< 2.5.0",
    "fixed_in": ["2.5.0", "2.4.2"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def bug(**changes) -> Bug:
    meta = {**GOOD_META, **changes}
    return Bug(meta, (Case(name="c1", kind="user", source="x.py", function="case_c1"),))


# ---------------------------------------------------------------- metadata

def test_valid_metadata_has_no_problems():
    assert history.validate(GOOD_META, stem="tfsa_2099_001") == []


@pytest.mark.parametrize("change, fragment", [
    ({"kind": "bug"}, "kind"),
    ({"good_when": "maybe"}, "good_when"),
    ({"source": []}, "source"),
    ({"source": ["not a url"]}, "source"),
    ({"last_affected": "2.4.2"}, "must come before"),
    ({"first_fixed": "2.6.0", "last_affected": "2.5.0"}, "one of fixed_in"),
    ({"first_fixed": "two"}, "not a release version"),
    ({"id": "Bad-Id"}, "[a-z0-9_]+"),
    ({"introduced_in": "2.0.0"}, "both introduced_in and last_unaffected"),
    ({"introduced_in": "2.0.0", "last_unaffected": "2.1.0"}, "last_unaffected < introduced_in"),
    ({"colour": "red"}, "unknown keys"),
    ({"fixed_in": "2.5.0"}, "must be a list"),
])
def test_invalid_metadata_names_the_problem(change, fragment):
    problems = history.validate({**GOOD_META, **change})
    assert problems and any(fragment in p for p in problems), problems


def test_missing_key_and_wrong_container():
    meta = dict(GOOD_META)
    del meta["first_fixed"]
    assert any("no 'first_fixed'" in p for p in history.validate(meta))
    assert history.validate(["not", "a", "dict"])[0].endswith("got list")


def test_id_must_match_file_name():
    assert any("file name" in p for p in history.validate(GOOD_META, stem="other"))


def test_expectations_cover_fix_and_regression_boundaries():
    assert bug().expectations() == {"2.4.1": False, "2.4.2": True}
    reg = bug(kind="regression", introduced_in="2.3.0", last_unaffected="2.2.0")
    assert reg.expectations() == {"2.4.1": False, "2.4.2": True, "2.2.0": True, "2.3.0": False}


# ---------------------------------------------------------------- verdicts

def obs(version, outcome, detail="", good_when="no-crash"):
    return history.observe(version, {"c1": (outcome, detail)}, good_when)


@pytest.mark.parametrize("outcome, good_when, expected", [
    (Outcome.CRASH, "no-crash", False),
    (Outcome.ERROR, "no-crash", True),
    (Outcome.PASS, "no-crash", True),
    (Outcome.TIMEOUT, "no-crash", False),
    (Outcome.SKIP, "no-crash", None),
    (Outcome.PASS, "pass", True),
    (Outcome.WRONG, "pass", False),
    (Outcome.ERROR, "pass", False),
    (Outcome.ERROR, "rejects", True),
    (Outcome.PASS, "rejects", False),
    (Outcome.CRASH, "rejects", False),
    (Outcome.SKIP, "rejects", None),
])
def test_good_per_good_when(outcome, good_when, expected):
    assert history.good(outcome, good_when) is expected


def test_observe_combines_cases_worst_first():
    seen = history.observe("2.4.1", {"a": (Outcome.ERROR, "ValueError: x"),
                                     "b": (Outcome.CRASH, "SIGFPE: boom")}, "no-crash")
    assert (seen.outcome, seen.good, seen.case) == (Outcome.CRASH, False, "b")
    unknown = history.observe("2.4.1", {"a": (Outcome.PASS, ""), "b": (Outcome.SKIP, "no wheel")}, "pass")
    assert unknown.good is None
    bad_wins = history.observe("2.4.1", {"a": (Outcome.WRONG, ""), "b": (Outcome.SKIP, "")}, "pass")
    assert bad_wins.good is False
    # under 'rejects' a case that returns is what makes the release bad, not the one that raised
    rejects = history.observe("2.4.1", {"a": (Outcome.ERROR, "E: x"), "b": (Outcome.PASS, "")}, "rejects")
    assert (rejects.good, rejects.outcome, rejects.case) == (False, Outcome.PASS, "b")


def test_judge_agree_disagree_unknown():
    b = bug()
    agree = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE"),
                                  "2.4.2": obs("2.4.2", Outcome.ERROR, "InvalidArgumentError: x")})
    assert agree.status == "agree" and agree.mismatches == ()
    disagree = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.ERROR, "E: x"),
                                     "2.4.2": obs("2.4.2", Outcome.ERROR, "E: x")})
    assert disagree.status == "disagree"
    assert disagree.mismatches == ("2.4.1: documented affected, observed error",)
    unknown = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE"),
                                    "2.4.2": obs("2.4.2", Outcome.SKIP, "no interpreter")})
    assert unknown.status == "unknown" and "not measured: 2.4.2" in unknown.mismatches


def test_a_disagreement_beats_an_unmeasured_release():
    v = history.judge_bug(bug(), {"2.4.1": obs("2.4.1", Outcome.PASS),
                                  "2.4.2": obs("2.4.2", Outcome.SKIP)})
    assert v.status == "disagree"


def test_describe_is_short_and_explain_is_complete():
    crash = obs("2.4.1", Outcome.CRASH, "SIGFPE: Floating point exception")
    assert history.describe(crash) == "2.4.1 crash (SIGFPE)"
    err = obs("2.4.2", Outcome.ERROR, "InvalidArgumentError: filter depth must be positive")
    assert history.describe(err) == "2.4.2 error (InvalidArgumentError)"
    assert "filter depth must be positive" in history.explain(err)
    assert history.describe(obs("1.0.0", Outcome.PASS, good_when="pass")) == "1.0.0 pass"


def test_bisection_that_finds_another_fix_release_disagrees():
    b = bug()
    observed = {b.id: {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE"),
                       "2.4.2": obs("2.4.2", Outcome.ERROR, "E: x")}}
    same = verdicts_for([b], observed, {b.id: (("2.4.1", "2.4.2"), "fix")})[b.id]
    assert same.status == "agree" and same.bisected == ("2.4.1", "2.4.2")
    other = verdicts_for([b], observed, {b.id: (("2.4.0", "2.4.1"), "fix")})[b.id]
    assert other.status == "disagree"
    assert "bisection found the fix in 2.4.1, documented 2.4.2" in other.mismatches


# ---------------------------------------------------------------- bisection range

@dataclass(frozen=True)
class FakeRelease:
    version: Version
    upload_time: datetime


def releases(*pairs):
    base = datetime(2020, 1, 1, tzinfo=timezone.utc)
    return [FakeRelease(Version(v), base + timedelta(days=d)) for v, d in pairs]


CATALOG = releases(("2.3.0", 0), ("2.3.1", 10), ("2.4.0", 20), ("2.4.1", 30), ("2.3.3", 100),
                   ("2.4.2", 101), ("2.5.0", 102), ("2.4.3", 200))


def test_backport_fix_searches_its_own_line():
    items = history.bisect_items(CATALOG, bug())
    assert [str(r.version) for r in items] == ["2.4.0", "2.4.1", "2.4.2"]


def test_mainline_fix_skips_patches_published_after_the_fix():
    b = bug(first_fixed="2.5.0", bisect_from="2.3.0")
    items = history.bisect_items(CATALOG, b)
    # 2.3.3 and 2.4.2 carry the backport (published with 2.5.0's batch, before it here):
    # kept, since they predate 2.5.0; 2.4.3 came after 2.5.0 and is dropped.
    assert "2.4.3" not in [str(r.version) for r in items]
    assert str(items[0].version) == "2.3.0" and str(items[-1].version) == "2.5.0"


# ---------------------------------------------------------------- rendering

def test_markdown_table_escapes_pipes_and_keeps_columns():
    text = history.markdown_table([{"a": "x|y", "b": "1"}, {"a": "z", "c": "3"}])
    lines = text.splitlines()
    assert lines[0] == "| a | b | c |"
    assert lines[2] == "| x\\|y | 1 |  |"
    assert lines[3] == "| z |  | 3 |"


def test_report_lists_every_bug_with_its_verdict_and_note():
    b = bug(note="explained here")
    v = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.PASS), "2.4.2": obs("2.4.2", Outcome.PASS)})
    text = history.Report([b], {b.id: v}, ["header line"]).markdown()
    assert "| tfsa_2099_001 | crash | 2.4.2 (of 2.5.0, 2.4.2) |" in text
    assert "0 agree, 1 disagree, 0 could not be measured." in text
    assert "Note: explained here" in text and "header line" in text
    row = to_json(b, v)
    assert row["verdict"] == "disagree" and row["observed"][0]["outcome"] == "pass"


# ---------------------------------------------------------------- CLI

def test_cli_parses_names_and_bisect():
    args = parser().parse_args(["reproduce", "tfsa_*", "seed", "--bisect", "--results", "/tmp/x"])
    opts = options_from(args)
    assert opts["names"] == ("tfsa_*", "seed") and opts["bisect_range"] is True


def test_unknown_bug_name_is_a_usage_error():
    with pytest.raises(UsageError, match="no historical bug named nope"):
        history.load_bugs(history.HISTORY_DIR, ["nope"])


# ---------------------------------------------------------------- the history files

HISTORY_FILES = sorted(history.HISTORY_DIR.glob("*.py"))


def test_there_are_enough_bugs_of_each_kind():
    bugs = history.load_bugs()
    kinds = [b.meta["kind"] for b in bugs]
    assert len(bugs) >= 10
    assert sum(k in ("wrong-result", "regression") for k in kinds) >= 3
    assert kinds.count("crash") >= 3


@pytest.mark.parametrize("path", HISTORY_FILES, ids=lambda p: p.stem)
def test_history_file_is_python36_with_valid_metadata(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path), feature_version=(3, 6))
    assert ast.get_docstring(tree), "each history file starts with a one-line description"
    loaded = history.load_bug(path)
    assert loaded.cases, "at least one case_<name>(tf, np)"
    names = [c.name for b in history.load_bugs() for c in b.cases]
    assert len(names) == len(set(names))
