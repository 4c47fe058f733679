"""command.run's stop: a build no longer needed is killed with everything it started."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from harness import command


def test_a_stopped_command_is_killed_with_its_group_and_fails_like_a_timeout(tmp_path):
    stop = threading.Event()
    marker = tmp_path / "child-alive"
    child = tmp_path / "child.py"
    child.write_text(f"import time\ntime.sleep(3)\nopen({str(marker)!r}, 'w').close()\n")
    parent = tmp_path / "parent.py"
    parent.write_text("import subprocess, sys, time\n"
                      f"subprocess.Popen([sys.executable, {str(child)!r}])\n"
                      "print('started', flush=True)\ntime.sleep(30)\n")
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with pytest.raises(command.CommandFailed) as info:
        command.run([sys.executable, str(parent)], stop=stop, timeout=60)
    assert time.monotonic() - started < 10
    assert info.value.returncode is None and "stopped" in info.value.output_tail
    assert "started" in info.value.output_tail
    time.sleep(4)
    assert not marker.exists(), "the command's children must die with it"
    assert command.run([sys.executable, "-c", "print('fine')"], stop=threading.Event()).strip() == "fine"
    with pytest.raises(command.CommandFailed) as info:
        command.run([sys.executable, "-c", "import sys; sys.exit(3)"], stop=threading.Event())
    assert info.value.returncode == 3
