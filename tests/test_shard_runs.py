"""Sharded scan end to end: matrix -> three shard processes -> merged report == unsharded scan.

Each shard runs as its own ``python -m harness scan --shard I/3`` process
into its own results folder, as on three CI runners; ``report --results d1
d2 d3`` must then give exactly the table and rows of one unsharded scan.
Fake ``fakeflow`` wheels (tests/fakeflow.py) in real uv Python 3.6
environments: one version wrong, one crashing, one hanging, one not importing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fakeflow import VERSIONS, build_wheels
from conftest import json_doc

pytestmark = pytest.mark.pipeline  # builds real uv environments from fake wheels

PROJECT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    build_wheels(root / "wheels")
    return root


def harness(world: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "harness", *args, "--package", "fakeflow",
            "--find-links", str(world / "wheels"), "--cache-dir", str(world / "cache"), "-q"]


def scan(world: Path, results: Path, *extra: str) -> list[str]:
    return harness(world, "scan", "--case", "seed_*", "--timeout", "5", "--results", str(results), *extra)


def report(world: Path, *stores: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)  # --json needs its folder to exist before the run
    subprocess.run([sys.executable, "-m", "harness", "report", "--package", "fakeflow", "-q",
                    "--results", *map(str, stores), "--output", str(out), "--json", str(out / "rows.json")],
                   check=True, cwd=PROJECT, capture_output=True, text=True)
    rows = json_doc(out / "rows.json", "report")["rows"]
    key = lambda r: (r["case"], r["variant"], r["machine"], r["version"], r["python"])  # noqa: E731
    return {"rows": sorted(rows, key=key), "table": (out / "report.csv").read_text()}


def stored_versions(results: Path) -> list[str]:
    return sorted(p.name for p in (results / "runs" / "fakeflow").iterdir())


def test_three_shards_merge_to_exactly_the_unsharded_scan(world):
    matrix = subprocess.run(harness(world, "matrix", "--shards", "3"), check=True, cwd=PROJECT,
                            capture_output=True, text=True)
    include = json.loads(matrix.stdout)["include"]
    assert [e["shard"] for e in include] == ["1/3", "2/3", "3/3"]

    subprocess.run(scan(world, world / "full"), check=True, cwd=PROJECT, capture_output=True)
    shards = {e["shard"]: world / f"results-{e['slug']}" for e in include}
    procs = {label: subprocess.Popen(scan(world, folder, "--shard", label, "-j", "1"), cwd=PROJECT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for label, folder in shards.items()}
    for label, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, (label, out, err)

    for entry in include:  # each runner measured exactly the releases the matrix gave it
        assert stored_versions(shards[entry["shard"]]) == sorted(entry["versions"].split(","))
    assert sorted(v for f in shards.values() for v in stored_versions(f)) == sorted(VERSIONS)

    merged = report(world, *shards.values(), out=world / "merged")
    full = report(world, world / "full", out=world / "unsharded")
    assert merged == full
    outcomes = {(r["version"], r["case"]): r["outcome"] for r in merged["rows"]}
    assert outcomes[("1.0.0", "seed_conv2d")] == "wrong" and outcomes[("1.2.0", "seed_conv1d")] == "crash"
    assert outcomes[("1.3.0", "seed_conv1d")] == "timeout" and outcomes[("1.4.0", "seed_conv1d")] == "skip"
    assert len(merged["rows"]) == 2 * len(VERSIONS)


def test_a_shard_beyond_the_releases_is_empty_not_an_error(world, tmp_path):
    done = subprocess.run(scan(world, tmp_path / "r", "--shard", "7/7", "--versions", "1.0.0,1.1.0"),
                          cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "shard 7/7 has nothing to scan (more shards than releases)"
    assert not (tmp_path / "r" / "runs").exists()


def test_a_shard_of_releases_not_installable_here_is_empty_not_an_error(world, tmp_path):
    # Only a Python 2.7 wheel: in the split (the same everywhere), skipped on this machine.
    (tmp_path / "wheels").mkdir()
    shutil.copy(world / "wheels" / "fakeflow-1.0.0-py3-none-any.whl",
                tmp_path / "wheels" / "fakeflow-0.9.0-cp27-cp27mu-manylinux1_x86_64.whl")
    argv = [a if a != str(world / "wheels") else str(tmp_path / "wheels")
            for a in scan(world, tmp_path / "r", "--shard", "1/1")]
    done = subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "shard 1/1 has nothing to scan (none of 0.9.0 is installable here)"
