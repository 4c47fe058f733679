from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from harness import runner

# The runner's files import each other as top-level modules (they are copied
# flat into each job folder); the tests import them the same way.
if str(runner.HERE) not in sys.path:
    sys.path.insert(0, str(runner.HERE))

FIXTURES = Path(__file__).parent / "fixtures"

# Runs in tests (and their subprocesses) get a fixed disk budget: the default
# comes from the free space of the disk, which on a shared machine can be
# below the reserve and refuse every run.  Tests of the default pass their own.
os.environ.setdefault("HARNESS_DISK_BUDGET", "4")


def json_doc(path: Path, kind: str) -> dict:
    """A ``--json`` document, checked for its version and kind."""
    data = json.loads(path.read_text())
    assert data["schema"] == 2 and data["kind"] == kind, (data.get("schema"), data.get("kind"))
    return data


@pytest.fixture
def tf_page() -> dict:
    """A trimmed copy of PyPI's PEP 691 page for tensorflow (real entries)."""
    return json.loads((FIXTURES / "pypi_tensorflow_subset.json").read_text())
