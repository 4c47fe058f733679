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


def test_workflow_runs_the_documented_commands():
    text = WORKFLOW.read_text()
    assert "matrix: ${{ fromJSON(needs.matrix.outputs.matrix) }}" in text
    assert "fail-fast: false" in text
    assert 'nox -s matrix -- --shards "$SHARDS"' in text
    assert 'nox -s scan -- --shard "$SHARD"' in text
    assert 'nox -s report -- $SELECT --results "${stores[@]}"' in text
