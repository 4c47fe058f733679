"""The reporter: pure tables and transitions, renderings, and the command on
committed fixture stores (tests/fixtures/results_*).  No network.

``UPDATE_SNAPSHOTS=1 pytest tests/test_report.py`` rewrites the Markdown
snapshot after an intended change; review its diff before committing.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from packaging.version import Version

from harness import cli, facets, frameworks, heatmap, page, render, tables
from harness.commands import report as command
from harness.errors import UsageError
from harness.outcome import Outcome
from harness.results import Row
from harness.transitions import (
    NightlyRange,
    Side,
    nightly_range,
    series_transitions,
)

import reportdata  # tests/reportdata.py
from conftest import json_doc

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = FIXTURES / "report_basic.md"
XEON = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"
EPYC = "AMD EPYC 7R13 Processor"


def pairwise(items):
    items = list(items)
    return zip(items, items[1:])


def row(case: str = "c", version: str = "1.0.0", outcome: str = "pass", *, python: str = "3.6.15",
        variant: str = "default", cpu: str | None = "cpu-a", error: float | None = 0.0,
        at: float = 1.0, package: str = "tensorflow", detail: str = "") -> Row:
    return Row(case=case, package=package, version=version, python=python, variant=variant,
               outcome=Outcome(outcome), max_abs_error=error, detail=detail,
               machine={"cpu": cpu} if cpu is not None else {}, recorded_at=at)


def merged(*stores: list[Row]) -> pd.DataFrame:
    return tables.merge([tables.frame(rows, source=n) for n, rows in enumerate(stores)])


def build(*stores: list[Row]) -> tables.Report:
    return tables.build(merged(*stores), package="tensorflow")


def sides(spec: str) -> list[Side]:
    """``"2.3.0:pass 2.3.1:skip"`` -> sides (error 0 for pass, 1 otherwise)."""
    out = []
    for item in spec.split():
        version, outcome = item.split(":")
        out.append(Side(version, Version(version), Outcome(outcome), 0.0 if outcome == "pass" else 1.0))
    return out


def found(spec: str) -> list[tuple]:
    """Transitions of a spec as (kind, old, new, outcomes, (backport old, new)...)."""
    return [(t.kind, t.old.release, t.new.release, f"{t.old.outcome}->{t.new.outcome}",
             tuple((c.old.release, c.new.release) for c in t.also))
            for t in series_transitions("c", "default", "m", sides(spec))]


# --- frame, merge, select -------------------------------------------------------------------

def test_frame_keeps_inf_none_and_unknown_machine():
    df = tables.frame([row(error=float("inf")), row(version="1.0.1", error=None, cpu=None)])
    assert list(df.columns) == tables.COLUMNS
    assert df["max_abs_error"].iloc[0] == float("inf")
    assert pd.isna(df["max_abs_error"].iloc[1])
    assert list(df["machine"]) == ["cpu-a", tables.UNKNOWN_MACHINE]


def test_frame_of_nothing_has_the_columns():
    assert list(tables.frame([]).columns) == tables.COLUMNS
    assert tables.merge([]).empty


def test_merge_newest_recording_wins_then_later_store():
    newer = merged([row(outcome="wrong", at=2.0)], [row(outcome="pass", at=1.0)])
    assert list(newer["outcome"]) == ["wrong"]
    tie = merged([row(outcome="wrong", at=1.0)], [row(outcome="pass", at=1.0)])
    assert list(tie["outcome"]) == ["pass"]


def test_merge_keeps_machines_variants_and_interpreters_apart():
    df = merged([row(cpu="a"), row(cpu="b"), row(variant="onednn-off"), row(python="3.7.9")])
    assert len(df) == 4


def test_merge_drops_interpreterless_skip_superseded_by_a_measurement():
    df = merged([row(python="", outcome="skip", at=5.0), row(python="3.6.15", outcome="pass", at=1.0),
                 row(case="d", python="", outcome="skip")])
    assert sorted(zip(df["case"], df["outcome"])) == [("c", "pass"), ("d", "skip")]


def test_select_filters_package_range_versions_and_case_globs():
    df = merged([row(case=c, version=v) for c in ("conv1d_a", "conv2d_b") for v in
                 ("1.9.0", "1.10.0", "2.0.0")] + [row(package="tf-nightly", version="2.1.0.dev20200101")])
    assert len(tables.select(df, package="tensorflow")) == 6
    assert set(tables.select(df, package="tensorflow", from_="1.10.0")["version"]) == {"1.10.0", "2.0.0"}
    assert set(tables.select(df, package="tensorflow", to="1.10")["version"]) == {"1.9.0", "1.10.0"}
    assert set(tables.select(df, package="tensorflow", versions=["2.0"])["version"]) == {"2.0.0"}
    assert set(tables.select(df, package="tensorflow", case_patterns=["conv1d*"])["case"]) == {"conv1d_a"}
    assert len(tables.select(df, package="tf-nightly")) == 1


def test_select_says_what_the_stores_hold():
    df = merged([row(package="tensorflow-cpu")])
    with pytest.raises(UsageError, match="no stored rows of tensorflow; the stores hold tensorflow-cpu"):
        tables.select(df, package="tensorflow")
    with pytest.raises(UsageError, match="match the --from/--to"):
        tables.select(df, package="tensorflow-cpu", from_="3.0")


# --- labels, grid, collapsing ---------------------------------------------------------------

def test_grid_orders_releases_by_version_not_text():
    report = build([row(version=v) for v in ("1.10.0", "1.9.0", "1.2.0", "0.12.1")])
    assert report.releases == ["0.12.1", "1.2.0", "1.9.0", "1.10.0"]


def test_a_release_measured_with_two_interpreters_gets_two_columns():
    report = build([row(version="1.13.1", python="3.10.1", outcome="wrong"),
                    row(version="1.13.1", python="3.9.7"), row(version="1.12.0")])
    assert report.releases == ["1.12.0", "1.13.1 py3.9", "1.13.1 py3.10"]
    assert [(t.old.release, t.new.release) for t in report.transitions] == [("1.13.1 py3.9", "1.13.1 py3.10")]


def test_grid_marks_unmeasured_cells_empty():
    report = build([row(case="a", version="1.0.0"), row(case="b", version="1.1.0", outcome="wrong")])
    assert report.grid.loc[("a", "default", "cpu-a")].tolist() == ["pass", ""]
    assert report.grid.loc[("b", "default", "cpu-a")].tolist() == ["", "wrong"]


def _grid(columns: list[str], rows: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([(r, "default", "m") for r in rows], names=tables.KEYS)
    return pd.DataFrame(index=index, columns=columns, dtype=object)


def test_collapse_merges_only_consecutive_identical_columns():
    grid = _grid(["1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.3.0"], ["a", "b"])
    grid.loc[:] = [["pass", "pass", "wrong", "pass", "pass"], ["skip", "skip", "pass", "skip", "skip"]]
    table = tables.collapse(grid)
    assert list(table.columns) == ["1.0.0-1.0.1", "1.1.0", "1.2.0-1.3.0"]
    assert table.loc[("a", "default", "m")].tolist() == ["pass", "wrong", "pass"]


@pytest.mark.parametrize("seed", range(40))
def test_collapse_is_lossless_and_maximal(seed):
    rng = random.Random(seed)
    n_cols = rng.randint(1, 12)
    grid = _grid([f"1.{i}.0" for i in range(n_cols)], [f"c{i}" for i in range(rng.randint(1, 4))])
    grid.loc[:] = [[rng.choice(["pass", "wrong", ""]) for _ in range(n_cols)] for _ in grid.index]
    groups = tables.runs(grid)
    assert [c for g in groups for c in g] == list(grid.columns)
    table = tables.collapse(grid)
    for label, group in zip(table.columns, groups):
        assert label == tables.range_label(group)
        for member in group:
            assert grid[member].tolist() == table[label].tolist()
    for left, right in pairwise(table.columns):
        assert table[left].tolist() != table[right].tolist()


# --- transitions ----------------------------------------------------------------------------

def test_one_change_between_lines():
    assert found("1.0.0:wrong 1.0.1:wrong 1.1.0:pass 1.2.0:pass") == [
        ("line", "1.0.0", "1.1.0", "wrong->pass", ())]


def test_backports_are_one_transition_not_a_zigzag():
    spec = ("2.3.0:pass 2.3.1:pass 2.3.2:pass 2.3.3:wrong 2.3.4:wrong "
            "2.4.0:pass 2.4.1:pass 2.4.2:wrong 2.5.0:wrong 2.5.1:wrong 2.6.0:wrong")
    assert found(spec) == [("line", "2.4.0", "2.5.0", "pass->wrong",
                            (("2.4.1", "2.4.2"), ("2.3.2", "2.3.3")))]
    (t,) = series_transitions("c", "default", "m", sides(spec))
    assert t.headline() == "changed in 2.5.0; also in 2.4.2, 2.3.3"


def test_patch_release_fix_before_the_next_line_is_named_both_ways():
    # 1.0.1 may well have come out before 1.1.0: versions cannot tell, so both are named
    (t,) = series_transitions("c", "default", "m", sides("1.0.0:wrong 1.0.1:pass 1.1.0:pass"))
    assert t.headline() == "changed in 1.1.0; also in 1.0.1"


def test_a_patch_only_regression_stays_its_own_transition():
    assert found("2.5.0:pass 2.5.1:wrong 2.6.0:pass") == [("patch", "2.5.0", "2.5.1", "pass->wrong", ())]


def test_a_patch_change_in_the_newest_line_is_not_a_backport_of_it():
    assert found("2.4.0:pass 2.5.0:wrong 2.5.1:pass 2.5.2:wrong") == [
        ("line", "2.4.0", "2.5.0", "pass->wrong", ()),
        ("patch", "2.5.0", "2.5.1", "wrong->pass", ()),
        ("patch", "2.5.1", "2.5.2", "pass->wrong", ())]


def test_backport_goes_to_the_nearest_newer_line_with_the_same_change():
    spec = "2.3.0:pass 2.3.1:wrong 2.4.0:pass 2.5.0:wrong 2.6.0:pass 2.7.0:wrong"
    assert found(spec) == [("line", "2.4.0", "2.5.0", "pass->wrong", (("2.3.0", "2.3.1"),)),
                           ("line", "2.5.0", "2.6.0", "wrong->pass", ()),
                           ("line", "2.6.0", "2.7.0", "pass->wrong", ())]


def test_skips_are_stepped_over_and_listed_as_unmeasured():
    spec = "2.3.0:pass 2.3.1:skip 2.3.2:wrong 2.4.0:pass 2.4.1:skip 2.5.0:skip 2.5.1:wrong"
    (t,) = series_transitions("c", "default", "m", sides(spec))
    assert (t.old.release, t.new.release, t.change.unmeasured) == ("2.4.0", "2.5.1", ("2.5.0",))
    assert [(c.old.release, c.new.release, c.unmeasured) for c in t.also] == [("2.3.0", "2.3.2", ("2.3.1",))]
    assert "(unmeasured between: 2.5.0)" in t.text()


def test_a_skipped_line_between_heads_is_unmeasured():
    (t,) = series_transitions("c", "default", "m", sides("1.1.0:pass 1.2.0:skip 1.2.1:skip 1.3.0:wrong"))
    assert t.change.unmeasured == ("1.2.0", "1.2.1")


@pytest.mark.parametrize("spec", ["", "1.0.0:pass", "1.0.0:skip 1.1.0:skip", "1.0.0:pass 1.1.0:skip 1.2.0:pass"])
def test_nothing_to_report(spec):
    assert found(spec) == []


def _naive(series: list[Side]) -> list[tuple[str, str]]:
    measured = [s for s in sorted(series, key=lambda s: s.version) if s.outcome is not Outcome.SKIP]
    return [(a.release, b.release) for a, b in pairwise(measured) if a.outcome != b.outcome]


@pytest.mark.parametrize("n", range(1, 9))
def test_without_patch_releases_it_is_the_plain_walk(n):
    """With one release per line there is nothing to backport: every change
    of the version-order walk over measured releases is reported, in order."""
    versions = [f"1.{minor}.0" for minor in range(n)]
    for outcomes in itertools.product(["pass", "wrong", "skip"], repeat=n):
        series = [Side(v, Version(v), Outcome(o)) for v, o in zip(versions, outcomes)]
        got = series_transitions("c", "default", "m", series)
        assert [(t.old.release, t.new.release) for t in got] == _naive(series)
        assert all(not t.also for t in got)


@pytest.mark.parametrize("seed", range(200))
def test_every_change_is_reported_once_and_backports_match(seed):
    """Random lines with patch releases: each within-line change is either its
    own transition or a backport of a same-direction change into a newer line."""
    rng = random.Random(seed)
    series = [Side(v, Version(v), Outcome(rng.choice(["pass", "wrong", "error", "skip"])))
              for minor in range(rng.randint(1, 5)) for patch in range(rng.randint(1, 4))
              for v in [f"2.{minor}.{patch}"]]
    got = series_transitions("c", "default", "m", series)
    by_line: dict[tuple, list[Side]] = {}
    for s in series:
        if s.outcome is not Outcome.SKIP:
            by_line.setdefault(s.line, []).append(s)
    heads = [members[0] for members in by_line.values()]
    expected = {(a.release, b.release) for members in [heads, *by_line.values()]
                for a, b in pairwise(members) if a.outcome != b.outcome}
    reported = [(c.old.release, c.new.release) for t in got for c in (t.change, *t.also)]
    assert sorted(reported) == sorted(expected)
    for t in got:
        assert t.kind == ("line" if t.old.line != t.new.line else "patch")
        for backport in t.also:
            assert backport.outcomes == t.change.outcomes
            assert backport.new.line < t.new.line


# --- hand-off: compare links and nightly ranges ----------------------------------------------

def compare_url(package, old, new):
    return frameworks.lookup(package).compare(package, old, new)


def tag(version):
    return frameworks.TENSORFLOW.tag(version)


def test_compare_url_uses_release_tags():
    assert compare_url("tensorflow", Version("1.0.0"), Version("1.0.1")) == \
        "https://github.com/tensorflow/tensorflow/compare/v1.0.0...v1.0.1"
    assert tag(Version("2.5.0rc1")) == "v2.5.0-rc1"
    assert compare_url("tensorflow-cpu", Version("2.4.0"), Version("2.5.0")).endswith("v2.4.0...v2.5.0")
    assert compare_url("tf-nightly", Version("2.4.0"), Version("2.5.0")) is None
    assert compare_url("tensorflow", Version("2.5.0.dev20210101"), Version("2.5.0")) is None


DAY = datetime(2024, 1, 1, tzinfo=timezone.utc)
NIGHTLIES = [(f"2.16.0.dev202401{d:02d}", DAY + timedelta(days=d - 1, hours=5)) for d in range(1, 11)]


def test_nightly_range_brackets_the_interval():
    got = nightly_range(reversed(NIGHTLIES), DAY + timedelta(days=2, hours=12), DAY + timedelta(days=5))
    assert got == NightlyRange("2.16.0.dev20240103", "2.16.0.dev20240106",
                               tuple(f"2.16.0.dev202401{d:02d}" for d in range(3, 7)))


def test_nightly_range_ignores_builds_without_upload_time():
    got = nightly_range([*NIGHTLIES, ("2.16.0.dev20231231", None)], DAY + timedelta(days=2), DAY + timedelta(days=3))
    assert got.first == "2.16.0.dev20240102"


def test_nightly_range_includes_builds_at_the_exact_upload_times():
    got = nightly_range(NIGHTLIES, NIGHTLIES[1][1], NIGHTLIES[3][1])
    assert (got.first, got.last, len(got.nightlies)) == ("2.16.0.dev20240102", "2.16.0.dev20240104", 3)


@pytest.mark.parametrize("old, new", [(DAY, DAY + timedelta(days=3)),  # older than the oldest kept
                                      (DAY + timedelta(days=3), DAY + timedelta(days=30))])  # too new
def test_nightly_range_none_when_not_covered(old, new):
    assert nightly_range(NIGHTLIES, old, new) is None
    assert nightly_range([], old, new) is None


def test_nightly_range_rejects_reversed_dates():
    with pytest.raises(ValueError):
        nightly_range(NIGHTLIES, DAY + timedelta(days=5), DAY + timedelta(days=2))


# --- renderings -----------------------------------------------------------------------------

def test_summary_lists_every_transition_with_its_compare_links():
    report = tables.build(command.load([FIXTURES / "results_basic"]), package="tensorflow")
    text = render.summary(report)
    assert ("depthwise_backport: changed in 2.5.0; also in 2.4.1, 2.3.2: pass in 2.4.0 -> wrong in 2.5.0, "
            "max abs error 2.4e-07 -> 12.5") in text
    for pair in ("v2.4.0...v2.5.0", "v2.4.0...v2.4.1", "v2.3.0...v2.3.2", "v1.0.0...v1.1.0"):
        assert f"https://github.com/tensorflow/tensorflow/compare/{pair}" in text
    assert "skipped 1.2.0: no interpreter with a cp36 wheel here" in text
    assert "3 transition(s) in 3 of 4 case series:" in text


def test_csv_has_the_full_index_and_the_ranges():
    report = tables.build(command.load([FIXTURES / "results_xeon", FIXTURES / "results_epyc"]),
                          package="tensorflow")
    table = pd.read_csv(StringIO(render.csv(report)), index_col=[0, 1, 2])
    assert list(table.columns) == ["2.9.0", "2.10.0-2.11.0"]
    assert table.loc[("conv2d_onednn", "default", XEON)].tolist() == ["pass", "wrong"]
    assert table.loc[("conv2d_onednn", "default", EPYC)].tolist() == ["pass", "pass"]


def page_parts(page: str) -> tuple[dict, list[dict]]:
    """The page's JSON block and the attributes of its table rows."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cells, self.in_body = [], [], False

        def handle_starttag(self, tag, attrs):
            if tag == "tbody":
                self.in_body = True
            elif tag == "tr" and self.in_body:
                self.rows.append(dict(attrs) | {"cells": []})
            elif tag == "td" and self.in_body:
                self.rows[-1]["cells"].append(dict(attrs))

    parser = Rows()
    parser.feed(page)
    start = page.index('<script type="application/json" id="data">') + len('<script type="application/json" id="data">')
    return json.loads(page[start:page.index("</script>", start)]), parser.rows


