"""The one frozen configuration object, built once from the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from harness.shard import Shard


def default_cache_dir() -> Path:
    env = os.environ.get("HARNESS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tf-bisect-harness"


@dataclass(frozen=True)
class Variant:
    """A named set of environment variables for the runner (e.g. oneDNN off)."""

    name: str = "default"
    env: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name


DEFAULT_VARIANT = Variant()
GB = 1024**3


@dataclass(frozen=True)
class Config:
    """Everything a command needs; passed explicitly, never global."""

    command: str
    package: str = "tensorflow"
    from_: str | None = None
    to: str | None = None
    versions: tuple[str, ...] = ()
    case_patterns: tuple[str, ...] = ()
    case_paths: tuple[Path, ...] = ()
    python: str | None = None
    timeout: float = 120.0
    import_timeout: float = 600.0
    json_path: Path | None = None
    results_dir: Path = Path("results")
    cache_dir: Path = field(default_factory=default_cache_dir)
    good_when: str = "pass"  # bisect: a goodwhen spelling (pass, no-crash, OUTCOMES, first, detail:RE)
    force: bool = False
    exclude_newer: str | None = None
    find_links: tuple[str, ...] = ()
    index_url: str | None = None
    offline: bool = False
    variants: tuple[Variant, ...] = (DEFAULT_VARIANT,)
    # bytes the environments and their uv cache entries may hold before LRU eviction;
    # None: from the free space of the cache's disk (disk.default_budget, at most 40 GB)
    disk_budget: float | None = None
    jobs: int = field(default_factory=lambda: max(os.cpu_count() or 1, 1))  # releases at once
    prefetch: bool = True  # bisect: build the possible next probes' environments meanwhile
    lines: bool = True  # bisect: mainline first, then the patch lines (False: version order)
    schedule: str = "pipeline"  # bisect: "pipeline" or "step" (one probe at a time, as before)
    nightly: bool = False  # bisect: narrow a transition over tf-nightly builds
    quiet: bool = False
    verbose: bool = False  # scan/bisect -v: uv's and the runner's output lines in the progress
    keep_logs: bool = False  # scan/bisect: keep the runner log of each crashed or hung case
    results_dirs: tuple[Path, ...] = ()  # report: every store to merge (results_dir is the first)
    report_dir: Path | None = None  # report: where its files go (default: results_dir)
    shard: Shard | None = None  # scan --shard I/N: only this share of the selected releases
    pre: bool = False  # --pre: pre-releases (release candidates) are releases too
    script: Path | None = None  # bisect/scan --script: the user's reproducer instead of cases
    good_output: str | None = None  # --script: a stdout line matching this regex is pass
    bad_output: str | None = None  # --script: a stdout line matching this regex is wrong

    @property
    def variant(self) -> str:
        """Name of the first (for bisect: the only) variant."""
        return self.variants[0].name

    @property
    def envs_dir(self) -> Path:
        return self.cache_dir / "envs"

    @property
    def logs_dir(self) -> Path:
        """``--keep-logs``: ``<environment>/<variant>/<case>.log`` under it."""
        return self.cache_dir / "logs"

    @property
    def work_dir(self) -> Path:
        return self.cache_dir / "work"
