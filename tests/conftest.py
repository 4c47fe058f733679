from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def tf_page() -> dict:
    """A trimmed copy of PyPI's PEP 691 page for tensorflow (real entries)."""
    return json.loads((FIXTURES / "pypi_tensorflow_subset.json").read_text())