@pytest.fixture(scope="module")
def basic_report() -> tables.Report:
    return tables.build(command.load([FIXTURES / "results_basic"]), package="tensorflow")


def test_html_is_self_contained(basic_report):
    page = render.html_page(basic_report, png=b"\x89PNG fake")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    # nothing fetched: no stylesheets, no script files, no remote images or fonts, no requests
    for needle in ("<link", "<script src", "src=\"http", "url(", "@import", "fetch(", "XMLHttpRequest",
                   "<!--", "/*CELLS*/"):
        assert needle not in page, needle
    assert page.count("<script") == 2 and 'src="data:image/png;base64,iVBORyBmYWtl"' in page
    assert 'title="2.4.1, 2.5.0, 2.6.0">2.4.1-2.6.0</th>' in page
    # the header: machine, interpreter per release, harness version, dates
    assert "<dt>machine</dt><dd>Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz</dd>" in page
    assert ("<dt>interpreters</dt><dd>3.6.15: 1.0.0 .. 1.1.0; none recorded: 1.2.0; "
            "3.8.18: 2.3.0 .. 2.6.0</dd>") in page
    assert "<dt>harness</dt><dd>0.1.0 (this page)</dd>" in page and "<dt>recorded</dt>" in page


def test_html_table_rows_carry_their_facets_and_merge_equal_cells(basic_report):
    data, rows = page_parts(render.html_page(basic_report))
    by_key = {r["data-key"]: r for r in rows}
    assert list(by_key) == ["conv1d_api", "conv1d_nan", "depthwise_backport", "stable_conv2d"]
    assert by_key["stable_conv2d"]["data-changes"] == "0" and by_key["conv1d_nan"]["data-changes"] == "1"
    assert by_key["conv1d_nan"]["data-outcomes"] == "pass wrong skip"
    # 8 range columns; stable_conv2d is pass x2, skip, pass, skip, pass x3 in 5 cells
    assert [c.get("colspan", "1") for c in by_key["stable_conv2d"]["cells"]] == ["2", "1", "1", "1", "3"]
    assert sum(int(c.get("colspan", 1)) for c in by_key["depthwise_backport"]["cells"]) == 8
    assert data["facets"]["outcome"] == ["pass", "wrong", "unsupported", "skip"]
    assert data["facets"]["op"] == ["other"]  # fixture names are not of the suite's scheme


