"""Outcomes of one case in one release, and the verdicts bisection uses."""

from __future__ import annotations

import enum
from typing import Literal


class Outcome(str, enum.Enum):
    """What happened when one case ran in one release."""

    PASS = "pass"  # returned, matches the expectation
    WRONG = "wrong"  # returned, does not match (value, shape or dtype)
    ERROR = "error"  # raised a Python exception
    CRASH = "crash"  # the process died (signal)
    TIMEOUT = "timeout"  # killed after --timeout seconds
    UNSUPPORTED = "unsupported"  # the release's API cannot express the case
    SKIP = "skip"  # release not installable/importable, or no interpreter

    def __str__(self) -> str:
        return self.value


GoodWhen = Literal["pass", "no-crash"]
GOOD_WHEN_CHOICES: tuple[GoodWhen, ...] = ("pass", "no-crash")


def is_good(outcome: Outcome, good_when: GoodWhen) -> bool | None:
    """Map an outcome to the bisection predicate: True, False or None (unknown).

    ``skip`` is unknown: the release could not be measured, so bisection steps
    over it.  With ``no-crash`` a release is good unless the process died or
    hung; with ``pass`` only a matching result is good.
    """
    if outcome is Outcome.SKIP:
        return None
    if good_when == "pass":
        return outcome is Outcome.PASS
    return outcome not in (Outcome.CRASH, Outcome.TIMEOUT)
