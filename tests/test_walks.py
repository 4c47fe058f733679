"""Walks kept between runs: reused while they hold, walked again as soon as they do not."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness import walks
from harness.disk import Scanner

from test_disk import MB, _file, world  # noqa: F401  (the fixture)


def _tree(root: Path) -> Path:
    _file(root / "a" / "b" / "x.so", 10_000)
    _file(root / "c.py", 100)
    return root


def test_an_environment_walk_is_reused_until_a_file_appears_or_it_is_rebuilt(tmp_path):
    env = _tree(tmp_path / "env")
    kept = walks.Kept(tmp_path / "kept")
    folders: dict[str, int] = {}
    walked = walks.walk(env, folders)
    kept.save_env(env, 12.5, walked, folders)
    assert kept.env(env, 12.5) == (walked, folders)
    assert kept.env(env, 13.0) is None, "another build of the same folder"
    assert walks.Kept(tmp_path / "elsewhere").env(env, 12.5) is None
    _file(env / "a" / "__pycache__" / "m.pyc", 100)
    assert kept.env(env, 12.5) is None


def test_an_archive_entry_walk_holds_for_that_folder_only(tmp_path):
    entry = _tree(tmp_path / "archive-v0" / "abc")
    kept = walks.Kept(tmp_path / "kept")
    kept.save_entry(entry, walks.walk(entry))
    assert kept.entry(entry) == walks.walk(entry)
    shutil.rmtree(entry)
    assert kept.entry(entry) is None
    _tree(entry)  # the same name, another folder
    assert kept.entry(entry) is None


def test_a_damaged_file_is_walked_again(tmp_path):
    env = _tree(tmp_path / "env")
    kept = walks.Kept(tmp_path / "kept")
    kept.save_env(env, 1.0, walks.walk(env), {})
    next((tmp_path / "kept").iterdir()).write_bytes(b"not an npz")
    assert kept.env(env, 1.0) is None


def test_a_new_process_counts_the_same_without_walking(world, monkeypatch):  # noqa: F811
    root, uv, a, b = world
    first = Scanner(root / "envs", uv).usage()
    calls = []
    real = walks.walk
    monkeypatch.setattr(walks, "walk", lambda *args: calls.append(args[0]) or real(*args))
    again = Scanner(root / "envs", uv).usage()
    assert again.total == first.total and [e.inodes for e in again.envs] == [e.inodes for e in first.envs]
    assert calls == []
    _file(a / "lib" / "__pycache__" / "m.pyc", 1 * MB)  # a run wrote .pyc
    grown = Scanner(root / "envs", uv).usage()
    assert calls == [a] and grown.total > first.total


def test_eviction_and_removal_by_other_means_leave_no_walk_behind(world):  # noqa: F811
    root, uv, a, b = world
    from harness.disk import Budget
    budget = Budget(10 * MB, root / "envs", uv, log=lambda _: None)
    budget.measure()
    saved = lambda: sorted(p.name for p in (root / "disk-walks").iterdir())  # noqa: E731
    assert "env-a.npz" in saved() and "entry-tf-a.npz" in saved()
    assert [e.path for e in budget.enforce()] == [a]
    assert "env-a.npz" not in saved() and "entry-tf-a.npz" not in saved()
    shutil.rmtree(b)
    Scanner(root / "envs", uv).usage()
    assert "env-b.npz" not in saved()
