"""bisect over patch lines, for real: fake wheels in real uv environments.

1.5.0 accepts integer strides; 1.3.2 got it as a backport; 1.1.1 never did.
Version order would report 1.3.1 -> 1.3.2 (a backport pair) as the change.
"""

from __future__ import annotations

import os

import pytest

from harness.cli import main

from fakeflow import PATCH_VERSIONS, build_wheels
from conftest import json_doc
from test_pipeline import USER_CASE

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("lines")
    built = build_wheels(root / "wheels", PATCH_VERSIONS)
    # upload times (a folder's are its files' times), in release order; 1.1.1 and 1.3.2
    # come out with 1.5.0, after 1.3.0: candidates for a backport
    day = 86400
    for wheel, when in zip(built, (0, 50, 10, 30, 60, 60)):
        os.utime(wheel, (1_600_000_000 + when * day,) * 2)
    (root / "user.py").write_text(USER_CASE)
    return root


def bisect(world, *extra):
    out = world / f"bisect{len(extra)}.json"
    code = main(["bisect", "--package", "fakeflow", "--find-links", str(world / "wheels"),
                 "--cache-dir", str(world / "cache"), "--results", str(world / "results"),
                 "--cases", str(world / "user.py"), "--case", "int_strides", "--timeout", "20",
                 "--json", str(out), "-q", *extra])
    assert code == 0
    (report,) = json_doc(out, "bisect")["cases"]
    return report


def test_bisect_reports_the_mainline_transition_and_each_lines_first_release(world, capsys):
    report = bisect(world)
    assert report["transition"]["from"] == "1.3.0" and report["transition"]["to"] == "1.5.0"
    by_line = {a["line"]: a for a in report["lines"]}
    assert by_line["1.3"] == {"line": "1.3", "status": "backport", "first_new": "1.3.2", "checked": "1.3.2"}
    assert by_line["1.1"] == {"line": "1.1", "status": "never", "first_new": None, "checked": "1.1.1"}
    line_probes = {p["version"] for p in report["probes"] if p.get("line")}
    assert {"1.1.1", "1.3.2"} <= line_probes and "1.5.0" not in line_probes
    out = capsys.readouterr().out  # the table wraps its note column: its text is tested in test_lines
    assert "1.3.0" in out and "1.5.0" in out and "1.3.2" in out


def test_no_lines_is_version_order_and_finds_the_backport_pair(world):
    report = bisect(world, "--no-lines")
    assert (report["transition"]["from"], report["transition"]["to"]) == ("1.3.1", "1.3.2")
    assert report["lines"] == []
