"""Bad input: one line on stderr, exit code 2, no traceback (snapshot-tested).

The catalog comes from a local HTTP server on loopback serving the committed
PyPI fixture, so no real network is used.  Regenerate the snapshot with
``UPDATE_SNAPSHOTS=1 pytest tests/test_cli_errors.py``.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from harness import cli, plan

SNAPSHOT = Path(__file__).parent / "snapshots" / "cli_errors.txt"
FIXTURE = Path(__file__).parent / "fixtures" / "pypi_tensorflow_subset.json"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    (root / "simple" / "tensorflow").mkdir(parents=True)
    (root / "simple" / "tensorflow" / "index.html").write_text(FIXTURE.read_text())
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    server.shutdown()


CASE_FILES = {
    "syntax.py": "def case_x(tf, np:\n    return 1\n",
    "walrus.py": "def case_x(tf, np):\n    return (y := 1)\n",
    "nocases.py": "def helper(tf, np):\n    return 1\n",
}

SCENARIOS = [
    ("unknown package", ["bisect", "--package", "tensorfloww"]),
    ("unknown version", ["bisect", "--versions", "1.0.2"]),
    ("pre-release version", ["bisect", "--versions", "2.0.0rc0"]),
    ("--from after --to", ["bisect", "--from", "2.0.0", "--to", "1.0.0"]),
    ("empty range", ["scan", "--from", "1.0.2", "--to", "1.0.9"]),
    ("unknown case", ["bisect", "--case", "conv9d_*"]),
    ("case file with a syntax error", ["bisect", "--cases", "{tmp}/syntax.py"]),
    ("case file newer than Python 3.6", ["scan", "--cases", "{tmp}/walrus.py"]),
    ("case file without cases", ["scan", "--cases", "{tmp}/nocases.py"]),
    ("missing case file", ["scan", "--cases", "{tmp}/nope.py"]),
    ("bad timeout", ["scan", "--timeout", "-1"]),
    ("bad good-when", ["bisect", "--good-when", "sometimes"]),
    ("missing interpreter", ["scan", "--python", "3.99", "--versions", "1.0.1"]),
    ("results file of an older schema", ["scan", "--versions", "1.0.1", "--python", "3.6"]),
    ("shard index zero", ["scan", "--shard", "0/3"]),
    ("shard index above the count", ["scan", "--shard", "4/3"]),
    ("shard not I/N", ["scan", "--shard", "x"]),
    ("no shards", ["matrix", "--shards", "0"]),
    ("no versions", ["scan", "--versions", ",,"]),
    ("results is a file", ["scan", "--results", "{tmp}/nocases.py"]),
    ("json under a file", ["scan", "--json", "{tmp}/nocases.py/x.json"]),
    ("json onto a folder", ["bisect", "--json", "{tmp}"]),
    ("exclude-newer not a date", ["scan", "--exclude-newer", "notadate"]),
    ("variant name with a slash", ["scan", "--variant", "a/b=X=1"]),
    ("variant name ..", ["scan", "--variant", "..=X=1"]),
    ("damaged results row", ["scan", "--versions", "1.0.1", "--python", "3.6"]),
]


def run(argv, capsys) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err


def test_bad_input_snapshots(index, tmp_path, capsys, monkeypatch):
    for name, text in CASE_FILES.items():
        (tmp_path / name).write_text(text)
    common = ["--index-url", index, "--cache-dir", str(tmp_path / "cache"),
              "--results", str(tmp_path / "results")]
    transcript = []
    for title, words in SCENARIOS:
        old = tmp_path / "results" / "runs" / "tensorflow" / "1.0.1" / "py3.6--default.json"
        if "older schema" in title:
            old.parent.mkdir(parents=True)
            old.write_text(json.dumps({"schema": 0, "rows": {}}))
        if "damaged results" in title:
            old.write_text(json.dumps({"schema": 1, "rows": {"c": {"case": "c", "outcome": 42}}}))
        argv = [w.format(tmp=tmp_path) for w in words] + common
        code, err = run(argv, capsys)
        assert code == 2, (title, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, (title, err)
        shown = err.strip().replace(str(tmp_path), "<tmp>").replace(index, "<index>/")
        shown = re.sub(r"\(found [^)]*\)", "(found <interpreters here>)", shown)
        if "syntax error" in title:  # the parser's own wording differs between host Pythons
            shown = re.sub(r"got [^;]*;", "got <the parser's message>;", shown)
            shown = re.sub(r"\.py:\d+:", ".py:<line>:", shown)
        command = " ".join(words).replace("{tmp}", "<tmp>")
        transcript.append(f"# {title}\n$ python -m harness {command}\n{shown}\n")
    full = "\n".join(transcript)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(full)
    assert full == SNAPSHOT.read_text()


def test_disk_full_is_one_line(monkeypatch, capsys, tmp_path):
    def full(cfg):
        raise OSError(errno.ENOSPC, "No space left on device", "results/runs/x.json")

    monkeypatch.setattr(plan, "build", full)
    monkeypatch.setattr("harness.commands.scan.build", full)
    code, err = run(["scan", "--cache-dir", str(tmp_path)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("error: disk full while writing results/runs/x.json")
