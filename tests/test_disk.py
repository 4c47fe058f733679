"""The disk budget: honest sizes (blocks, hardlinks once, uv's archive entries), the default
from free space, the refusal of an impossible budget, and eviction that is safe."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from harness import disk, locks
from harness.cli import main
from harness.disk import GB, Budget, Scanner

from fakeflow import build_wheel

MB = 1024**2


def _file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _entry(uv: Path, name: str, size: int) -> Path:
    """A fake uv archive entry (an unzipped wheel): a dist-info and one big file."""
    (uv / "archive-v0" / name / f"{name}-1.0.dist-info").mkdir(parents=True)
    return _file(uv / "archive-v0" / name / name / "lib.so", size)


def _env(root: Path, name: str, *, last_used: float, links: list[Path] = (), own: int = 0) -> Path:
    """A fake built environment: an info file, its own bytes and hardlinks to cache files,
    installed as uv does (the wheel's dist-info next to its files)."""
    env = root / "envs" / name
    site = env / "lib" / "python3.6" / "site-packages"
    site.mkdir(parents=True)
    if own:
        _file(env / "lib" / "own.bin", own)
    for i, target in enumerate(links):
        wheel = target.parent.parent.name
        (site / f"{wheel}-1.0.dist-info").mkdir(exist_ok=True)
        os.link(target, site / f"linked{i}-{wheel}.so")
    info = env / disk.INFO_FILE
    info.write_text(json.dumps({"spec": {"package": "tensorflow"}, "created": last_used}))
    os.utime(info, (last_used, last_used))
    return env


def _blocks(*paths: Path) -> int:
    return sum(os.lstat(p).st_blocks * 512 for p in paths)


@pytest.fixture
def world(tmp_path):
    uv = tmp_path / "uv"
    numpy = _entry(uv, "numpy", 3 * MB)
    tf_a = _entry(uv, "tf-a", 5 * MB)
    tf_b = _entry(uv, "tf-b", 4 * MB)
    _entry(uv, "someone-elses", 7 * MB)  # linked by no environment here
    (uv / "archive-v0" / "numpy-again" / "numpy-1.0.dist-info").mkdir(parents=True)
    _file(uv / "archive-v0" / "numpy-again" / "numpy" / "core.so", 2 * MB)  # same wheel, not linked
    a = _env(tmp_path, "a", last_used=100.0, links=[numpy, tf_a], own=1 * MB)
    b = _env(tmp_path, "b", last_used=200.0, links=[numpy, tf_b], own=1 * MB)
    return tmp_path, uv, a, b


def test_hardlinks_between_environments_and_cache_count_once(world):
    root, uv, a, b = world
    usage = Scanner(root / "envs", uv).usage()
    files = 3 * MB + 5 * MB + 4 * MB + 2 * MB  # numpy shared by both, each file once
    assert files <= usage.total < files + 1 * MB  # plus the folders' own blocks
    naive = sum(disk.tree_size(p) for p in (a, b, uv))  # du per folder, no dedup across them
    assert naive > usage.total + 13 * MB  # numpy three times, the TF libs twice, the others' 9 MB
    assert [e.path for e in usage.envs] == [a, b]  # least recently used first
    assert {p.name for p in usage.envs[0].entries} == {"numpy", "tf-a"}


@pytest.mark.parametrize("where", ["new folder", "existing folder"])
def test_what_a_run_writes_is_counted_at_the_next_look_and_nothing_is_walked_otherwise(world, where):
    """A runner writes .pyc into its environment (envs.bytecode_vars): after ``ran`` the
    next usage walks that environment again, only if its folders changed."""
    root, uv, a, b = world
    scanner = Scanner(root / "envs", uv)
    before = scanner.usage().total
    folder = a / "lib" / ("__pycache__" if where == "new folder" else "")
    pyc = _file(folder / "mod.cpython-36.pyc", 2 * MB)
    assert scanner.usage().total == before, "unchanged until a run is reported: no walk per look"
    scanner.ran(b)
    assert scanner.usage().total == before, "another environment's run does not count a's files"
    scanner.ran(a)
    grown = scanner.usage().total
    assert grown - before == _blocks(pyc) + (_blocks(folder) if where == "new folder" else 0)
    scanner.ran(a)  # a run that wrote nothing
    assert scanner.usage().total == grown == Scanner(root / "envs", uv).usage().total


def test_plan_evicts_lru_and_counts_shared_bytes_only_when_their_last_holder_goes(world):
    root, uv, a, b = world
    usage = Scanner(root / "envs", uv).usage()
    total = usage.total
    # removing a frees its own MB and tf-a, not numpy (b still links it)
    assert disk.plan_eviction(usage.envs, usage.sizes, total - 1, set()) == [usage.envs[0]]
    assert disk.plan_eviction(usage.envs, usage.sizes, total - 7 * MB, set()) == list(usage.envs)
    assert disk.plan_eviction(usage.envs, usage.sizes, total - 1, {a}) == [usage.envs[1]]
    assert disk.plan_eviction(usage.envs, usage.sizes, total, set()) == []


def test_eviction_frees_environment_cache_entries_and_lock_file(world):
    root, uv, a, b = world
    locks.lock_path(a).touch()
    budget = Budget(10 * MB, root / "envs", uv, log=lambda _: None)
    before = budget.measure()
    assert [e.path for e in budget.enforce()] == [a]
    assert not a.exists() and not locks.lock_path(a).exists()
    assert not (uv / "archive-v0" / "tf-a").exists()  # only a linked it
    assert (uv / "archive-v0" / "numpy").exists() and (uv / "archive-v0" / "someone-elses").exists()
    after = budget.measure()
    assert before - after >= 6 * MB and after <= 10 * MB
    assert budget.peak == before


def test_environment_in_use_by_another_process_is_never_evicted(world):
    root, uv, a, b = world
    holder = locks.EnvLock(locks.lock_path(a))
    assert holder.acquire(shared=True)  # another runner is inside a
    budget = Budget(1 * MB, root / "envs", uv, log=lambda _: None)
    assert [e.path for e in budget.enforce()] == [b]
    assert a.exists() and (a / disk.INFO_FILE).exists()
    holder.release()
    assert [e.path for e in budget.enforce()] == [a]


def test_protected_environments_stay(world):
    root, uv, a, b = world
    budget = Budget(1 * MB, root / "envs", uv, log=lambda _: None)
    budget.protected = frozenset({a})
    assert [e.path for e in budget.enforce(protect={b})] == []
    assert a.exists() and b.exists()


def test_cache_entries_wait_while_uv_installs(world):
    root, uv, a, b = world
    fd = os.open(uv / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_SH)  # what every uv process holds while it installs
    budget = Budget(10 * MB, root / "envs", uv, log=lambda _: None)
    with disk.BUILDS.building(uv / "archive-v0", "tf-a-1.0"):  # a build of that very wheel under way
        budget.enforce()
    assert not a.exists() and (uv / "archive-v0" / "tf-a").exists()
    os.close(fd)
    # the next enforcement removes it, even in another run (this one was killed, say)
    Budget(10 * MB, root / "envs", uv, log=lambda _: None).enforce()
    assert not (uv / "archive-v0" / "tf-a").exists()


def test_a_hostile_list_of_pending_cache_entries_removes_nothing_outside_the_cache(world, tmp_path):
    root, uv, a, b = world
    victim = _file(tmp_path / "victim" / "keep.txt", 10)
    (root / "envs" / disk.PENDING).write_text(json.dumps(["../../victim", "/etc", 3, "numpy/.."]))
    Budget(1 * GB, root / "envs", uv, log=lambda _: None).enforce()
    assert victim.exists() and (uv / "archive-v0" / "numpy").exists()


def test_room_for_the_next_environment_is_made_before_it_is_built(world):
    root, uv, a, b = world
    budget = Budget(20 * MB, root / "envs", uv, log=lambda _: None)
    assert budget.enforce() == []
    assert [e.path for e in budget.enforce(room=8 * MB)] == [a]


def test_shared_locks_coexist_and_exclude_the_evictor(tmp_path):
    path = tmp_path / "env.lock"
    one, two = locks.EnvLock(path), locks.EnvLock(path)
    assert one.acquire(shared=True) and two.acquire(shared=True)
    assert locks.try_exclusive(path) is None
    one.release()
    assert locks.try_exclusive(path) is None
    two.release()
    evictor = locks.try_exclusive(path)
    assert evictor is not None
    evictor.remove()
    assert not path.exists()


def test_a_lock_on_a_removed_lock_file_is_taken_again_on_the_new_one(tmp_path):
    path = tmp_path / "env.lock"
    evictor = locks.try_exclusive(path)
    stale = os.open(path, os.O_RDWR)  # a user opened the old file just before it was removed
    evictor.remove()
    user = locks.EnvLock(path)
    assert user.acquire(shared=True)
    assert path.exists() and locks.try_exclusive(path) is None  # it holds the file others see
    user.release()
    os.close(stale)


@pytest.mark.parametrize("used, free, size, want", [
    (0, 30 * GB, 100 * GB, 20 * GB),          # keeps 10 GB free
    (0, 300 * GB, 1000 * GB, 40 * GB),        # capped
    (0, 150 * GB, 1000 * GB, 40 * GB),
    (0, 120 * GB, 1000 * GB, 20 * GB),        # keeps 10 % of 1 TB
    (5 * GB, 8 * GB, 100 * GB, 3 * GB),       # what it holds already counts as its own
    (0, 5 * GB, 100 * GB, 0.0),
])
def test_default_budget_leaves_max_10gb_or_10_percent_free(used, free, size, want):
    assert disk.default_budget(used, free, size) == want


def test_a_budget_too_small_for_the_environments_in_use_at_once_is_refused():
    with pytest.raises(disk.UsageError, match=r"--disk-budget 5 would work"):
        disk.check(3 * GB, [1 * GB, 2 * GB, 2 * GB, 1 * GB], 3, from_free_space=None)
    assert disk.check(5 * GB, [1 * GB, 2 * GB, 2 * GB, 1 * GB], 3, from_free_space=None) == 5 * GB
    assert disk.check(40 * GB, [1 * GB, 2 * GB], 3, from_free_space=None) == 3 * GB


def test_estimate_matches_measured_tensorflow_environments():
    # (wheel bytes, environment bytes) measured on this machine
    for wheel, env in [(42 * MB, 0.27 * GB), (104 * MB, 0.54 * GB), (546 * MB, 1.99 * GB)]:
        assert abs(disk.estimate(wheel) - env) / env < 0.12
    assert disk.estimate(None) == disk.UNKNOWN_ENV


def test_cli_refuses_an_impossible_budget_in_one_line_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv"))
    (tmp_path / "wheels").mkdir()
    build_wheel(tmp_path / "wheels", "1.1.0")
    build_wheel(tmp_path / "wheels", "1.5.0")
    code = main(["scan", "--package", "fakeflow", "--find-links", str(tmp_path / "wheels"),
                 "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                 "-j", "2", "--disk-budget", "0.1"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0
    assert err.startswith("error: --disk-budget 0.1 cannot hold the 2 environment(s)")
    assert err.endswith("--disk-budget 1 would work")
    assert not (tmp_path / "cache" / "envs").exists() or not any((tmp_path / "cache" / "envs").iterdir())


def test_budget_from_the_environment_is_checked_like_the_option(monkeypatch, capsys):
    monkeypatch.setenv("HARNESS_DISK_BUDGET", "nan")
    with pytest.raises(SystemExit) as exit_:
        main(["scan"])
    assert exit_.value.code == 2
    assert "argument --disk-budget: expected a positive finite number, got 'nan'" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--disk-budget", "--timeout", "--import-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1"])
def test_numeric_options_reject_nan_infinity_and_non_positive(option, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["scan", f"{option}={value}"])
    assert exit_.value.code == 2
    assert "expected a positive finite number" in capsys.readouterr().err


def test_cache_entries_linked_from_outside_these_environments_are_kept(world, tmp_path):
    root, uv, a, b = world
    other = tmp_path / "another-project"
    other.mkdir()
    os.link(uv / "archive-v0" / "tf-a" / "tf-a" / "lib.so", other / "lib.so")  # e.g. another cache's env
    Budget(10 * MB, root / "envs", uv, log=lambda _: None).enforce()
    assert not a.exists() and (uv / "archive-v0" / "tf-a").exists()  # removing it frees nothing


def test_fitting_is_the_most_environments_at_once_the_budget_holds():
    sizes = [3 * GB, 2 * GB, 1 * GB, 1 * GB]
    assert disk.fitting(6 * GB, sizes, 1, 5) == 3  # 3+2+1
    assert disk.fitting(7 * GB, sizes, 1, 4) == 4
    assert disk.fitting(100 * GB, sizes, 1, 2) == 2  # never more than asked
    assert disk.fitting(2 * GB, sizes, 3, 5) == 3  # nothing fits: the least (check refuses it)


def test_entries_a_build_left_unlinked_count_and_go_but_not_someone_elses(world):
    # a stopped speculative build leaves what uv unpacked: on disk, linked by nothing
    root, uv, a, b = world
    budget = Budget(100 * MB, root / "envs", uv, log=lambda _: None)
    base = budget.measure()
    with disk.BUILDS.building(uv / "archive-v0"):
        left = _entry(uv, "left-by-a-stopped-build", 6 * MB).parents[1]
    _entry(uv, "another-project-meanwhile", 5 * MB)  # not made by a build of ours
    assert left in disk.BUILDS.made
    assert 6 * MB <= budget.measure() - base < 7 * MB  # counted: it is on disk
    budget.enforce()  # uv is idle here: the loose entry goes, the other project's stays
    assert not left.exists() and (uv / "archive-v0" / "another-project-meanwhile").exists()
    assert budget.measure() - base < 1 * MB and left not in disk.BUILDS.made


def test_loose_entries_wait_for_a_busy_uv_and_stay_counted(world):
    root, uv, a, b = world
    budget = Budget(100 * MB, root / "envs", uv, log=lambda _: None)
    with disk.BUILDS.building(uv / "archive-v0"):
        left = _entry(uv, "unpacked-not-yet-linked", 3 * MB).parents[1]
    fd = os.open(uv / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_SH)  # a uv process installing (below DRAIN: no pause)
    try:
        # a build of that wheel is under way (it is about to link the entry)
        with disk.BUILDS.building(uv / "archive-v0", "unpacked-not-yet-linked-1.0"):
            budget.enforce()
        assert left.exists()
        assert budget.measure() >= 3 * MB + 14 * MB
    finally:
        os.close(fd)
    budget.enforce()
    assert not left.exists()


def test_build_gate_drain_waits_for_running_builds_and_holds_new_ones(tmp_path):
    import threading
    import time

    gate = disk.BuildGate()
    events = []
    release_first = threading.Event()

    def build(name, hold=None):
        with gate.building(tmp_path):
            events.append(f"{name} start")
            if hold:
                hold.wait(5)
            events.append(f"{name} end")

    first = threading.Thread(target=build, args=("first", release_first))
    first.start()
    while "first start" not in events:
        time.sleep(0.01)

    def drain():
        with gate.drained(timeout=5) as idle:
            events.append(f"drained {idle}")
            time.sleep(0.2)  # a new build must not start while drained
            events.append("drain end")

    drainer = threading.Thread(target=drain)
    drainer.start()
    time.sleep(0.1)
    second = threading.Thread(target=build, args=("second",))
    second.start()
    time.sleep(0.1)
    release_first.set()
    for t in (first, drainer, second):
        t.join(5)
    assert events == ["first start", "first end", "drained True", "drain end", "second start",
                      "second end"]


def test_builds_under_way_reserve_room_for_each_other(world):
    # two builds at once each make room for their own environment and the other's
    root, uv, a, b = world
    budget = Budget(60 * MB, root / "envs", uv, log=lambda _: None)  # holds ~15 MB now
    with budget.reserving(25 * MB):
        assert a.exists() and b.exists()  # 15 + 25 fits
        with budget.reserving(25 * MB):  # 15 + 25 + 25 does not: the LRU environment goes
            assert not a.exists() and b.exists()
    assert budget._reserved == {}


def test_a_busy_uv_does_not_keep_the_wheel_of_a_release_nobody_builds(world):
    # the evicted environment's framework wheel (the bulk) is linked by no install under way
    root, uv, a, b = world
    fd = os.open(uv / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        with disk.BUILDS.building(uv / "archive-v0", "tf-a-2.0"):  # another release builds
            with disk.BUILDS.building(uv / "archive-v0", "tf-a-3.0"):  # and one more, briefly
                dep = _entry(uv, "dep", 1 * MB).parents[1]  # unpacked by the first, not linked yet
            assert dep in disk.BUILDS.made  # the brief build ended: its window saw it appear
            Budget(10 * MB, root / "envs", uv, log=lambda _: None).enforce()
            assert not a.exists() and not (uv / "archive-v0" / "tf-a").exists()
            assert (uv / "archive-v0" / "numpy").exists()  # b links it
            assert dep.exists()  # a dependency's wheel waits: a build under way may link it
    finally:
        os.close(fd)


def test_wheel_names_compare_as_dist_infos_spell_them():
    assert disk._norm("tensorflow-cpu-2.2.0") == disk._norm("tensorflow_cpu-2.2.0") == "tensorflow_cpu-2.2.0"
    assert disk._norm("TensorFlow-2.2.0") == "tensorflow-2.2.0"


def test_under_uvx_loose_entries_go_once_this_process_builds_nothing(world, monkeypatch):
    # `uvx nox -s bisect`: uvx holds uv's lock shared for the whole run; uv is never idle
    root, uv, a, b = world
    monkeypatch.setattr(disk, "DRAIN", 1 * MB)
    monkeypatch.setattr(disk, "DRAIN_FRACTION", 0.0)
    with disk.BUILDS.building(uv / "archive-v0", "x-1.0"):
        left = _entry(uv, "deps", 3 * MB).parents[1]
        (left / "other-2.0.dist-info").mkdir()  # not one wheel: only the drain removes it
    logged = []
    fd = os.open(uv / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        Budget(100 * MB, root / "envs", uv, log=logged.append).enforce()
    finally:
        os.close(fd)
    assert not left.exists()
    assert any("linked by no environment" in line for line in logged)


def test_a_vanished_cache_entry_is_recognised_in_uvs_error():
    # uv keeps pointers to archive entries; one removed under it (a budget, a cleaner)
    # fails the install with this error, and the build retries once with --refresh
    from harness.envs import stale_cache

    out = ("  cause: failed to read directory `/root/.cache/uv/archive-v0/Q9dFjqTERdwxfYSK`: "
           "No such file or directory (os error 2)")
    assert stale_cache(out)
    assert not stale_cache("No matching distribution found for tensorflow==9.9")
    assert not stale_cache("failed to read directory `/x/y`: No such file or directory")


def test_the_package_behind_a_vanished_entry_is_read_from_uvs_error():
    from harness.envs import stale_packages

    out = ("error: Failed to install: torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl (torch==2.13.0+cpu)\n"
           "  cause: failed to read directory `/root/.cache/uv/archive-v0/Q9dF`: No such file or directory")
    assert stale_packages(out) == ["torch"]
    assert stale_packages("something else") == []
