"""Cases: the built-in suite (declarative specs in ``cases/``) and user case files.

A case is what runs in an environment (an op spec with its input arrays, or
a function in a user file) plus what the host expects of it.  User files are
checked to be valid Python 3.6 before anything runs, because they execute
inside the oldest environments too.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import functools
import hashlib
import json
import runpy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from harness import casefile, host_expect, reference
from harness.data import cases_dir
from harness.errors import UsageError

SUITE_DIR = cases_dir()
SUITE_FILE = "suite.py"
DEFAULT_TOLERANCE = {"rtol": 1e-5, "atol": 1e-8}  # numpy.allclose's defaults


@dataclass(frozen=True)
class Expectation:
    """What a case must return: values, and either a bound or rtol/atol."""

    values: tuple[np.ndarray, ...]
    bounds: tuple[np.ndarray, ...] | None = None  # elementwise |error| allowed
    rtol: float = DEFAULT_TOLERANCE["rtol"]
    atol: float = DEFAULT_TOLERANCE["atol"]
    dtypes: tuple[str, ...] | None = None  # exact dtype names required


@dataclass(frozen=True)
class Case:
    """One named case."""

    name: str
    kind: Literal["op", "user", "script"]
    source: str  # file that defines it
    spec: dict[str, Any] = field(default_factory=dict)  # op cases
    inputs: tuple[np.ndarray, ...] = ()  # op cases, generated on the host
    function: str = ""  # user cases
    expect: Callable[[], Expectation | None] = field(default=lambda: None, compare=False)
    description: str = ""

    @property
    def digest(self) -> str:
        """Changes when the case's definition or inputs change (stored results then rerun)."""
        h = hashlib.sha256(json.dumps([self.kind, self.spec, self.function], sort_keys=True,
                                      default=str).encode())
        for array in self.inputs:
            h.update(str(array.dtype).encode() + str(array.shape).encode() + array.tobytes())
        if self.kind in ("user", "script"):
            h.update(Path(self.source).read_bytes())
        h.update(_measuring_code(self.kind))
        return h.hexdigest()[:12]


# What turns a case into a stored outcome besides its own definition: the
# runner (how the op is called in each era) and, for built-in cases, the
# reference and its tolerance policy.  A stored row made by older code reruns.
@functools.cache
def _measuring_code(kind: str) -> bytes:
    here = Path(__file__).parent
    files = sorted((here / "runner").glob("*.py")) + ([here / "reference.py"] if kind == "op" else [])
    return b"".join(hashlib.sha256(f.read_bytes()).digest() for f in files)


# ---------------------------------------------------------------- built-in suite

def linear_op(spec: dict[str, Any]) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], Callable[[np.ndarray], int]]:
    """The float64 reference of a spec's op as ``f(x, w)``, and K (terms per output) from ``w``.

    Keras layers are the plain convolutions with the same attributes.
    """
    attrs = spec.get("attrs", {})
    channels_first = attrs.get("data_format", "NHWC").startswith("NC")
    padding = attrs.get("padding", "VALID")
    kwargs = dict(
        strides=attrs.get("strides", 1),
        dilations=attrs.get("dilations", 1),
        padding=padding if isinstance(padding, str) else [tuple(p) for p in padding],
        channels_first=channels_first,
    )
    op = spec["op"]
    if op == "depthwise_conv2d":
        return (lambda x, w: reference.depthwise(x, w, **kwargs),
                lambda w: int(np.prod(w.shape[:-2])))
    if op == "conv2d_transpose":
        out = attrs["output_shape"]
        spatial = out[2:] if channels_first else out[1:-1]
        return (lambda x, w: reference.conv_transpose(x, w, spatial, **kwargs),
                lambda w: int(np.prod(w.shape[:-2])) * w.shape[-1])
    return (lambda x, w: reference.conv(x, w, **kwargs),
            lambda w: int(np.prod(w.shape[:-1])))


def _op_expectation(spec: dict[str, Any], inputs: Sequence[np.ndarray]) -> Expectation:
    """Reference values, their error bounds and the dtype for one op case.

    The bound is ``reference.error_bound``: K terms per output, the dtype's
    unit roundoff, ``sum |x||w|`` (the reference applied to |x| and |w|).
    Values beyond the dtype's range are expected as infinities.
    """
    f, terms_of = linear_op(spec)
    x = np.asarray(inputs[0], dtype=np.float64)
    w = np.asarray(inputs[1], dtype=np.float64)
    dtype = spec.get("dtype", "float32")
    with np.errstate(invalid="ignore", over="ignore"):
        ref = f(x, w)
        abs_products = f(np.abs(x), np.abs(w))
        operand_sums = f(np.abs(x), np.ones_like(w)) + f(np.ones_like(x), np.abs(w))
    bound = reference.error_bound(abs_products, ref, max(terms_of(w), 1), dtype, operand_sums)
    return Expectation(values=(reference.overflow(ref, dtype),), bounds=(bound,), dtypes=(dtype,))


def _from_spec(entry: dict[str, Any], source: str) -> Case:
    entry = dict(entry)
    name = entry.pop("name")
    inputs = tuple(np.asarray(a) for a in entry.pop("inputs"))
    description = entry.pop("description", "")
    spec = entry
    return Case(
        name=name,
        kind="op",
        source=source,
        spec=spec,
        inputs=inputs,
        expect=lambda: _op_expectation(spec, inputs),
        description=description,
    )


