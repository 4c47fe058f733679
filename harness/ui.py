"""Terminal output: progress on stderr, summaries on stdout (both via rich)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console


@dataclass
class UI:
    quiet: bool = False
    results_to_stderr: bool = False  # `--json -`: stdout carries only the JSON document
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False, soft_wrap=True))
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))

    def __post_init__(self) -> None:
        if self.results_to_stderr:
            self.out = self.err

    def progress(self, text: str) -> None:
        if not self.quiet:
            self.err.print(text, markup=False)

    def result(self, text: str = "") -> None:
        self.out.print(text, markup=False)

    def render(self, renderable) -> None:
        """A rich renderable (a table) among the results."""
        self.out.print(renderable)
