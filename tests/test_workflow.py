"""The GitHub Actions workflow: actionlint-clean, and consistent with ``matrix``.

actionlint checks syntax, expressions, action inputs and (with shellcheck on
PATH) the ``run:`` scripts; it cannot see the fields of a ``fromJSON``
matrix, so those are checked here against what ``matrix`` emits.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from harness.commands.matrix import ci_interpreters, entries
from harness.releases import Catalog, parse_simple_json

WORKFLOW = Path(__file__).parents[1] / ".github" / "workflows" / "compat.yml"


def actionlint() -> str | None:
    """The actionlint executable: the test extra's wheel (Linux), else one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_workflow_passes_actionlint():
    exe = actionlint()
    if exe is None:
        pytest.skip("actionlint not installed (the test extra installs it on Linux)")
    done = subprocess.run([exe, "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="wheel matching uses this platform's tags")
def test_workflow_uses_only_fields_the_matrix_has(tf_page):
    text = WORKFLOW.read_text()
    used = set(re.findall(r"(?<!needs\.)\bmatrix\.(\w+)", text))  # not the job's needs.matrix.*
    releases = Catalog("tensorflow", parse_simple_json("tensorflow", tf_page), "fixture").releases
    (entry, *_) = entries(releases, 2, ci_interpreters(), package="tensorflow")
    assert used and used <= set(entry), used - set(entry)


def _workflow() -> dict:
    import yaml

    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_tests_run_on_every_push_and_the_scan_only_on_schedule_or_demand():
    wf = _workflow()
    assert {"push", "pull_request", "schedule", "workflow_dispatch"} <= set(wf["on"])
    jobs = wf["jobs"]
    assert "bash .ci/run" in _runs(jobs["tests"])
    assert "push" in jobs["tests"]["if"] and "schedule" not in jobs["tests"]["if"]
    assert "schedule" in jobs["matrix"]["if"] and "workflow_dispatch" in jobs["matrix"]["if"]
    assert "push" not in jobs["matrix"]["if"]
    assert jobs["scan"]["needs"] == "matrix" and set(jobs["report"]["needs"]) == {"matrix", "scan"}


def test_the_scan_is_sharded_by_matrix_and_merged_by_report():
    jobs = _workflow()["jobs"]
    assert "nox -s matrix -- --shards" in _runs(jobs["matrix"])
    assert jobs["scan"]["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
    assert jobs["scan"]["strategy"]["fail-fast"] is False
    assert jobs["scan"]["env"]["SHARD"] == "${{ matrix.shard }}"
    assert 'nox -s scan -- --shard "$SHARD"' in _runs(jobs["scan"]) and "--disk-budget" in _runs(jobs["scan"])
    assert "--results \"${stores[@]}\"" in _runs(jobs["report"])


def test_actions_are_node24_majors_and_shards_do_not_share_a_uv_cache():
    wf = _workflow()
    wanted = {"actions/checkout": 5, "actions/setup-python": 6, "astral-sh/setup-uv": 7,
              "actions/upload-artifact": 6, "actions/download-artifact": 7}
    for name, job in wf["jobs"].items():
        for step in job["steps"]:
            action, _, ref = step.get("uses", "@").partition("@")
            if action in wanted:
                assert int(ref.lstrip("v")) >= wanted[action], (name, step["uses"])
    (uv,) = [s for s in wf["jobs"]["scan"]["steps"] if s.get("uses", "").startswith("astral-sh/setup-uv")]
    assert uv["with"]["enable-cache"] is False
