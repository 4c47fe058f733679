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
from harness.commands.reproduce import options_from, to_json
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


def checks(b, releases=()):
    return history.checks_for(b, releases)


def test_judge_agree_disagree_unknown():
    b = bug(fixed_in=["2.4.2"])
    agree = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE"),
                                  "2.4.2": obs("2.4.2", Outcome.ERROR, "InvalidArgumentError: x")},
                              checks(b))
    assert agree.status == "agree" and agree.mismatches == ()
    disagree = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.ERROR, "E: x"),
                                     "2.4.2": obs("2.4.2", Outcome.ERROR, "E: x")}, checks(b))
    assert disagree.status == "disagree"
    assert len(disagree.mismatches) == 1
    assert disagree.mismatches[0].startswith("2.4.1 (2.4 last affected): documented affected, observed 2.4.1: error")
    unknown = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE"),
                                    "2.4.2": obs("2.4.2", Outcome.SKIP, "no interpreter")}, checks(b))
    assert unknown.status == "unknown" and "no interpreter" in unknown.mismatches[-1]


def test_a_disagreement_beats_an_unmeasured_release():
    b = bug(fixed_in=["2.4.2"])
    v = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.PASS),
                              "2.4.2": obs("2.4.2", Outcome.SKIP)}, checks(b))
    assert v.status == "disagree"


def test_a_claimed_patch_that_still_crashes_disagrees_with_the_crash_as_evidence():
    b = bug(fixed_in=["2.4.2"])
    v = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.CRASH, "SIGFPE: boom"),
                              "2.4.2": obs("2.4.2", Outcome.CRASH, "SIGABRT: Check failed: x")}, checks(b))
    assert v.status == "disagree"
    assert "2.4.2 (2.4 patched): documented fixed" in v.mismatches[0]
    assert "SIGABRT: Check failed: x" in v.mismatches[0]


def test_unsupported_says_nothing_about_the_bug():
    for when in ("pass", "no-crash", "rejects"):
        assert history.good(Outcome.UNSUPPORTED, when) is None


def test_not_observable_entries_are_listed_with_their_reason():
    b = bug(not_observable="needs a crafted TFLite model")
    assert checks(b, CATALOG) == []
    v = history.judge_bug(b, {}, [])
    assert v.status == "not observable" and v.mismatches == ("needs a crafted TFLite model",)
    text = history.Report([b], {b.id: v}).markdown()
    assert "1 not observable on a CPU" in text and "Reason: needs a crafted TFLite model" in text


def test_describe_is_short_and_explain_is_complete():
    crash = obs("2.4.1", Outcome.CRASH, "SIGFPE: Floating point exception")
    assert history.describe(crash) == "crash (SIGFPE)"
    err = obs("2.4.2", Outcome.ERROR, "InvalidArgumentError: filter depth must be positive")
    assert history.describe(err) == "error (InvalidArgumentError)"
    assert "filter depth must be positive" in history.explain(err)
    assert history.describe(obs("1.0.0", Outcome.PASS, good_when="pass")) == "pass"


# ---------------------------------------------------------------- every listed line

@dataclass(frozen=True)
class FakeRelease:
    version: Version
    upload_time: datetime


def releases(*pairs):
    base = datetime(2020, 1, 1, tzinfo=timezone.utc)
    return [FakeRelease(Version(v), base + timedelta(days=d)) for v, d in pairs]


CATALOG = releases(("2.3.0", 0), ("2.3.1", 10), ("2.4.0", 20), ("2.4.1", 30), ("2.3.3", 100),
                   ("2.4.2", 101), ("2.5.0", 102), ("2.4.3", 200), ("2.5.0rc1", 90))


def test_each_listed_fix_is_checked_with_the_last_release_before_it_on_its_line():
    b = bug(fixed_in=["2.5.0", "2.4.2", "2.3.3"])
    got = [(c.line, c.version, c.expected) for c in history.line_checks(b, CATALOG)]
    assert got == [("2.3", "2.3.1", False), ("2.3", "2.3.3", True),
                   ("2.4", "2.4.1", False), ("2.4", "2.4.2", True),
                   # 2.5.0: the newest earlier final release published before it, not itself fixed
                   ("2.5", "2.4.1", False), ("2.5", "2.5.0", True)]


def test_checks_merge_the_documented_boundary_and_the_lines_one_row_per_release():
    b = bug(fixed_in=["2.5.0", "2.4.2", "2.3.3"])
    rows = checks(b, CATALOG)
    assert [r.version for r in rows] == ["2.3.1", "2.3.3", "2.4.1", "2.4.2", "2.5.0"]
    v = history.judge_bug(b, {r.version: obs(r.version, Outcome.ERROR if r.expected else Outcome.CRASH,
                                             "x: y") for r in rows}, rows)
    assert v.status == "agree"
    table = history.table_rows([b], {b.id: v})
    assert [t["release"] for t in table] == ["2.3.1", "2.3.3", "2.4.1", "2.4.2", "2.5.0"]


