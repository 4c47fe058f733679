"""Python 2.7 environments: the builder is chosen by interpreter, and the date cut pins by upload time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from packaging.tags import Tag
from packaging.version import Version

from harness import envs_virtualenv
from harness.interpreters import Interpreter
from harness.releases import Catalog, Release, Wheel

PY27 = Interpreter(Path("/usr/bin/python2.7"), (2, 7, 18), "mu")


def _wheel(tag: str, day: int, requires: str | None = None) -> Wheel:
    py, abi, plat = tag.split("-")
    return Wheel(f"numpy-x-{tag}.whl", "", datetime(2017, 1, day, tzinfo=timezone.utc),
                 frozenset({Tag(py, abi, plat)}), requires)


def test_newest_before_the_cut_that_2_7_can_install():
    catalog = Catalog("numpy", (
        Release(Version("1.11.0"), (_wheel("cp27-cp27mu-manylinux1_x86_64", 1),)),
        Release(Version("1.12.0"), (_wheel("cp27-cp27mu-manylinux1_x86_64", 10),)),
        Release(Version("1.12.1"), (_wheel("cp35-cp35m-manylinux1_x86_64", 12),)),  # no 2.7 wheel
        Release(Version("1.13.0"), (_wheel("py2.py3-none-any", 20),)),  # after the cut
        Release(Version("1.14.0"), (_wheel("py3-none-any", 5, ">=3.5"),)),  # not for 2.7
    ), "test")
    cut = datetime(2017, 1, 15, tzinfo=timezone.utc)
    assert envs_virtualenv.newest_before(catalog, cut, PY27) == "1.12.0"
    assert envs_virtualenv.newest_before(catalog, datetime(2016, 1, 1, tzinfo=timezone.utc), PY27) is None


def test_only_python_2_uses_this_builder():
    assert envs_virtualenv.wanted("2.7.18")
    assert not envs_virtualenv.wanted("3.6.15")


def test_freeze_lines_other_than_pins_are_dropped():
    text = "DEPRECATION: --find-links ...\n-f /opt/wheels\nMock==2.0.0\nnumpy==1.12.0\n"
    assert envs_virtualenv._parse_freeze(text) == {"mock": "2.0.0", "numpy": "1.12.0"}
