"""Shared and exclusive locks on an environment's lock file (``fcntl.flock``).

Every harness process that runs in an environment holds a *shared* lock on
``<env>.lock`` for as long as it runs there; building it takes the
*exclusive* lock, and so does evicting it, without waiting: an environment
whose lock is taken is in use and is not evicted.

Why ``flock`` and not ``filelock.FileLock``: ``FileLock`` only has an
exclusive mode (on Unix it is this same ``flock(LOCK_EX)``, so older harness
processes using it still exclude each other with these), and filelock's
``ReadWriteLock`` keeps an SQLite database per lock, needs filelock >= 3.21
and allows one mode per thread.  ``flock`` is one system call: the kernel
drops the lock when its process dies (``kill -9`` leaves nothing stale), and
a lock belongs to an open file, so two threads of one process (``scan -j``
workers) conflict exactly as two processes do.

The evictor removes the lock file with the environment.  A process that
opened the old file just before it went would then lock a file nobody else
sees, so every acquisition checks that the path still names the file it
locked, and retries on the new one if not.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def lock_path(env_path: Path) -> Path:
    """The lock file of the environment at ``env_path`` (next to it, not inside)."""
    return env_path.with_name(env_path.name + ".lock")


class EnvLock:
    """One process's hold on a lock file: none, shared or exclusive."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, shared: bool, blocking: bool = True) -> bool:
        """Take the lock; ``False`` only when not ``blocking`` and someone else holds it."""
        assert self._fd is None, "release before taking it in another mode"
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if blocking else fcntl.LOCK_NB)
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                os.close(fd)
                return False
            if _same_file(fd, self.path):
                self._fd = fd
                return True
            os.close(fd)  # the file was removed (evicted) meanwhile: lock the current one

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor drops the flock
            self._fd = None

    def remove(self) -> None:
        """Delete the lock file, then release: only while holding it exclusively."""
        assert self._fd is not None
        self.path.unlink(missing_ok=True)
        self.release()

    def __enter__(self) -> EnvLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def try_exclusive(path: Path) -> EnvLock | None:
    """The exclusive lock on ``path`` if nobody holds it now, else None."""
    lock = EnvLock(path)
    return lock if lock.acquire(shared=False, blocking=False) else None
