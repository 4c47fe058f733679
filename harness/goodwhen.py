"""``--good-when``: what counts as good, beyond ``pass`` (like cargo-bisect-rustc's ``--regress``).

Spellings:

- ``pass`` (default): only a matching result is good;
- ``no-crash``: anything but ``crash`` and ``timeout`` is good;
- ``OUTCOME[,OUTCOME...]``: those outcomes are good (``pass,unsupported``;
  ``wrong,error`` finds where a failure of that kind began or ended);
- ``first``: the outcome of each case in the oldest release of the range is
  good, any other is bad: finds where it changed, whatever it changed to;
- ``detail:REGEX``: good when the row's detail (exception, signal, the
  script's output line) matches REGEX.

``skip`` is never good or bad: the release could not be measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.outcome import Outcome

BUILTIN = ("pass", "no-crash")


@dataclass(frozen=True)
class GoodWhen:
    text: str
    outcomes: frozenset[Outcome] = frozenset()
    first: bool = False
    detail: str | None = None

    def verdict(self, outcome: Outcome, detail: str = "", first: Outcome | None = None) -> bool | None:
        """True (good), False (bad) or None (unknown: skip); ``first``: the outcome at the range's start."""
        if outcome is Outcome.SKIP:
            return None
        if self.first:
            return None if first is None or first is Outcome.SKIP else outcome is first
        if self.detail is not None:
            return re.search(self.detail, detail or "") is not None
        return outcome in self.outcomes


def parse(text: str) -> GoodWhen:
    """The spec of ``--good-when TEXT``; ``ValueError`` with what was expected."""
    if text == "pass":
        return GoodWhen(text, frozenset({Outcome.PASS}))
    if text == "no-crash":
        return GoodWhen(text, frozenset(o for o in Outcome if o not in (Outcome.CRASH, Outcome.TIMEOUT,
                                                                        Outcome.SKIP)))
    if text == "first":
        return GoodWhen(text, first=True)
    if text.startswith("detail:"):
        pattern = text[len("detail:"):]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"expected detail:REGEX with a valid regex, got {text!r} ({exc})") from None
        return GoodWhen(text, detail=pattern)
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = {o.value for o in Outcome} - {"skip"}
    bad = [n for n in names if n not in known]
    if not names or bad:
        raise ValueError(f"expected pass, no-crash, first, detail:REGEX or outcomes from "
                         f"{','.join(sorted(known))}, got {text!r}")
    return GoodWhen(text, frozenset(Outcome(n) for n in names))