def test_html_data_runs_are_the_grid_and_transitions_point_at_releases(basic_report):
    data, _ = page_parts(render.html_page(basic_report))
    assert data["releases"] == basic_report.releases
    assert data["tags"][0] == "v1.0.0" and data["compare"].format(old="a", new="b").endswith("/compare/a...b")
    for (case, _, _), values in basic_report.grid.iterrows():
        runs = data["rows"][case]["runs"]
        assert [r[1] for r in runs] == [0] + [r[2] + 1 for r in runs[:-1]] and runs[-1][2] == len(values) - 1
        assert [o for r in runs for o in [r[0]] * (r[2] - r[1] + 1)] == list(values)
    nan = data["rows"]["conv1d_nan"]
    assert nan["runs"][0][:4] == ["wrong", 0, 1, "5.3e+37"]
    (t,) = data["rows"]["depthwise_backport"]["t"]
    index = basic_report.releases.index
    assert t[:4] == [index("2.4.0"), index("2.5.0"), "2.4e-07", "12.5"]
    assert [a[:2] for a in t[5]] == [[index("2.4.0"), index("2.4.1")], [index("2.3.0"), index("2.3.2")]]
    api = data["rows"]["conv1d_api"]["t"][0]
    assert api[4] == [index("1.2.0")]  # unmeasured between


