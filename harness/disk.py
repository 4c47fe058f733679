"""The disk budget: evict least-recently-used environments once results are stored.

A TF 2.x environment takes 1-2 GB, so the whole history would need well
over 100 GB.  Each environment's size is measured once when it is built and
kept in its info file; its last use is the info file's modification time
(touched on every reuse).  uv hardlinks files from its cache into the
environments, so evicting an environment also cleans the package's entries
from uv's cache, or the space would not come back.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

INFO_FILE = "harness-env.json"


def tree_size(path: Path) -> int:
    """Bytes on disk under ``path``, counting each hardlinked inode once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                total += st.st_blocks * 512
    return total


@dataclass(frozen=True)
class EnvUsage:
    path: Path
    package: str
    size: int
    last_used: float


def usage(envs_dir: Path) -> list[EnvUsage]:
    """Complete environments under ``envs_dir``, least recently used first."""
    out = []
    if not envs_dir.is_dir():
        return out
    for child in envs_dir.iterdir():
        info_path = child / INFO_FILE
        try:
            info = json.loads(info_path.read_text())
            last = info_path.stat().st_mtime
        except (OSError, ValueError):
            continue
        size = info.get("size_bytes")
        if size is None:
            size = tree_size(child)
        out.append(EnvUsage(child, info.get("spec", {}).get("package", ""), int(size), last))
    return sorted(out, key=lambda u: u.last_used)


def plan_eviction(entries: Iterable[EnvUsage], budget: float, protect: set[Path]) -> list[EnvUsage]:
    """The least recently used environments to remove so the rest fit ``budget``. Pure."""
    entries = list(entries)
    total = sum(e.size for e in entries)
    evict = []
    for entry in entries:
        if total <= budget:
            break
        if entry.path in protect:
            continue
        evict.append(entry)
        total -= entry.size
    return evict


def enforce(
    envs_dir: Path,
    budget: float,
    *,
    protect: set[Path],
    clean_cache: Callable[[str], None],
    log: Callable[[str], None],
) -> list[EnvUsage]:
    """Evict environments over ``budget``; say what was evicted and how much it freed."""
    evicted = plan_eviction(usage(envs_dir), budget, protect)
    for entry in evicted:
        # the info file goes first: a half-deleted folder is then "half-built" and rebuilt
        (entry.path / INFO_FILE).unlink(missing_ok=True)
        shutil.rmtree(entry.path, ignore_errors=True)
    for package in sorted({e.package for e in evicted if e.package}):
        clean_cache(package)
    if evicted:
        freed = sum(e.size for e in evicted) / 1024**3
        log(f"disk budget {budget / 1024**3:.0f} GB: evicted {len(evicted)} environment(s) "
            f"({freed:.1f} GB): {', '.join(e.path.name for e in evicted)}")
    return evicted
