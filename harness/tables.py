"""The compatibility table: stored rows -> cases x releases, pure pandas.

No I/O here: ``harness.commands.report`` loads the stores and writes the
files, ``harness.transitions`` finds where outcomes change,
``harness.render`` and ``harness.heatmap`` draw.  Everything works on the
tidy frame :func:`frame` builds, one row per stored result.

Dimensions.  A table row is one (case, variant, machine): a variant
(``default``, ``onednn-off``, ...) and a machine (the CPU model) are never
mixed, because a release can pass on one CPU or variant and fail on
another.  A table column is one release; when the same release was measured
with more than one interpreter (a forced ``--python``), each interpreter is
its own column (``1.13.1 py3.6``, ``1.13.1 py3.7``), so nothing is averaged
away.  Releases are ordered with ``packaging.version.Version``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from packaging.version import InvalidVersion, Version

from harness.errors import UsageError
from harness.results import Row
from harness.transitions import SERIES, Transition, transitions

KEYS = list(SERIES)  # one table row = one transition series
UNKNOWN_MACHINE = "unknown"
COLUMNS = ["case", "package", "version", "python", "variant", "outcome", "max_abs_error",
           "detail", "machine", "recorded_at", "source"]


def frame(rows: Iterable[Row], *, source: int = 0) -> pd.DataFrame:
    """Rows as a tidy DataFrame: the public row fields, plus ``machine`` (the
    CPU model, ``unknown`` when not recorded), ``recorded_at`` and ``source``
    (the position of the store the row came from, later stores win ties).
    ``max_abs_error`` is a float (``inf`` kept, ``None`` -> NaN)."""
    records = [dict(
        case=r.case, package=r.package, version=r.version, python=r.python, variant=r.variant,
        outcome=r.outcome.value, max_abs_error=r.max_abs_error, detail=r.detail,
        machine=(r.machine or {}).get("cpu") or UNKNOWN_MACHINE, recorded_at=r.recorded_at,
        source=source) for r in rows]
    df = pd.DataFrame.from_records(records, columns=COLUMNS)
    return df.astype({"max_abs_error": float, "recorded_at": float, "source": int})


def _minor(python: str) -> str:
    return ".".join(python.split(".")[:2]) if python else ""


def merge(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames of several stores and drop superseded rows.

    A row is identified by (package, version, interpreter X.Y, variant,
    machine, case), like a run file plus the machine: of duplicates the most
    recently recorded wins (ties: the later store).  A ``skip`` row without
    an interpreter ("no interpreter here") is dropped when the same
    (package, version, variant, machine, case) was measured with one, e.g.
    on another run after installing that Python.
    """
    df = pd.concat(list(frames), ignore_index=True) if frames else frame([])
    df = df.assign(pyminor=df["python"].map(_minor))
    key = ["package", "version", "pyminor", "variant", "machine", "case"]
    df = (df.sort_values(["recorded_at", "source"], kind="stable")
            .drop_duplicates(key, keep="last"))
    has_python = (df["pyminor"] != "").groupby(
        [df[k] for k in ("package", "version", "variant", "machine", "case")]).transform("any")
    df = df[(df["pyminor"] != "") | ~has_python]
    return df.sort_values(["package", *KEYS, "version", "pyminor"]).reset_index(drop=True)


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise UsageError(f"stored version {text!r} is not a PEP 440 version",
                         hint="the store was edited by hand or written by another tool") from None