def test_reproduce_names_the_case_both_releases_and_the_series_options(basic_report):
    t = next(t for t in basic_report.transitions if t.case == "depthwise_backport")
    assert page.reproduce(basic_report, t) == (
        "python -m harness scan --case depthwise_backport --versions 2.4.0,2.5.0 --force\n"
        "python -m harness bisect --case depthwise_backport --from 2.4.0 --to 2.5.0")
    assert page.reproduce_extra(basic_report, "onednn-off") == " --variant onednn-off=VAR=VALUE"


@pytest.fixture(scope="module")
def big_report() -> tables.Report:
    return tables.build(tables.merge([tables.frame(reportdata.synthetic_rows(100, 150))]),
                        package="tensorflow")


def test_html_stays_small_for_100_releases_x_150_cases(big_report):
    """The page without its picture (the heatmap PNG adds ~150-250 KB, see the README)."""
    assert big_report.grid.shape == (150, 100)
    size = len(render.html_page(big_report).encode())
    print(f"report.html without heatmap, 100 releases x 150 cases: {size / 1000:.0f} kB")
    assert size < 250_000


def test_facets_from_the_suite_then_the_name():
    assert facets.of("seed_conv2d") == facets.Facets("conv2d", "float32", "NHWC")
    assert facets.of("conv2d_transpose_nchw_same_stride2_f32") == facets.Facets(
        "conv2d_transpose", "float32", "NCHW")
    assert facets.of("depthwise_conv2d_nhwc_new_case_bf16") == facets.Facets(
        "depthwise_conv2d", "bfloat16", "NHWC")
    assert facets.of("tfsa_2021_006") == facets.Facets("other", "other", "other")


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_pass_is_pale_wrong_and_crash_strong():
    fill = {o: heatmap.PALETTE[o][0] for o in heatmap.PALETTE}
    assert luminance(fill["pass"]) > 0.85
    assert luminance(fill["wrong"]) < 0.45 and luminance(fill["crash"]) < 0.1
    assert all(luminance(fill[o]) > luminance(fill["wrong"]) for o in ("error", "unsupported", "skip", ""))


