"""Hostile and careless input (issue 16): cases stay in their sandbox, host-side loading is
bounded, damaged state and bad options are one line (exit 2) before any work."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness import cli, host_expect, releases
from harness.cases import load_user_file
from harness.errors import ResultsError, UsageError
from harness.host_expect import ExpectFailed
from harness.results import Store
from conftest import json_doc

ROOT = Path(__file__).parents[1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def run_cli(argv, capsys) -> tuple[int, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code
    return code, capsys.readouterr().err


def one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


# ---------------------------------------------------------------- host-side loading is bounded

def test_top_level_exit_or_hang_never_runs_on_the_host(tmp_path):
    exits = write(tmp_path, "exits.py", "import sys\nsys.exit(3)\ndef case_x(tf, np):\n    return 1\n")
    hangs = write(tmp_path, "hangs.py", "while True:\n    pass\ndef case_y(tf, np):\n    return 1\n")
    proc = subprocess.run([sys.executable, "-m", "harness", "cases", "--cases", str(exits),
                           "--cases", str(hangs), "--case", "x", "--case", "y"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.split()) == (0, ["x", "y"]), proc.stderr


def test_names_docstring_and_tolerance_come_from_the_syntax_tree(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, "c.py", f'''
        open({str(marker)!r}, "w").close()
        TOLERANCE = {{"rtol": 0.5}}
        def case_a(tf, np):
            """first line
            more"""
            return 1
    ''')
    (case,) = load_user_file(path)
    assert (case.name, case.description) == ("a", "first line")
    assert not marker.exists(), "loading a case file ran its top-level code"


@pytest.fixture
def fast_limit(monkeypatch):
    monkeypatch.setattr(host_expect, "EXPECT_TIMEOUT", 2.0)
    monkeypatch.setattr(host_expect, "_done", {})


@pytest.mark.parametrize("source, message", [
    ("import sys\nsys.exit(3)\n", "expect_a loading the case file raised exit code 3"),
    ("raise RuntimeError('boom')\n", "expect_a loading the case file raised RuntimeError: boom"),
    ("while True:\n    pass\n", "expect_a did not finish within 2 s (stopped)"),
    ("", None),
])
def test_a_broken_file_fails_its_expectations_not_the_host(tmp_path, fast_limit, source, message):
    path = write(tmp_path, "c.py", source + textwrap.dedent('''
        def case_a(tf, np):
            return 1
        def expect_a(np):
            return np.ones(2, dtype="float32")
    '''))
    (case,) = load_user_file(path)
    started = time.monotonic()
    if message is None:
        expected = case.expect()
        assert expected.values[0].tolist() == [1.0, 1.0] and expected.dtypes == ("float32",)
        return
    with pytest.raises(ExpectFailed) as err:
        case.expect()
    assert str(err.value) == message
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("body, message", [
    ("raise ValueError('no')", "expect_a raised ValueError: no"),
    ("import sys; sys.exit(5)", "expect_a raised exit code 5"),
    ("return None", "expect_a returned NoneType (dtype object), expected an array of numbers"),
    ("return ['x']", "expect_a returned list (dtype <U1), expected an array of numbers"),
    ("while True: pass", "expect_a did not finish within 2 s (stopped)"),
])
def test_an_expect_that_fails_fails_alone(tmp_path, fast_limit, body, message):
    path = write(tmp_path, "c.py", f'''
        def case_a(tf, np):
            return 1
        def expect_a(np):
            {body}
        def case_b(tf, np):
            return 1
        def expect_b(np):
            return [1.0, 2.0]
    ''')
    a, b = load_user_file(path)
    with pytest.raises(ExpectFailed) as err:
        a.expect()
    assert str(err.value) == message
    if "within" in message:
        return  # a hung function stops the file's child: its later ones are not run
    assert b.expect().values[0].tolist() == [1.0, 2.0]


def test_expect_runs_outside_the_users_cwd(tmp_path, fast_limit, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "victim.txt").write_text("keep me")
    path = write(tmp_path, "c.py", '''
        import os
        def case_a(tf, np):
            return 1
        def expect_a(np):
            for name in os.listdir("."):
                os.remove(name)
            return [1.0]
    ''')
    (case,) = load_user_file(path)
    assert case.expect().values[0].tolist() == [1.0]
    assert (tmp_path / "victim.txt").read_text() == "keep me"


# ---------------------------------------------------------------- damaged results

def _store_with(tmp_path: Path, edit) -> Path:
    row = {"case": "c1", "package": "tensorflow", "version": "1.0.1", "python": "3.6.15",
           "variant": "default", "outcome": "pass", "max_abs_error": 0.0, "frozen": []}
    data = {"schema": 1, "rows": {"c1": row}}
    edited = edit(data)
    data = edited if isinstance(edited, list) else data  # a list replaces the file's object
    path = tmp_path / "results" / "runs" / "tensorflow" / "1.0.1" / "py3.6--default.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    return path


DAMAGE = [
    ("outcome 42", lambda d: d["rows"]["c1"].update(outcome=42), "row 'c1': expected 'outcome' to be one of"),
    ("rows a list", lambda d: d.update(rows=[]), "expected 'rows' to be an object of case -> row, got array"),
    ("file a list", lambda d: [d], "expected an object with schema and rows, got array"),
    ("string row", lambda d: d["rows"].update(c1="pass"), "row 'c1': expected an object, got string"),
    ("no case", lambda d: d["rows"]["c1"].pop("case"), "row 'c1': expected a 'case' field, got none"),
    ("error lots", lambda d: d["rows"]["c1"].update(max_abs_error="lots"),
     "row 'c1': expected 'max_abs_error' to be a number >= 0, null or \"inf\", got 'lots'"),
    ("frozen text", lambda d: d["rows"]["c1"].update(frozen="numpy"), "expected 'frozen' to be an array"),
]


@pytest.mark.parametrize("title, edit, message", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_rows_are_one_line_naming_the_file(tmp_path, capsys, title, edit, message):
    path = _store_with(tmp_path, edit)
    with pytest.raises(ResultsError) as err:
        Store(tmp_path / "results").check()
    assert str(path) in str(err.value) and message in str(err.value), str(err.value)
    line = one_line(*run_cli(["report", "--results", tmp_path / "results", "--output", tmp_path / "out"],
                             capsys))
    assert message in line and "delete the file (or move it aside) to re-measure" in line


def test_a_folder_where_a_results_file_should_be(tmp_path, capsys):
    folder = tmp_path / "results" / "runs" / "tensorflow" / "1.0.1" / "py3.6--default.json"
    folder.mkdir(parents=True)
    line = one_line(*run_cli(["report", "--results", tmp_path / "results", "--output", tmp_path / "o"],
                             capsys))
    assert line == f"error: results file {folder}: expected a file, got a folder; move that folder out of the results folder"
    with pytest.raises(ResultsError, match="got a folder"):
        Store(tmp_path / "results").check()


def test_the_valid_row_still_reads(tmp_path):
    _store_with(tmp_path, lambda d: d["rows"]["c1"].update(max_abs_error="inf"))
    (row,) = Store(tmp_path / "results").rows()
    assert row.max_abs_error == float("inf")


# ---------------------------------------------------------------- damaged catalog cache

@pytest.fixture
def index(monkeypatch, tf_page):
    calls = []

    def fetch(url):
        calls.append(url)
        return tf_page

    monkeypatch.setattr(releases, "_fetch", fetch)
    return calls


def _cache(tmp_path: Path) -> Path:
    return releases._cache_file(tmp_path, "tensorflow", releases.PYPI_SIMPLE)


@pytest.mark.parametrize("content", ['{"fetched_at": 1', '{"data": {}}', "[]", '{"fetched_at": 1, "data": 3}'])
def test_a_damaged_catalog_cache_is_refetched(tmp_path, index, content):
    _cache(tmp_path).parent.mkdir(parents=True)
    _cache(tmp_path).write_text(content)
    catalog = releases.load_catalog("tensorflow", cache_dir=tmp_path)
    assert len(index) == 1 and len(catalog.releases) == 7
    assert json.loads(_cache(tmp_path).read_text())["fetched_at"] > 0  # replaced


@pytest.mark.parametrize("content", [None, '{"fetched_at": 1'])
def test_offline_never_downloads_the_catalog(tmp_path, index, content):
    if content is not None:
        _cache(tmp_path).parent.mkdir(parents=True)
        _cache(tmp_path).write_text(content)
    with pytest.raises(UsageError) as err:
        releases.load_catalog("tensorflow", cache_dir=tmp_path, offline=True)
    assert index == []
    assert str(err.value).startswith("--offline: expected a cached release list of tensorflow at ")
    assert ("got a damaged one" in str(err.value)) == (content is not None)


# ---------------------------------------------------------------- options

def test_package_name_is_normalised():
    args = cli.parser(["scan"]).parse_args(["scan", "--package", "TensorFlow_CPU"])
    assert cli.config_from(args).package == "tensorflow-cpu"


def test_a_release_named_twice_is_measured_once(tf_page):
    catalog = releases.Catalog("tensorflow", releases.parse_simple_json("tensorflow", tf_page), "fixture")
    args = cli.parser(["scan"]).parse_args(["scan", "--versions", "1.0.1,2.0.0,1.0.1"])
    chosen = releases.select(catalog, versions=cli.config_from(args).versions + ("1.0.1.0",))
    assert [str(r) for r in chosen] == ["1.0.1", "2.0.0"]


@pytest.mark.parametrize("argv, message", [
    (["scan", "--versions", ",,"], "argument --versions: expected versions like 1.15.5,2.0.0, got ',,'"),
    (["scan", "--results", "{file}"], "argument --results: expected a folder (created if missing), got the file"),
    (["report", "--results", "{file}"], "argument --results: expected a folder"),
    (["scan", "--json", "{file}/x.json"], "argument --json: expected a folder to hold"),
    (["bisect", "--json", "{tmp}"], "argument --json: expected a file name, got the folder"),
    (["scan", "--exclude-newer", "notadate"], "argument --exclude-newer: expected a date like 2019-06-01"),
    (["scan", "--variant", "a/b=X=1"], "expected a variant name of letters, digits, '.', '_', '-' (no '/' or '..'), got 'a/b'"),
    (["scan", "--variant", "..=X=1"], "got '..'"),
    (["scan", "--package", "tensor flow"], "argument --package: expected a distribution name"),
])
def test_bad_options_fail_before_any_work(tmp_path, capsys, monkeypatch, argv, message):
    def no_work(cfg):
        raise AssertionError("work started")

    monkeypatch.setattr("harness.cases.builtin_cases", no_work)  # every command's first step
    (tmp_path / "file").write_text("")
    argv = [a.format(tmp=tmp_path, file=tmp_path / "file") for a in argv]
    line = one_line(*run_cli(argv, capsys))
    assert message in line and line.endswith("; see --help"), line


def test_json_into_a_missing_folder_is_refused_before_any_work(tmp_path):
    target = tmp_path / "missing" / "dir" / "x.json"
    with pytest.raises(SystemExit) as exc:
        cli.parser(["scan"]).parse_args(["scan", "--json", str(target)])
    assert exc.value.code == 2 and not target.parent.exists()


@pytest.mark.parametrize("value", ["none", "2019-06-01", "2019-06-01T12:00:00Z", "2019-06-01T12:00:00+02:00"])
def test_good_exclude_newer_values_pass(value):
    args = cli.parser(["scan"]).parse_args(["scan", "--exclude-newer", value])
    assert cli.config_from(args).exclude_newer == value


# ---------------------------------------------------------------- the runner's sandbox (fake wheels)

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from fakeflow import build_wheel

    root = tmp_path_factory.mktemp("hostile")
    (root / "wheels").mkdir()
    build_wheel(root / "wheels", "1.1.0")
    return root


def scan(world: Path, *extra) -> list[str]:
    return ["scan", "--package", "fakeflow", "--find-links", str(world / "wheels"), "--versions", "1.1.0",
            "--cache-dir", str(world / "cache"), "--results", str(world / "results"), "-q", "--force",
            *map(str, extra)]


def rows_of(path: Path) -> dict:
    return {r["case"]: r for r in json_doc(path, "scan")["rows"]}


def alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


@pytest.mark.pipeline
def test_cases_cannot_touch_the_users_cwd_or_outlive_the_runner(world, tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "victim.txt").write_text("keep me")
    monkeypatch.chdir(user)
    pidfile = tmp_path / "child.pid"
    cases = write(tmp_path, "sandbox.py", f'''
        import os, subprocess
        def case_rm(tf, np):
            for name in os.listdir("."):
                os.remove(name)
            return tf.constant(np.ones(2))
        def case_spawn(tf, np):
            child = subprocess.Popen(["sleep", "607"])
            with open({str(pidfile)!r}, "w") as f:
                f.write(str(child.pid))
            return tf.constant(np.ones(2))
    ''')
    out = tmp_path / "rows.json"
    assert cli.main(scan(world, "--cases", cases, "--case", "rm", "--case", "spawn", "--json", out)) == 0
    assert {c: r["outcome"] for c, r in rows_of(out).items()} == {"rm": "pass", "spawn": "pass"}
    assert (user / "victim.txt").read_text() == "keep me"
    child = int(pidfile.read_text())
    for _ in range(50):  # SIGKILL is delivered asynchronously
        if not alive(child):
            break
        time.sleep(0.1)
    assert not alive(child), "a process the case started outlived the runner"


@pytest.mark.pipeline
def test_an_expect_that_raises_is_that_cases_error_and_its_siblings_are_stored(world, tmp_path):
    cases = write(tmp_path, "expect.py", '''
        def case_good(tf, np):
            return tf.constant(np.ones(2))
        def expect_good(np):
            return np.ones(2)
        def case_bad(tf, np):
            return tf.constant(np.ones(2))
        def expect_bad(np):
            raise ValueError("boom")
    ''')
    out = tmp_path / "rows.json"
    assert cli.main(scan(world, "--cases", cases, "--case", "good", "--case", "bad", "--json", out)) == 0
    rows = rows_of(out)
    assert rows["good"]["outcome"] == "pass"
    assert (rows["bad"]["outcome"], rows["bad"]["detail"]) == ("error", "expect_bad raised ValueError: boom")
    stored = Store(world / "results").get("fakeflow", "1.1.0", "3.6.15", "default")
    assert {"good", "bad"} <= set(stored)


@pytest.mark.pipeline
def test_an_environment_without_its_python_is_rebuilt(world, tmp_path):
    out = tmp_path / "rows.json"
    assert cli.main(scan(world, "--case", "seed_conv2d")) == 0
    (env,) = [p for p in (world / "cache" / "envs").glob("fakeflow-1.1.0-*") if p.is_dir()
              and not p.name.endswith(".failed")]
    (env / "bin" / "python").unlink()
    assert cli.main(scan(world, "--case", "seed_conv2d", "--json", out)) == 0
    row = rows_of(out)["seed_conv2d"]
    assert row["outcome"] == "pass"
    stored = Store(world / "results").get("fakeflow", "1.1.0", "3.6.15", "default")["seed_conv2d"]
    assert stored.frozen and not any(line.startswith("Using Python") for line in stored.frozen)


def test_report_md_escapes_stored_html():
    from harness import render, tables
    from harness.outcome import Outcome
    from harness.results import Row

    rows = [Row(case="c", package="tensorflow", version=v, python="3.6.15", variant="default",
                outcome=Outcome(o), detail="<img src=x onerror=alert(1)> & more", machine={"cpu": "a"},
                recorded_at=1.0) for v, o in (("1.0.0", "pass"), ("1.1.0", "skip"))]
    text = render.markdown(tables.build(tables.frame(rows, source=0), package="tensorflow"))
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt; &amp; more" in text


def test_results_files_respect_the_umask(tmp_path):
    import os
    import stat

    from harness.files import atomic_write

    old = os.umask(0o022)
    os.umask(old)  # files.py read the umask at import; this process's is what the test expects
    atomic_write(tmp_path / "r.json", "{}")
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o666 & ~old


def test_stale_job_folders_of_dead_harnesses_are_removed(tmp_path):
    import os

    from harness import jobs

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"fakeflow-1.1.0-py3.6-x-pid{dead.pid}-abc"
    mine = jobs.new_job_dir(tmp_path, "fakeflow-1.1.0-py3.6-x")
    other = tmp_path / f"fakeflow-1.1.0-py3.6-x-pid{os.getppid()}-def"  # alive: another run's
    for folder in (stale, other):
        folder.mkdir()
    jobs.clean_stale(tmp_path)
    assert not stale.exists() and mine.exists() and other.exists()


@pytest.mark.pipeline
def test_nothing_measurable_shows_the_reason_and_exits_1(tmp_path, capsys):
    from fakeflow import build_wheel

    (tmp_path / "wheels").mkdir()
    build_wheel(tmp_path / "wheels", "3.0.0", requires="numpy==0.0.0")
    code = cli.main(["scan", "--package", "fakeflow", "--find-links", str(tmp_path / "wheels"),
                     "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                     "--case", "seed_conv2d"])
    err = capsys.readouterr().err
    assert code == 1
    assert "skip 1 (cannot install fakeflow==3.0.0" in err  # the reason, on the release's line
    assert err.strip().splitlines()[-1].startswith(
        "error: nothing could be measured: expected a release to run here, got skip for all 1: "
        "cannot install fakeflow==3.0.0")


@pytest.mark.pipeline
def test_sigterm_is_like_ctrl_c_and_finished_cases_are_kept(world, tmp_path):
    import signal

    started = tmp_path / "started"
    cases = write(tmp_path, "hang.py", f'''
        import time
        def case_a_done(tf, np):
            return tf.constant(np.ones(2))
        def case_b_hang(tf, np):
            open({str(started)!r}, "w").close()
            while True:
                time.sleep(0.05)
    ''')
    results = tmp_path / "results"
    argv = scan(world, "--cases", cases, "--case", "a_done", "--case", "b_hang", "--timeout", "600")
    argv[argv.index(str(world / "results"))] = str(results)
    proc = subprocess.Popen([sys.executable, "-m", "harness", *argv],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("interrupted: 1 release run(s) were stored") and "Traceback" not in err
    # the case that finished before the signal is stored, though its release was cut short
    assert set(Store(results).get("fakeflow", "1.1.0", "3.6.15", "default")) == {"a_done"}


def test_command_timeout_kills_the_whole_group_and_says_so(tmp_path):
    from harness import command

    pidfile = tmp_path / "grandchild.pid"
    script = f"sleep 607 & echo $! > {pidfile}; wait"
    with pytest.raises(command.CommandFailed) as err:
        command.run(["sh", "-c", script], timeout=1)
    assert err.value.timed_out and err.value.returncode is None
    child = int(pidfile.read_text())
    for _ in range(50):  # SIGKILL is delivered asynchronously
        if not alive(child):
            break
        time.sleep(0.1)
    assert not alive(child), "the timed-out command's child was left running"
    with pytest.raises(command.CommandFailed) as err:
        command.run([str(tmp_path / "no-such-program")])
    assert not err.value.timed_out and "cannot execute" in str(err.value)


def test_interrupting_kills_commands_running_in_other_threads(tmp_path):
    import threading

    from harness import command

    pidfile = tmp_path / "child.pid"
    failures = []

    def install():
        try:
            command.run(["sh", "-c", f"sleep 607 & echo $! > {pidfile}; wait"], timeout=600)
        except command.CommandFailed as exc:
            failures.append(exc)

    worker = threading.Thread(target=install)
    worker.start()
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    command.kill_running()  # what Ctrl-C and SIGTERM do (cli._interrupted)
    worker.join(30)
    assert not worker.is_alive(), "the command was not killed"
    assert failures and not failures[0].timed_out, failures
    child = int(pidfile.read_text())
    for _ in range(50):
        if not alive(child):
            break
        time.sleep(0.1)
    assert not alive(child)
