"""``matrix``: the GitHub Actions matrix of scan shards (committed PyPI fixture, fake wheels)."""

from __future__ import annotations

import json
import sys

import pytest

from harness import shard
from harness.cli import main
from harness.commands.matrix import ci_interpreters, entries
from harness.releases import Catalog, parse_simple_json

from fakeflow import VERSIONS, build_wheels
from conftest import json_doc

NOX_LIST_JSON_FIELDS = {"session", "name", "description", "python", "tags", "call_spec"}

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="wheel matching uses this platform's tags; fixture is Linux-centred")


@pytest.fixture
def tf_releases(tf_page):
    return Catalog("tensorflow", parse_simple_json("tensorflow", tf_page), "fixture").releases


def test_entries_cover_every_release_once_with_the_pythons_it_needs(tf_releases):
    include = entries(tf_releases, 3, ci_interpreters(), package="tensorflow")
    assert [e["shard"] for e in include] == ["1/3", "2/3", "3/3"]
    versions = [v for e in include for v in e["versions"].split(",")]
    assert sorted(versions) == sorted(str(r) for r in tf_releases) and len(set(versions)) == len(versions)
    for entry in include:
        assert NOX_LIST_JSON_FIELDS <= set(entry)
        assert entry["name"] == "scan" and entry["call_spec"] == {"shard": entry["shard"]}
        assert entry["slug"] == entry["shard"].replace("/", "-of-")
        assert entry["count"] == len(entry["versions"].split(","))
    by_version = {v: e for e in include for v in e["versions"].split(",")}
    assert "3.6" in by_version["1.0.1"]["python"]  # cp36 wheels from 0.12.1 to 2.6
    assert "3.9" in by_version["2.16.2"]["python"]  # the oldest interpreter with a wheel wins
    assert all(e["python"] == sorted(e["python"], key=lambda v: tuple(map(int, v.split("."))))
               for e in include)


def test_entries_are_the_split_scan_computes(tf_releases):
    include = entries(tf_releases, 3, ci_interpreters(), package="tensorflow")
    for entry in include:
        mine = shard.select(tf_releases, shard.parse(entry["shard"]))
        assert entry["versions"] == ",".join(map(str, mine))
        assert entry["cost"] == round(sum(map(shard.cost, mine)))


def test_empty_shards_are_left_out(tf_releases):
    include = entries(tf_releases[:2], 4, ci_interpreters(), package="tensorflow")
    assert [e["shard"] for e in include] == ["1/4", "2/4"]


def test_cli_prints_one_line_of_json(tmp_path, capsys):
    build_wheels(tmp_path / "wheels")
    out = tmp_path / "matrix.json"
    assert main(["matrix", "--shards", "2", "--package", "fakeflow", "--find-links",
                 str(tmp_path / "wheels"), "--cache-dir", str(tmp_path / "cache"), "-q",
                 "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert len(printed.strip().splitlines()) == 1
    matrix = json.loads(printed)  # GitHub's matrix shape on stdout; the --json file is versioned
    assert matrix["include"] == json_doc(out, "matrix")["include"] and set(matrix) == {"include"}
    assert [e["count"] for e in matrix["include"]] == [3, 3]  # equal sizes: split by count
    assert sorted(v for e in matrix["include"] for v in e["versions"].split(",")) == list(VERSIONS)
    assert all(e["python"] == ["3.6"] for e in matrix["include"])  # py3-none-any: the oldest