def grid_of(spec: dict[str, str], machines=("cpu",)) -> pd.DataFrame:
    """``{"conv2d_nhwc_a_f32": "pwwp"}`` -> a grid (p pass, w wrong, c crash, s skip, u unsupported)."""
    names = {"p": "pass", "w": "wrong", "c": "crash", "s": "skip", "u": "unsupported", "-": ""}
    index = pd.MultiIndex.from_tuples([(case, "default", m) for case in spec for m in machines],
                                      names=tables.KEYS)
    width = len(next(iter(spec.values())))
    return pd.DataFrame([[names[ch] for ch in spec[case]] for case, _, _ in index], index=index,
                        columns=[f"1.{i}.0" for i in range(width)])


def test_heatmap_lines_group_by_op_and_collapse_constant_rows():
    grid = grid_of({"conv2d_nhwc_b_f32": "pppp", "conv1d_nwc_a_f32": "pppp", "conv2d_nhwc_a_f32": "ppwp",
                    "conv2d_nhwc_c_f32": "psps", "conv2d_nhwc_d_f32": "uuuu", "conv1d_nwc_b_f32": "uupp"})
    lines = heatmap.lines(grid, {"cpu": "m1"})
    assert [(line.op, line.label, line.cases) for line in lines] == [
        ("conv1d", "conv1d_nwc_b_f32", 1),
        ("conv1d", "conv1d_nwc_a_f32", 1),  # a single constant case keeps its name
        ("conv2d", "conv2d_nhwc_a_f32", 1),
        ("conv2d", "+2 always pass", 2),  # skips do not make a change
        ("conv2d", "conv2d_nhwc_d_f32", 1)]
    assert lines[3].values == ("pass", "pass", "pass", "pass")
    every = heatmap.lines(grid, {"cpu": "m1"}, changes_only=False)
    assert [line.label for line in every] == ["conv1d_nwc_a_f32", "conv1d_nwc_b_f32", "conv2d_nhwc_a_f32",
                                              "conv2d_nhwc_b_f32", "conv2d_nhwc_c_f32", "conv2d_nhwc_d_f32"]