def builtin_cases(suite_dir: Path = SUITE_DIR) -> list[Case]:
    """The built-in suite: ``cases/suite.py`` returns a list of spec dicts."""
    path = suite_dir / SUITE_FILE
    namespace = runpy.run_path(str(path))
    return [_from_spec(entry, str(path)) for entry in namespace["suite"](np)]


# ---------------------------------------------------------------- user files

def check_py36(path: Path) -> ast.Module:
    """Parse ``path`` as Python 3.6; ``UsageError`` (one line) if it is not."""
    try:
        source = path.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read case file {path}: {exc.strerror}") from None
    try:
        tree = ast.parse(source, filename=str(path), feature_version=(3, 6))
        reject_newer_nodes(tree)
        return tree
    except SyntaxError as exc:
        raise UsageError(
            f"case file {path}:{exc.lineno}: expected Python 3.6 syntax, got {exc.msg}",
            hint="cases run inside Python 3.6 environments too; avoid newer syntax "
            "(walrus, match, positional-only parameters, f-string '=')",
        ) from None


def reject_newer_nodes(tree: ast.Module) -> None:
    """What ``feature_version=(3, 6)`` lets through on some hosts: Python 3.9's
    parser accepts walrus and positional-only parameters whatever the version
    asked for (3.10+ rejects them), so they are looked for in the tree too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.NamedExpr):
            raise SyntaxError("Assignment expressions are only supported in Python 3.8 and greater",
                              (None, node.lineno, node.col_offset, None))
        if isinstance(node, ast.arguments) and node.posonlyargs:
            raise SyntaxError("Positional-only parameters are only supported in Python 3.8 and greater",
                              (None, node.posonlyargs[0].lineno, node.posonlyargs[0].col_offset, None))


def _user_expectation(path: str, name: str, with_expect: Sequence[str],
                      tolerance: dict[str, float]) -> Expectation | None:
    """``expect_<name>``'s values, computed in a child process (``host_expect``)."""
    if name not in with_expect:
        return None
    arrays, dtypes = host_expect.expected(path, name, with_expect)
    return Expectation(values=arrays, rtol=tolerance["rtol"], atol=tolerance["atol"],
                       dtypes=dtypes if any(dtypes) else None)


def _tolerance(tree: ast.Module, path: Path) -> dict[str, float]:
    """``TOLERANCE = {"rtol": ..., "atol": ...}`` read from the syntax tree (never executed)."""
    found: Any = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TOLERANCE"
                                                for t in node.targets):
            try:
                found = ast.literal_eval(node.value)
            except ValueError:
                found = ast.unparse(node.value)
    numbers = isinstance(found, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in found.values())
    if not numbers or set(found) - {"rtol", "atol"}:
        raise UsageError(f"case file {path}: expected TOLERANCE to be a literal dict with keys "
                         f"rtol/atol and numbers >= 0, got {found!r}",
                         hint='write it out, e.g. TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}')
    return {**DEFAULT_TOLERANCE, **{k: float(v) for k, v in found.items()}}


def load_user_file(path: Path) -> list[Case]:
    """Cases defined by ``case_<name>(tf, np)`` functions in one file.

    Read from the syntax tree, never executed here: the file's code runs in
    the release's environment (``case_``) and in a bounded child process
    (``expect_``, see ``host_expect``).
    """
    tree = check_py36(path)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    names = [name[len("case_"):] for name in functions if name.startswith("case_")]
    if not names:
        raise UsageError(
            f"case file {path}: expected top-level functions named case_<name>(tf, np), found none"
        )
    casefile.check_functions(path, tree)
    tolerance = _tolerance(tree, path)
    source = str(path.resolve())
    with_expect = tuple(name for name in names if f"expect_{name}" in functions)
    return [
        Case(
            name=name,
            kind="user",
            source=source,
            function=f"case_{name}",
            expect=functools.partial(_user_expectation, source, name, with_expect, tolerance),
            description=(ast.get_docstring(functions[f"case_{name}"]) or "").strip().split("\n")[0],
        )
        for name in names
    ]


def load_user_cases(paths: Iterable[Path]) -> list[Case]:
    """Cases from files or folders (every ``*.py`` inside, sorted)."""
    out: list[Case] = []
    for path in paths:
        if path.is_dir():  # scripts/ holds --script files (cases/examples/scripts), not case files
            files = sorted(p for p in path.rglob("*.py") if not p.name.startswith("_")
                           and "scripts" not in p.relative_to(path).parts[:-1])
            if not files:
                raise UsageError(f"--cases {path}: expected .py case files in it, found none")
        elif path.exists():
            files = [path]
        else:
            raise UsageError(f"--cases {path}: no such file or folder")
        for file in files:
            out.extend(load_user_file(file))
    return out


def select(all_cases: Sequence[Case], patterns: Sequence[str]) -> list[Case]:
    """Cases whose names match any of ``patterns`` (names or globs); all when none."""
    names = [c.name for c in all_cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise UsageError(f"duplicate case names: {', '.join(sorted(dupes))}",
                         hint="rename the user cases that clash with built-in ones")
    if not patterns:
        return list(all_cases)
    chosen = []
    for pattern in patterns:
        hits = [c for c in all_cases if fnmatch.fnmatchcase(c.name, pattern)]
        if not hits:
            close = difflib.get_close_matches(pattern.replace("*", ""), names, n=3, cutoff=0.6)
            raise UsageError(
                f"--case {pattern}: no such case",
                hint=f"did you mean {', '.join(close)}?" if close else "list them with `python -m harness cases`",
            )
        chosen.extend(c for c in hits if c not in chosen)
    return chosen
