"""Where the built-in cases live: the checkout's ``cases/``, or the wheel's copy.

In the repository ``cases/`` (the suite table, ``history/``, ``examples/``)
is the source.  The wheel ships the same files as ``harness/_cases``
(``pyproject.toml`` maps the folder into the package), so an installed
tool finds them without a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent / "cases"


def cases_dir() -> Path:
    """The folder holding ``suite.py``, ``history/`` and ``examples/``."""
    if (_CHECKOUT / "suite.py").is_file():
        return _CHECKOUT
    return Path(str(resources.files("harness").joinpath("_cases")))
