"""``--script``: the git bisect run protocol, output regexes, Python 2 detection, bad input."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from harness import cli, script
from harness.errors import UsageError
from harness.outcome import Outcome

TRACEBACK = "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n    f()\n"


@pytest.mark.parametrize("rc, stdout, stderr, outcome, detail", [
    (0, "ok\n", "", Outcome.PASS, "ok"),
    (125, "", "", Outcome.SKIP, "the script exited 125 (skip)"),
    (1, "", TRACEBACK + "AssertionError: got -5.3e+37\n", Outcome.WRONG, "AssertionError: got -5.3e+37"),
    (1, "", TRACEBACK + "TypeError: Expected list for 'strides'\n", Outcome.ERROR,
     "TypeError: Expected list for 'strides'"),
    (3, "refused\n", "", Outcome.WRONG, "exit code 3: refused"),
    (127, "", "", Outcome.WRONG, "exit code 127"),
    (-11, "", "2026-01-01 00:00:00.000001: F conv.cc:1] Check failed: x\n", Outcome.CRASH,
     "SIGSEGV: conv.cc:1] Check failed: x"),
    (134, "", "", Outcome.CRASH, "SIGABRT"),
    (None, "", "", Outcome.TIMEOUT, "killed after 5 s"),
])
def test_exit_codes_follow_git_bisect_run(rc, stdout, stderr, outcome, detail):
    verdict = script.judge(rc, stdout, stderr, timeout=5)
    assert (verdict.outcome, verdict.detail) == (outcome, detail)


GOOD, BAD = r"^\[+ ?3\.\]+$", r"nan|e\+37"


@pytest.mark.parametrize("rc, stdout, outcome", [
    (0, "[[[ 3.]]]\n", Outcome.PASS),
    (0, "[[[[3.]]]]\n", Outcome.PASS),
    (0, "[[[ -5.31794233e+37]]]\n", Outcome.WRONG),
    (0, "[[[ nan]]]\n", Outcome.WRONG),
    (0, "[[[ 4.]]]\n", Outcome.WRONG),  # a clean exit without the good line is not good
    (1, "", Outcome.WRONG),  # neither line: the exit code decides
    (-6, "[[[ 3.]]]\n", Outcome.CRASH),  # a crash wins over what was printed
])
def test_output_regexes(rc, stdout, outcome):
    assert script.judge(rc, stdout, "", good_output=GOOD, bad_output=BAD).outcome is outcome


def test_bad_output_alone_leaves_the_exit_code_protocol():
    assert script.judge(0, "3.0\n", "", bad_output=BAD).outcome is Outcome.PASS
    assert script.judge(0, "nan\n", "", bad_output=BAD).detail == "printed 'nan' (matches --bad-output)"


def _run(tmp_path, body, timeout=30.0):
    path = tmp_path / "s.py"
    path.write_text(body)
    case = script.load(path).case()
    return script.run(case, Path(sys.executable), env={}, timeout=timeout, work_dir=tmp_path / "work",
                      stop=threading.Event()).verdict


def test_a_real_run_per_outcome(tmp_path):
    assert _run(tmp_path, "print('[[[ 3.]]]')").outcome is Outcome.PASS
    assert _run(tmp_path, "import sys; sys.exit(125)").outcome is Outcome.SKIP
    assert _run(tmp_path, "assert 1 == 2, 'wrong value'").detail == "AssertionError: wrong value"
    assert _run(tmp_path, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)").outcome is Outcome.CRASH
    assert _run(tmp_path, "while True: pass", timeout=0.5).outcome is Outcome.TIMEOUT


def test_the_script_runs_in_an_empty_folder_left_clean(tmp_path):
    verdict = _run(tmp_path, "import os; open('litter', 'w'); print(os.listdir('.'))")
    assert "litter" in verdict.detail and "stdout.txt" in verdict.detail  # only its own output files
    assert list((tmp_path / "work").iterdir()) == []


def test_python3_script_is_not_python2(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("print('hi')\n")
    assert not script.load(path).python2


@pytest.mark.skipif(script.python2_interpreter() is None, reason="needs a Python 2.7 here")
def test_python2_only_script_runs_on_2_7(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("res = 3\nprint res\n")
    loaded = script.load(path)
    assert loaded.python2 and loaded.wants_python2(None)
    path.write_text("print res res\n")
    with pytest.raises(UsageError, match="neither Python 3 .* nor Python 2"):
        script.load(path)


def test_seed_scripts_are_python2_and_kept_out_of_case_folders():
    from harness.cases import load_user_cases
    folder = Path(__file__).parent.parent / "cases" / "examples"
    assert "print res" in (folder / "scripts" / "seed_conv2d.py").read_text()
    assert {c.name for c in load_user_cases([folder])} == {"conv2d_int_strides", "seed_conv2d_fed"}


@pytest.mark.parametrize("argv, message", [
    (["bisect", "--script", "no/such.py"], "--script: expected a file, got 'no/such.py' (no such file)"),
    (["scan", "--script", __file__, "--good-output", "(["], "--good-output: expected a regular expression"),
])
def test_bad_script_options_are_one_line_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_script_and_cases_together_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["bisect", "--script", __file__, "--case", "seed_conv2d", "--results", str(tmp_path),
                     "--cache-dir", str(tmp_path), "--offline"])
    assert code == 2 and "--script replaces the cases" in capsys.readouterr().err


def test_output_regex_without_script_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["scan", "--good-output", "3", "--results", str(tmp_path), "--cache-dir", str(tmp_path)])
    assert code == 2 and "expected --script FILE" in capsys.readouterr().err


def test_the_framework_failing_to_import_is_skip_not_bad():
    inside = (TRACEBACK + '  File "/e/lib/python2.7/site-packages/tensorflow/__init__.py", line 24\n'
              "ImportError: libcudart.so.8.0: cannot open shared object file\n")
    assert script.judge(1, "", inside, module="tensorflow").outcome is Outcome.SKIP
    missing = TRACEBACK + "ModuleNotFoundError: No module named 'tensorflow'\n"
    assert script.judge(1, "", missing, module="tensorflow").outcome is Outcome.SKIP
    own = TRACEBACK + "ImportError: cannot import name 'contrib'\n"  # the script's own import: bad
    assert script.judge(1, "", own, module="tensorflow").outcome is Outcome.ERROR
