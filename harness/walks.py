"""Walks of the disk budget's folders, kept between runs.

Counting the disk (``disk.Scanner``) means an ``lstat`` of every file of
every environment and of the uv archive entries they hardlink: ~0.3 s of
CPU per TensorFlow 2.x environment, so a command started on a cache of 40
environments spent ~10 s walking before its first case.  Those folders
hardly change: an archive entry never does (a replaced one is a new folder),
and an environment only gains its ``.pyc`` (``envs.bytecode_vars``).  So
each walk is saved, and reused while it still holds:

- an environment's, while it is the same build (``created``) and none of
  its folders' modification times moved (a file or folder appeared or left:
  a tenth of a walk's work to check);
- an archive entry's, while the folder at that path is the same one (device,
  inode and modification time: a new folder may get a removed one's inode).

A walk is ``{(st_dev, st_ino): (bytes on disk, link count)}``.  Files are
``<root>/<env|entry>-<name>.npz`` (plain arrays, no pickle).
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from harness.files import atomic_write

Walk = dict[tuple[int, int], tuple[int, int]]


def walk(path: Path, folders: dict[str, int] | None = None) -> Walk:
    """Every inode under ``path`` (folders too): its bytes on disk and link count.
    ``folders``: filled with each folder's modification time (``changed``)."""
    out: Walk = {}
    for root, dirs, files in os.walk(path):
        for name in (root, *(os.path.join(root, n) for n in files + dirs)):
            try:
                st = os.lstat(name)
            except OSError:
                continue
            out[(st.st_dev, st.st_ino)] = (st.st_blocks * 512, st.st_nlink)
            if folders is not None and name is root:
                folders[root] = st.st_mtime_ns
    return out


def changed(folders: Mapping[str, int]) -> bool:
    """Whether a file or folder appeared in or left one of ``folders`` since they were
    walked (a folder's modification time changes then)."""
    for folder, mtime in folders.items():
        try:
            if os.lstat(folder).st_mtime_ns != mtime:
                return True
        except OSError:
            return True
    return False


def _pack(walked: Walk) -> np.ndarray:
    return np.array([(*k, *v) for k, v in walked.items()], dtype=np.int64).reshape(-1, 4)


def _unpack(rows: np.ndarray) -> Walk:
    return {(d, i): (s, n) for d, i, s, n in rows.tolist()}


class Kept:
    """The walks saved under ``root``."""

    def __init__(self, root: Path):
        self.root = root

    def _file(self, kind: str, path: Path) -> Path:
        return self.root / f"{kind}-{path.name}.npz"

    def _read(self, kind: str, path: Path) -> dict[str, np.ndarray] | None:
        try:
            with np.load(self._file(kind, path), allow_pickle=False) as data:
                found = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError):
            return None
        return found if str(found.get("path")) == str(path) else None

    def _write(self, kind: str, path: Path, **arrays) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, path=np.array(str(path)), **arrays)
        try:
            atomic_write(self._file(kind, path), buffer.getvalue())
        except OSError:
            pass  # only a saving: the next run walks again

    def env(self, path: Path, created: float) -> tuple[Walk, dict[str, int]] | None:
        """The saved walk of the environment at ``path`` and its folders, if it still holds."""
        data = self._read("env", path)
        if data is None or float(data["created"]) != created:
            return None
        folders = dict(zip(data["folders"].tolist(), data["mtimes"].tolist()))
        return None if changed(folders) else (_unpack(data["inodes"]), folders)

    def save_env(self, path: Path, created: float, walked: Walk, folders: Mapping[str, int]) -> None:
        self._write("env", path, created=np.array(created), inodes=_pack(walked),
                    folders=np.array(list(folders), dtype=str),
                    mtimes=np.array(list(folders.values()), dtype=np.int64))

    def entry(self, path: Path) -> Walk | None:
        """The saved walk of the archive entry at ``path``, if it is the same folder."""
        data = self._read("entry", path)
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if data is None or data["folder"].tolist() != [st.st_dev, st.st_ino, st.st_mtime_ns]:
            return None
        return _unpack(data["inodes"])

    def save_entry(self, path: Path, walked: Walk) -> None:
        st = os.lstat(path)
        self._write("entry", path, folder=np.array([st.st_dev, st.st_ino, st.st_mtime_ns], dtype=np.int64),
                    inodes=_pack(walked))

    def drop(self, kind: str, path: Path) -> None:
        """Forget a removed environment's (``"env"``) or archive entry's (``"entry"``) walk."""
        self._file(kind, path).unlink(missing_ok=True)

    def prune(self, kind: str, present: set[str]) -> None:
        """Forget the walks of folders whose name is not in ``present`` (removed by other means)."""
        try:
            saved = [f for f in os.listdir(self.root) if f.startswith(f"{kind}-") and f.endswith(".npz")]
        except OSError:
            return
        for name in saved:
            if name[len(kind) + 1:-len(".npz")] not in present:
                (self.root / name).unlink(missing_ok=True)