def test_heatmap_marks_majors_and_lines_and_thins_compact_labels():
    columns = ["0.12.1", "1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "2.0.0", "2.0.1", "2.1.0"]
    major, minor = heatmap._starts(columns)
    assert major == [1, 6] and minor == [3, 4, 8]
    assert heatmap._labelled(len(columns), major, minor, gap=2) == [1, 3, 6, 8]
    assert heatmap._labelled(len(columns), major, minor, gap=1) == [0, 1, 3, 4, 6, 8]


def test_heatmap_png_scales_with_the_grid(tmp_path):
    rng = random.Random(0)
    versions = [f"{major}.{minor}.{patch}" for major in (1, 2) for minor in range(17) for patch in range(4)][:130]
    index = pd.MultiIndex.from_tuples(
        [(f"case_{i:02d}", variant, "cpu") for i in range(35) for variant in ("default", "onednn-off")],
        names=tables.KEYS)
    grid = pd.DataFrame([[rng.choice(list(heatmap.PALETTE)) for _ in versions] for _ in index],
                        index=index, columns=versions)
    big = heatmap.draw(grid, tmp_path / "big.png", title="t", machines={"cpu": "m1"}, changes_only=False)
    small = heatmap.draw(grid.iloc[:2, :3], tmp_path / "small.png", title="t", machines={"cpu": "m1"})
    compact = heatmap.draw(grid.iloc[:4, :20], tmp_path / "compact.png", title="t", machines={"cpu": "m1"},
                           compact=True)
    from PIL import Image

    big_px, small_px, compact_px = (Image.open(p).size for p in (big, small, compact))
    assert big.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert big_px[0] > 2000 and big_px[1] > 1500  # ~0.13 in per release at 130 dpi
    assert small_px[0] < 1000 and small_px[1] < 600
    assert compact_px[0] == 1600  # 8 in at 200 dpi: legible shown 800 px wide
    assert heatmap.row_labels(grid.index[:2], {"cpu": "m1"}) == ["case_00 [default]", "case_00 [onednn-off]"]


def test_compact_heatmap_of_the_full_history_draws_wrong_and_crash(tmp_path):
    """The committed 101 x 124 table: a changes-only picture with every strong colour in it."""
    report = tables.build(tables.merge([tables.frame(reportdata.real_rows())]), package="tensorflow")
    assert report.grid.shape == (124, 101)
    lines = heatmap.lines(report.grid, report.machines)
    assert len(lines) < 100 and sum(line.cases for line in lines) == 124
    from PIL import Image

    path = heatmap.draw(report.grid, tmp_path / "c.png", title="t", machines=report.machines, compact=True)
    colours = {c for _, c in Image.open(path).convert("RGB").getcolors(1 << 16)}
    for outcome in ("pass", "wrong", "crash", "error", "unsupported"):
        fill = heatmap.PALETTE[outcome][0]
        assert tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5)) in colours, outcome