def test_a_listed_release_missing_from_the_catalog_is_still_checked():
    b = bug(fixed_in=["2.5.0", "2.2.9"])
    assert ("2.2", "2.2.9", True) in [(c.line, c.version, c.expected) for c in history.line_checks(b, CATALOG)]


# ---------------------------------------------------------------- the search without the docs

SEARCH_CATALOG = releases(*[(v, i) for i, v in enumerate(
    "1.15.0 2.0.0 2.1.0 2.1.1 2.1.4 2.2.0 2.2.2 2.2.3 2.3.0 2.3.2 2.3.3 2.3.4 "
    "2.4.0 2.4.1 2.4.2 2.4.3 2.5.0 2.5.1 2.6.0 2.7.0 2.8.0".split())])


def truth(fixed, first_mainline, oldest="2.0.0"):
    def verdict(v):
        v = Version(v)
        if v < Version(oldest):
            return None  # the op does not exist yet: unsupported
        if v >= Version(first_mainline):
            return True
        return any(Version(f).release[:2] == v.release[:2] and v >= Version(f) for f in fixed)
    return verdict


def drive(search, verdict):
    probed = []
    while (v := search.next_probe()) is not None:
        assert v not in probed, "a release is never probed twice"
        probed.append(v)
        search.record(v, verdict(v))
    return probed, search.result()


def test_search_finds_the_mainline_fix_and_each_lines_backport():
    probed, found = drive(history.FixSearch(SEARCH_CATALOG),
                          truth(["2.4.2", "2.3.3", "2.2.3", "2.1.4"], "2.5.0"))
    assert found.transition == ("2.4.0", "2.5.0") and found.direction == "fix"
    assert dict(found.lines) == {"2.1": "2.1.4", "2.2": "2.2.3", "2.3": "2.3.3", "2.4": "2.4.2"}
    assert len(probed) < len(SEARCH_CATALOG)


def test_search_says_which_lines_never_got_the_fix():
    _, found = drive(history.FixSearch(SEARCH_CATALOG), truth(["2.4.2"], "2.5.0"))
    assert dict(found.lines) == {"2.1": None, "2.2": None, "2.3": None, "2.4": "2.4.2"}


def test_search_reads_no_documented_version_and_catches_a_wrong_advisory():
    b = bug(fixed_in=["2.5.0", "2.4.2"], first_fixed="2.4.2", last_affected="2.4.1")
    # reality: the fix reached 2.4 only in 2.4.3, and mainline in 2.6.0
    _, found = drive(history.FixSearch(SEARCH_CATALOG), truth(["2.4.3"], "2.6.0"))
    problems = history.search_mismatches(b, found)
    assert "--bisect found the mainline fix in 2.6.0, documented 2.5.0" in problems
    assert "--bisect: line 2.4 first fixed in 2.4.3, documented 2.4.2" in problems
    v = history.judge_bug(b, {}, [], found)
    assert v.status == "disagree"


def test_search_with_no_change_reports_none():
    _, found = drive(history.FixSearch(SEARCH_CATALOG), lambda v: True)
    assert found.transition is None and found.direction == "none"
    assert history.search_mismatches(bug(), found)  # documented 2.5.0 fix, none found


def test_search_reports_a_regression_without_searching_lines():
    _, found = drive(history.FixSearch(SEARCH_CATALOG), lambda v: Version(v) < Version("2.6.0"))
    assert found.transition == ("2.5.0", "2.6.0") and found.direction == "regression"
    assert found.lines == ()


# ---------------------------------------------------------------- rendering

def test_markdown_table_escapes_pipes_and_keeps_columns():
    text = history.markdown_table([{"a": "x|y", "b": "1"}, {"a": "z", "c": "3"}])
    lines = text.splitlines()
    assert lines[0] == "| a | b | c |"
    assert lines[2] == "| x\\|y | 1 |  |"
    assert lines[3] == "| z |  | 3 |"


