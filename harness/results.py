"""The results store: schema-versioned, atomically written rows.

Layout: ``<results>/runs/<package>/<version>/py<X.Y>--<variant>.json``, one
file per (release, interpreter, variant) holding one row per case.  Files
are JSON only (never pickles, never executed), rewritten whole through a
temporary file and ``os.replace`` under a lock, so a kill at any moment
leaves either the old or the new file, and two harness runs can share a
folder.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from filelock import FileLock

from harness import __version__, stored
from harness.errors import ResultsError
from harness.files import atomic_write
from harness.outcome import Outcome

SCHEMA = 1
RUNS = "runs"


@dataclass(frozen=True)
class Row:
    """One case in one release: what happened and what produced it."""

    case: str
    package: str
    version: str
    python: str  # interpreter version, "3.6.15"; "" when none was found
    variant: str
    outcome: Outcome
    variant_env: dict = field(default_factory=dict)
    max_abs_error: float | None = None
    detail: str = ""
    case_digest: str = ""
    seconds: float | None = None  # the case's own run time
    import_seconds: float | None = None
    build_seconds: float | None = None
    framework_version: str | None = None
    numpy_version: str | None = None
    frozen: tuple[str, ...] = ()
    machine: dict = field(default_factory=dict)
    harness_version: str = __version__
    recorded_at: float = 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["frozen"] = list(self.frozen)
        if data["max_abs_error"] is not None and data["max_abs_error"] == float("inf"):
            data["max_abs_error"] = "inf"
        return data

    @classmethod
    def from_json(cls, data: dict) -> Row:
        data = dict(data)
        data["outcome"] = Outcome(data["outcome"])
        data["frozen"] = tuple(data.get("frozen", ()))
        if data.get("max_abs_error") == "inf":
            data["max_abs_error"] = float("inf")
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def public(self) -> dict:
        """The ``--json`` row shape (docs/options.md): what was run where, and its outcome."""
        return {
            "case": self.case, "package": self.package, "version": self.version,
            "python": self.python, "variant": self.variant, "outcome": self.outcome.value,
            "max_abs_error": self.max_abs_error if self.max_abs_error != float("inf") else "inf",
            "detail": self.detail,
        }


@lru_cache(maxsize=1)
def machine() -> dict:
    """CPU model and SIMD flags, OS: outcomes can depend on them (oneDNN, AVX-512)."""
    info = {"os": platform.platform(), "arch": platform.machine(), "cpu": platform.processor()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            info["cpu"] = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
            info["flags"] = sorted(f for f in flags if f.startswith(("avx", "fma", "sse4", "amx")))
            break
    return info


def run_file(root: Path, package: str, version: str, python: str, variant: str) -> Path:
    short = ".".join(python.split(".")[:2]) if python else "none"
    return root / RUNS / package / version / f"py{short}--{variant}.json"


def _read(path: Path) -> dict[str, Row]:
    """A results file's rows, validated once here (``stored``): ``ResultsError`` if damaged."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ResultsError(f"results file {path}: expected a file, got a folder",
                           hint="move that folder out of the results folder") from None
    except OSError as exc:
        raise ResultsError(f"results file {path}: cannot read it ({exc.strerror})",
                           hint="fix its permissions, or move it aside to re-measure") from None
    except ValueError as exc:
        raise ResultsError(f"results file {path} is not valid JSON ({exc})",
                           hint="delete it to re-measure that release") from None
    return {name: Row.from_json(row) for name, row in stored.rows_of(path, data, SCHEMA).items()}


def _write(path: Path, rows: dict[str, Row]) -> None:
    payload = json.dumps({"schema": SCHEMA, "rows": {k: r.to_json() for k, r in sorted(rows.items())}},
                         indent=1, allow_nan=False)
    atomic_write(path, payload, fsync=True)


class Store:
    """Rows under one results folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files_written = 0

    def get(self, package: str, version: str, python: str, variant: str) -> dict[str, Row]:
        """Stored rows of one run file, by case name."""
        return _read(run_file(self.root, package, version, python, variant))

    def add(self, rows: Iterable[Row]) -> None:
        """Merge ``rows`` into their run files (replacing rows of the same case)."""
        grouped: dict[Path, list[Row]] = {}
        for row in rows:
            grouped.setdefault(
                run_file(self.root, row.package, row.version, row.python, row.variant), []
            ).append(row)
        for path, new in grouped.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(path) + ".lock"):
                current = _read(path)
                current.update({row.case: row for row in new})
                _write(path, current)
                self.files_written += 1

    def check(self) -> None:
        """Fail fast (``ResultsError``) if the folder is not one, or a stored file is unreadable,
        damaged or of another schema."""
        for folder in (self.root, self.root / RUNS):
            if folder.exists() and not folder.is_dir():
                raise ResultsError(f"--results {self.root}: expected a folder, got a file at {folder}",
                                   hint="name a folder (created if missing), e.g. --results results")
        base = self.root / RUNS
        if base.is_dir():
            for path in sorted(base.glob("*/*/*.json")):
                _read(path)

    def rows(self) -> Iterator[Row]:
        """Every stored row."""
        base = self.root / RUNS
        if not base.is_dir():
            return
        for path in sorted(base.glob("*/*/*.json")):
            yield from _read(path).values()