# --- the command ----------------------------------------------------------------------------

def run_cli(*argv: str) -> int:
    return cli.main(["report", *argv])


def test_markdown_snapshot(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES)
    assert run_cli("--results", "results_basic", "--output", str(tmp_path)) == 0
    got = (tmp_path / "report.md").read_text()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(got)
    assert got == SNAPSHOT.read_text()
    assert "wrote " in capsys.readouterr().out


def test_writes_every_file_into_the_first_store_by_default(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIXTURES / "results_basic", tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    assert run_cli("-q") == 0
    for name in command.FILES:
        assert (tmp_path / "results" / name).stat().st_size > 300, name
    png = (tmp_path / "results" / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(png) < 2_000_000
    assert not list((tmp_path / "results").glob(".*tmp*"))
    out = capsys.readouterr().out
    assert out.startswith("tensorflow: 11 releases (1.0.0 .. 2.6.0), 4 cases, 44 rows\n")


def test_merges_machines_and_variants_and_writes_json(tmp_path, capsys):
    out_json = tmp_path / "rows.json"
    assert run_cli("--results", str(FIXTURES / "results_xeon"), "--results", str(FIXTURES / "results_epyc"),
                   "--output", str(tmp_path), "--json", str(out_json)) == 0
    rows = json_doc(out_json, "report")["rows"]
    assert len(rows) == 24
    assert set(rows[0]) == {"case", "package", "version", "python", "variant", "outcome",
                            "max_abs_error", "detail", "machine"}
    assert {r["machine"] for r in rows} == {XEON, EPYC}
    assert {r["variant"] for r in rows} == {"default", "onednn-off"}
    text = capsys.readouterr().out
    assert "machines: m1 = AMD EPYC 7R13 Processor; m2 = Intel(R) Xeon(R)" in text
    assert "conv2d_onednn [default, m2]: changed in 2.10.0: pass in 2.9.0 -> wrong in 2.10.0" in text
    md = (tmp_path / "report.md").read_text()
    assert "| case | variant | machine | 2.9.0 | 2.10.0-2.11.0 |" in md
    assert "| conv2d_onednn | default | m2 | pass | wrong |" in md


def test_json_rows_keep_inf_and_null(tmp_path):
    out_json = tmp_path / "rows.json"
    assert run_cli("--results", str(FIXTURES / "results_basic"), "--output", str(tmp_path),
                   "--json", str(out_json), "--case", "depthwise_backport", "-q") == 0
    errors = {r["version"]: r["max_abs_error"] for r in json_doc(out_json, "report")["rows"]}
    assert errors["2.6.0"] == "inf" and errors["1.2.0"] is None and errors["2.5.0"] == 12.5


def test_refuses_a_store_of_another_schema_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES)
    code = run_cli("--results", "results_basic", "results_old_schema", "--output", str(tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("error: --results results_old_schema: results_old_schema/runs/tensorflow/1.0.0/"
                   "py3.6--default.json has schema 0, this harness reads schema 1; report that store "
                   "with the harness version that wrote it, or rescan\n")
    assert not (tmp_path / "report.md").exists()


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such folder"),
    (lambda p: p.mkdir(), "no stored rows"),
])
def test_missing_or_empty_store_is_a_usage_error(tmp_path, capsys, make, message):
    make(tmp_path / "store")
    assert run_cli("--results", str(tmp_path / "store")) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_package_names_what_is_stored(capsys):
    assert run_cli("--results", str(FIXTURES / "results_basic"), "--package", "tf-nightly") == 2
    assert "no stored rows of tf-nightly; the stores hold tensorflow" in capsys.readouterr().err


def test_results_option_other_commands_keep_one_folder():
    args = cli.parser().parse_args(["scan", "--results", "elsewhere"])
    cfg = cli.config_from(args)
    assert cfg.results_dir == Path("elsewhere") and cfg.results_dirs == (Path("elsewhere"),)
    assert cli.config_from(cli.parser().parse_args(["bisect"])).results_dir == Path("results")
    with pytest.raises(SystemExit) as exc:
        cli.parser().parse_args(["scan", "--results", "a", "b"])
    assert exc.value.code == 2


def test_results_option_of_report_takes_several_folders():
    cfg = cli.config_from(cli.parser().parse_args(["report", "--results", "a", "b", "--results", "c"]))
    assert cfg.results_dirs == (Path("a"), Path("b"), Path("c")) and cfg.results_dir == Path("a")
    assert cfg.report_dir is None
    cfg = cli.config_from(cli.parser().parse_args(["report", "--output", "out"]))
    assert cfg.results_dirs == (Path("results"),) and cfg.report_dir == Path("out")
