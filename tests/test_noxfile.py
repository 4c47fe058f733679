"""The noxfile loads on a machine that has never fetched the catalog (a new user's first
`nox -s bisect`), and lists per-release sessions once a catalog is cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# nox itself is not a test dependency (the tests run inside a nox session's
# environment): a stand-in module takes its decorators and options
LIST = """
import json, runpy, sys, types
nox = types.ModuleType("nox")
nox.options = types.SimpleNamespace()
nox.Session = object
nox.session = lambda *a, **k: (a[0] if a and callable(a[0]) else (lambda f: f))
nox.parametrize = lambda *a, **k: (lambda f: f)
sys.modules["nox"] = nox
ns = runpy.run_path("noxfile.py")
print(json.dumps(ns["installable_releases"]()))
"""


def releases_listed(cache: Path) -> list:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", LIST], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_noxfile_loads_with_an_empty_cache(tmp_path):
    assert releases_listed(tmp_path / "never-used") == []


def test_noxfile_loads_with_a_damaged_catalog(tmp_path):
    catalog = tmp_path / "cache" / "catalog"
    catalog.mkdir(parents=True)
    (catalog / "tensorflow--https___pypi_org_simple_.json").write_text("{not json")
    assert releases_listed(tmp_path / "cache") == []
