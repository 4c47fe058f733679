from __future__ import annotations

from pathlib import Path

import pytest

from harness import interpreters
from harness.interpreters import Interpreter, pick
from harness.releases import Catalog, parse_simple_json

PY36 = Interpreter(Path("/x/python3.6"), (3, 6, 15), "m")
PY38 = Interpreter(Path("/x/python3.8"), (3, 8, 18), "")
PY311 = Interpreter(Path("/x/python3.11"), (3, 11, 7), "")


def rel(page, version):
    return Catalog("tensorflow", parse_simple_json("tensorflow", page), "f").find(version)


def test_wheel_tags_decide_not_strings(tf_page):
    assert pick(rel(tf_page, "1.0.1"), [PY36, PY311]).interpreter is PY36
    assert pick(rel(tf_page, "2.16.2"), [PY36, PY38, PY311]).interpreter is PY311
    picked = pick(rel(tf_page, "2.0.0"), [PY38, PY36])
    interp, wheel = picked.interpreter, picked.wheel
    assert interp is PY38 or interp is PY36
    assert "x86_64" in wheel.filename


def test_oldest_compatible_interpreter_preferred(tf_page):
    picked = pick(rel(tf_page, "1.15.5"), [PY36, PY311])
    interp, wheel = picked.interpreter, picked.wheel
    assert interp is PY36 and "cp36" in wheel.filename


def test_no_interpreter_gives_a_reason(tf_page):
    picked = pick(rel(tf_page, "0.12.0"), [PY36, PY311])
    reason = picked.reason
    assert not picked and picked.interpreter is None and "no wheel of 0.12.0" in reason and "3.6, 3.11" in reason


def test_abi_flags_matter():
    debug36 = Interpreter(Path("/x"), (3, 6, 15), "dm")
    assert not any(t.abi == "cp36m" for t in debug36.supported_tags)
    assert any(t.abi == "cp36m" for t in PY36.supported_tags)


def test_requires_python_respected(tf_page):
    from dataclasses import replace

    r = rel(tf_page, "2.16.2")
    wheels = tuple(replace(w, requires_python=">=3.12") for w in r.wheels)
    r2 = replace(r, wheels=wheels)
    assert not pick(r2, [PY311])


@pytest.mark.skipif(not (Path.home() / ".pyenv/versions").is_dir(), reason="needs pyenv interpreters")
def test_discover_finds_pyenv_interpreters():
    found = interpreters.discover()
    shorts = [i.short for i in found]
    assert shorts == sorted(shorts, key=lambda s: tuple(map(int, s.split("."))))
    assert "3.6" in shorts
    py36 = next(i for i in found if i.short == "3.6")
    assert py36.abiflags == "m"


def test_forced_python_errors():
    from harness.errors import UsageError

    with pytest.raises(UsageError, match="no such interpreter here"):
        interpreters.resolve_forced("3.99", [PY36])
    with pytest.raises(UsageError, match="expected a CPython 3.6"):
        interpreters.resolve_forced("/nonexistent/python", [PY36])


def test_a_cpu_build_wins_over_the_interpreter_order():
    page = {"files": [
        {"filename": "torch-2.13.0-cp310-cp310-manylinux_2_28_x86_64.whl", "upload-time": "2026-07-08T00:00:00Z"},
        {"filename": "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl", "upload-time": "2026-07-08T00:00:00Z"},
        {"filename": "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", "upload-time": "2026-07-08T00:00:00Z"},
    ]}
    release = Catalog("torch", parse_simple_json("torch", page), "f").find("2.13.0")
    py310 = Interpreter(Path("/x/python3.10"), (3, 10, 13), "")
    picked = pick(release, [py310, PY311])
    interp, wheel = picked.interpreter, picked.wheel
    assert interp is PY311 and "+cpu" in wheel.filename
    picked = pick(release, [py310])
    interp, wheel = picked.interpreter, picked.wheel
    assert interp is py310 and "+cpu" not in wheel.filename


def test_an_sdist_only_release_takes_the_oldest_interpreter_its_python_allows():
    page = {"files": [{"filename": "Theano-1.0.5.tar.gz", "upload-time": "2020-07-27T00:00:00Z"}]}
    release = Catalog("theano", parse_simple_json("theano", page), "f").find("1.0.5")
    assert pick(release, [PY36, PY311]).interpreter is PY36
    page["files"][0]["requires-python"] = ">=3.8"
    release = Catalog("theano", parse_simple_json("theano", page), "f").find("1.0.5")
    assert pick(release, [PY36, PY311]).interpreter is PY311


def test_discover_caches_probes_until_the_executable_changes(tmp_path, monkeypatch):
    from harness import interpreters

    exe = tmp_path / "python3.9"
    exe.write_text("#!/bin/sh\n")
    other = tmp_path / "notpython"
    other.write_text("x")
    calls = []

    def fake_probe(path, minimum=interpreters.MIN_PYTHON):
        calls.append(path)
        return interpreters.Interpreter(path, (3, 9, 18), "") if path == exe else None

    monkeypatch.setattr(interpreters, "_candidates", lambda: iter([exe, other]))
    monkeypatch.setattr(interpreters, "probe", fake_probe)
    cache = tmp_path / "cache" / "interpreters.json"
    first = interpreters.discover(cache=cache)
    assert [i.version for i in first] == [(3, 9, 18)] and len(calls) == 2
    assert interpreters.discover(cache=cache) == first and len(calls) == 2  # from the cache
    exe.write_text("#!/bin/sh\n# rebuilt\n")  # a reinstalled interpreter is probed again
    assert interpreters.discover(cache=cache) == first and calls[2:] == [exe]
    cache.write_text('{"schema": 2, "probes": {"%s": {"stamp": [], "found": [1, 2]}}}' % exe)
    assert interpreters.discover(cache=cache) == first and len(calls) == 5  # malformed: probed
    assert interpreters.discover() == first and len(calls) == 7  # no cache: always probed
