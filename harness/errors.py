"""The harness's exceptions: one base class, small documented subclasses.

The CLI prints ``str(error)`` (and ``error.hint`` when set) on one line and
exits with ``error.exit_code``; no traceback for these.  Anything else that
escapes is a bug and shows its traceback.
"""

from __future__ import annotations


class HarnessError(Exception):
    """An expected failure the user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}; {self.hint}" if self.hint else text


class UsageError(HarnessError):
    """Bad command-line input: unknown version, empty range, broken case file."""

    exit_code = 2


class CatalogError(HarnessError):
    """The release catalog could not be fetched and no cached copy exists."""


class EnvironmentBuildError(HarnessError):
    """An environment could not be created or its packages not installed."""


class NetworkUnavailable(EnvironmentBuildError):
    """The packages are neither downloadable nor in uv's cache: worth retrying later."""


class ResultsError(HarnessError):
    """A results file is unreadable or has another schema (bad input: exit 2)."""

    exit_code = 2


class Interrupted(HarnessError):
    """Ctrl-C: says what was kept and how to resume."""

    exit_code = 130
