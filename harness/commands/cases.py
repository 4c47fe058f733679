"""``cases``: list case names, one a line."""

from __future__ import annotations

from harness.config import Config
from harness.plan import load_cases
from harness.ui import UI

OPTIONS = ("case", "case-files")


def run(cfg: Config, ui: UI) -> int:
    for case in load_cases(cfg):
        ui.result(case.name)
    return 0