def test_report_has_the_table_the_disagreements_and_the_evidence():
    b = bug(note="explained here")
    rows = checks(b)
    v = history.judge_bug(b, {"2.4.1": obs("2.4.1", Outcome.PASS), "2.4.2": obs("2.4.2", Outcome.PASS)}, rows)
    text = history.Report([b], {b.id: v}, ["header line"]).markdown()
    assert "| tfsa_2099_001 | crash | 2.4 | 2.4.1 | last affected: affected | pass | disagree |" in text
    assert "0 agree, 1 disagree" in text
    assert text.index("## Disagreements") < text.index("### tfsa_2099_001")
    assert "Evidence: 2.4.1 (2.4 last affected): documented affected, observed 2.4.1: pass" in text
    assert "Note: explained here" in text and "header line" in text
    row = to_json(b, v)
    assert row["verdict"] == "disagree" and row["checks"][0]["outcome"] == "pass"


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
    if "not_observable" in loaded.meta:
        assert not loaded.cases, "a not-observable entry runs nothing"
    else:
        assert loaded.cases, "at least one case_<name>(tf, np)"
    names = [c.name for b in history.load_bugs() for c in b.cases]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("text, fragment", [
    ('"""x"""\nBUG = {"id": "bad"}\n\ndef case_bad(tf, np):\n    return 1\n', "BUG has no 'source'"),
    ('"""x"""\nBUG = {"id": \n', "not Python 3.6 syntax"),
    ('"""x"""\nBUG = {"id": (x := 1)}\n', "not Python 3.6 syntax"),
])
def test_malformed_history_file_is_one_line_and_exit_2(tmp_path, text, fragment):
    import subprocess
    import sys

    (tmp_path / "bad.py").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "harness", "reproduce", "--history", str(tmp_path),
                           "--results", str(tmp_path / "out"), "--offline"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_documented_mainline_fix_is_checked_against_the_documented_last_affected():
    b = bug(fixed_in=["2.5.0"], first_fixed="2.5.0", last_affected="2.3.1")
    got = [(c.line, c.version, c.expected) for c in history.line_checks(b, CATALOG)]
    assert got == [("2.5", "2.3.1", False), ("2.5", "2.5.0", True)]


def test_search_steps_back_from_releases_that_cannot_express_the_case():
    # releases before 2.0.0 lack the API (unknown); the fix is in 2.5.0: a gallop that
    # jumps into the unknown range must come back and still find 2.4.0 -> 2.5.0
    catalog = releases(*[(v, i) for i, v in enumerate(
        "1.0.0 1.1.0 1.2.0 1.3.0 1.4.0 1.5.0 1.6.0 1.7.0 1.8.0 1.9.0 1.10.0 1.11.0 1.12.0 1.13.0 "
        "1.14.0 1.15.0 2.0.0 2.1.0 2.2.0 2.3.0 2.4.0 2.5.0 2.6.0 2.7.0 2.8.0 2.9.0 2.10.0 2.11.0 "
        "2.12.0 2.13.0 2.14.0 2.15.0 2.16.0".split())])
    probed, found = drive(history.FixSearch(catalog), truth([], "2.5.0"))
    assert found.transition == ("2.4.0", "2.5.0"), (probed, found)


def test_a_missing_api_is_unknown_not_fixed():
    assert history.good(Outcome.ERROR, "no-crash") is True
    seen = history.observe("1.6.0", {"c": (Outcome.ERROR, "AttributeError: module 'tensorflow' has no "
                                           "attribute 'raw_ops'")}, "no-crash")
    assert seen.good is None
    kw = history.observe("2.0.0", {"c": (Outcome.ERROR, "TypeError: conv2d() got an unexpected keyword "
                                         "argument 'explicit_paddings'")}, "no-crash")
    assert kw.good is None
    real = history.observe("2.5.0", {"c": (Outcome.ERROR, "InvalidArgumentError: bad filter")}, "no-crash")
    assert real.good is True


def test_cli_bisect_only_restricts_the_search():
    opts = options_from(parser().parse_args(["reproduce", "--bisect-only", "tfsa_2021_*", "--results", "/tmp/x"]))
    assert opts["bisect_range"] is True and opts["bisect_only"] == ("tfsa_2021_*",)
    plain = options_from(parser().parse_args(["reproduce", "--results", "/tmp/x"]))
    assert plain["bisect_range"] is False and plain["bisect_only"] == ()


def test_a_later_patch_of_a_line_with_a_listed_fix_is_not_taken_as_last_affected():
    catalog = releases(("2.3.0", 0), ("2.3.1", 10), ("2.4.0", 20), ("2.4.1", 30), ("2.4.2", 100),
                       ("2.4.3", 101), ("2.5.0", 102))
    b = bug(fixed_in=["2.5.0", "2.4.2"])
    got = [(c.line, c.version, c.expected) for c in history.line_checks(b, catalog)]
    # 2.4.3 came out before 2.5.0 but follows the listed 2.4.2 fix: 2.4.1 is the last affected
    assert ("2.5", "2.4.1", False) in got and ("2.5", "2.4.3", False) not in got