def select(df: pd.DataFrame, *, package: str, from_: str | None = None, to: str | None = None,
           versions: Sequence[str] = (), case_patterns: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of one package within a release range and matching case globs.

    Filters work on the stored versions alone (no catalog: the reporter runs
    offline on copied stores).  Nothing left is a ``UsageError`` that names
    what the stores do hold.
    """
    out = df[df["package"] == package]
    if out.empty:
        held = ", ".join(sorted(set(df["package"]))) or "nothing"
        raise UsageError(f"no stored rows of {package}; the stores hold {held}",
                         hint="pick one with --package")
    parsed = out["version"].map(_version)
    keep = pd.Series(True, index=out.index)
    if versions:
        wanted = {_version(v) for v in versions}
        keep &= parsed.map(lambda v: v in wanted)
    if from_:
        keep &= parsed >= _version(from_)
    if to:
        keep &= parsed <= _version(to)
    if case_patterns:
        keep &= out["case"].map(lambda c: any(fnmatch.fnmatchcase(c, p) for p in case_patterns))
    out = out[keep]
    if out.empty:
        raise UsageError(f"no stored rows of {package} match the --from/--to/--versions/--case given",
                         hint="drop a filter; `report` without filters shows everything stored")
    return out


def release_labels(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``release`` (the column label) and ``order`` (its rank, oldest first).

    The label is the version, with `` py3.7`` appended when that version was
    measured with more than one interpreter in ``df``.
    """
    pyminor = df["python"].map(_minor)
    several = pyminor.groupby(df["version"]).transform("nunique") > 1
    suffix = pyminor.map(lambda m: f" py{m}" if m else " (no python)")
    label = df["version"].where(~several, df["version"] + suffix)
    keys = {lab: (_version(v), tuple(int(p) for p in m.split(".") if p.isdigit()))
            for lab, v, m in zip(label, df["version"], pyminor)}
    ranks = {lab: n for n, lab in enumerate(sorted(keys, key=keys.__getitem__))}
    return df.assign(release=label, order=label.map(ranks))


def grid(df: pd.DataFrame) -> pd.DataFrame:
    """Outcomes as cases x releases: index (case, variant, machine), one
    column per release label in version order, ``""`` where not measured."""
    if "release" not in df:
        df = release_labels(df)
    order = df.drop_duplicates("release").sort_values("order")["release"].tolist()
    table = df.pivot(index=KEYS, columns="release", values="outcome")
    return table.reindex(columns=order).fillna("").sort_index()


def runs(table: pd.DataFrame) -> list[list[str]]:
    """Maximal runs of consecutive columns whose outcomes (over all rows) are identical."""
    groups: list[list[str]] = []
    previous = None
    for label in table.columns:
        column = tuple(table[label])
        if groups and column == previous:
            groups[-1].append(label)
        else:
            groups.append([label])
        previous = column
    return groups


def range_label(members: Sequence[str]) -> str:
    """``1.0.0`` for one release, ``1.0.0-1.4.1`` for a run."""
    return members[0] if len(members) == 1 else f"{members[0]}-{members[-1]}"


def collapse(table: pd.DataFrame) -> pd.DataFrame:
    """The grid with runs of identical columns merged into release ranges."""
    groups = runs(table)
    out = pd.DataFrame({range_label(g): table[g[0]] for g in groups}, index=table.index)
    out.columns.name = "releases"
    return out


def skipped(df: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Releases with ``skip`` rows and their distinct reasons, in release order."""
    skips = df[df["outcome"] == "skip"].sort_values(["order", "detail"])
    return [(group["release"].iloc[0], list(dict.fromkeys(group["detail"])))
            for _, group in skips.groupby("order", sort=True)]


def machine_names(df: pd.DataFrame) -> dict[str, str]:
    """Short names ``m1``, ``m2``... for the machines (CPU models), sorted."""
    return {m: f"m{n}" for n, m in enumerate(sorted(set(df["machine"])), 1)}


@dataclass(frozen=True)
class Report:
    """Everything the renderers need, computed once from the merged rows."""

    package: str
    rows: pd.DataFrame  # merged, selected, labelled
    grid: pd.DataFrame  # cases x every release
    table: pd.DataFrame  # cases x release ranges
    transitions: tuple[Transition, ...]
    machines: dict[str, str]  # CPU model -> short name
    variants: tuple[str, ...]  # "default" first
    sources: tuple[str, ...]

    @property
    def releases(self) -> list[str]:
        return list(self.grid.columns)


def build(df: pd.DataFrame, *, package: str, sources: Sequence[str] = ()) -> Report:
    """Merged rows of one package (``merge`` then ``select``) -> the report's
    tables and transitions."""
    rows = release_labels(df)
    table = grid(rows)
    return Report(package=package, rows=rows, grid=table, table=collapse(table),
                  transitions=tuple(transitions(rows)), machines=machine_names(rows),
                  variants=tuple(sorted(set(rows["variant"]), key=lambda v: (v != "default", v))),
                  sources=tuple(sources))
