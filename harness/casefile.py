"""What people write in case files, forgiven or caught before any work.

- A top-level ``import tensorflow as tf`` (or ``torch``, ``theano``, ``jax``,
  and their submodules) works: the host never needs the framework, so while
  the file is loaded on the host such an import gets a stand-in module; only
  *using* it at import time fails, with one line saying to move that use
  into ``case_<name>``.  Inside the environment the import is the real one.
- ``expect_X`` without ``case_X`` is an error (a typo would otherwise make
  the case pass unchecked), with the closest case name as a hint.
- ``case_X`` that returns ``None`` is ``error`` with "case_X returned
  None" (said by the runner: a case that deliberately crashes the process
  need not return anything, so this is not checked before running).
"""

from __future__ import annotations

import ast
import difflib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.errors import UsageError

FRAMEWORK_MODULES = ("tensorflow", "torch", "theano", "jax", "jaxlib", "keras")


class HostUse(AttributeError):
    """A framework stand-in was used on the host."""


class _StandIn(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise HostUse(f"{self.__name__}.{attr}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: answers only for framework modules the host does not have."""

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in FRAMEWORK_MODULES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StandIn(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


@contextmanager
def framework_stand_ins() -> Iterator[None]:
    """While loading a case file on the host: ``import tensorflow`` succeeds without TensorFlow."""
    before = set(sys.modules)
    finder = _Finder()
    sys.meta_path.append(finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in set(sys.modules) - before:
            if isinstance(sys.modules[name], _StandIn):
                del sys.modules[name]


def host_use_error(path: Path, exc: HostUse) -> UsageError:
    return UsageError(
        f"case file {path}: uses {exc} at import time, but the host has no framework; "
        "expected framework calls only inside case_<name>(tf, np)",
        hint="move that line into the case function (it is handed tf and np)")


def check_functions(path: Path, tree: ast.Module) -> None:
    """``expect_X`` without ``case_X``: a one-line error naming the closest case."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    cases = [name[len("case_"):] for name in functions if name.startswith("case_")]
    for name in functions:
        if name.startswith("expect_") and name[len("expect_"):] not in cases:
            close = difflib.get_close_matches(name[len("expect_"):], cases, n=1, cutoff=0.5)
            raise UsageError(
                f"case file {path}: {name} has no case_{name[len('expect_'):]}; expected every "
                "expect_<name> to match a case_<name>",
                hint=f"did you mean expect_{close[0]}?" if close else "rename it or add the case")
