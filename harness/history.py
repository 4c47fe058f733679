"""Historical bugs: their documented metadata, and the verdict on what was observed.

Each file in ``cases/history/`` describes one real, documented TensorFlow
convolution bug.  It is a user case file (``case_<name>(tf, np)`` functions,
optional ``expect_<name>(np)``) plus a module-level ``BUG`` dict:

``id``             the file's stem, ``[a-z0-9_]+`` (``tfsa_2021_015``)
``title``          one line
``source``         list of URLs: the issue, the advisory, the release notes
``kind``           ``wrong-result`` | ``crash`` | ``error-became-supported`` | ``regression``
``affected``       the documented affected range, as the source words it
``fixed_in``       every release the sources name as fixed (backports included)
``last_affected``  the release the harness runs expecting the bug
``first_fixed``    the release the harness runs expecting the fix; with
                   ``last_affected`` the documented boundary
``good_when``      ``pass`` (wrong results, errors), ``no-crash`` (crashes: a clean
                   exception counts as fixed) or ``rejects`` (bad input that old
                   releases silently accepted: only a clean exception is fixed)
optional:
``introduced_in`` / ``last_unaffected``  for a regression: the second boundary
``bisect_from``    where ``--bisect`` starts (default: ``last_affected``'s X.Y.0)
``note``           what was found when checking it here: shown in the report

Pure: no I/O beyond reading the files; the command that measures lives in
``harness/commands/reproduce.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from harness.cases import Case, load_user_file
from harness.data import cases_dir
from harness.errors import UsageError
from harness.outcome import GOOD_WHEN_CHOICES, GoodWhen, Outcome, is_good

HISTORY_DIR = cases_dir() / "history"
KINDS = ("wrong-result", "crash", "error-became-supported", "regression")
REQUIRED = {"id": str, "title": str, "source": list, "kind": str, "affected": str,
            "fixed_in": list, "last_affected": str, "first_fixed": str, "good_when": str}
OPTIONAL = {"introduced_in": str, "last_unaffected": str, "bisect_from": str, "note": str}
GOOD_WHEN = (*GOOD_WHEN_CHOICES, "rejects")
# Worst first: the outcome that stands for a bug whose cases disagree.
SEVERITY = (Outcome.CRASH, Outcome.TIMEOUT, Outcome.WRONG, Outcome.ERROR, Outcome.UNSUPPORTED,
            Outcome.SKIP, Outcome.PASS)


def _version(value: str, key: str, where: str) -> Version:
    try:
        return Version(value)
    except InvalidVersion:
        raise UsageError(f"{where}: BUG[{key!r}] = {value!r} is not a release version") from None


def validate(meta: object, *, where: str = "BUG", stem: str | None = None) -> list[str]:
    """Every problem with a ``BUG`` dict, as sentences; empty when it is valid."""
    if not isinstance(meta, Mapping):
        return [f"{where}: expected a module-level dict BUG, got {type(meta).__name__}"]
    problems = []
    for key, kind in REQUIRED.items():
        if key not in meta:
            problems.append(f"{where}: BUG has no {key!r}")
        elif not isinstance(meta[key], kind):
            problems.append(f"{where}: BUG[{key!r}] must be a {kind.__name__}, got {meta[key]!r}")
    for key, kind in OPTIONAL.items():
        if key in meta and not isinstance(meta[key], kind):
            problems.append(f"{where}: BUG[{key!r}] must be a {kind.__name__}, got {meta[key]!r}")
    unknown = set(meta) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        problems.append(f"{where}: BUG has unknown keys {sorted(unknown)}")
    if problems:
        return problems
    if not re.fullmatch(r"[a-z0-9_]+", meta["id"]):
        problems.append(f"{where}: BUG['id'] must be [a-z0-9_]+, got {meta['id']!r}")
    if stem is not None and meta["id"] != stem:
        problems.append(f"{where}: BUG['id'] {meta['id']!r} must equal the file name {stem!r}")
    if meta["kind"] not in KINDS:
        problems.append(f"{where}: BUG['kind'] must be one of {', '.join(KINDS)}, got {meta['kind']!r}")
    if meta["good_when"] not in GOOD_WHEN:
        problems.append(f"{where}: BUG['good_when'] must be one of {GOOD_WHEN}, "
                        f"got {meta['good_when']!r}")
    if not meta["source"] or not all(isinstance(s, str) and s.startswith("http") for s in meta["source"]):
        problems.append(f"{where}: BUG['source'] must be a non-empty list of URLs")
    versions = {}
    for key in ("last_affected", "first_fixed", "introduced_in", "last_unaffected", "bisect_from"):
        if key in meta:
            try:
                versions[key] = _version(meta[key], key, where)
            except UsageError as exc:
                problems.append(str(exc))
    for value in meta["fixed_in"]:
        try:
            _version(value, "fixed_in", where)
        except UsageError as exc:
            problems.append(str(exc))
    if "last_affected" in versions and "first_fixed" in versions:
        if versions["last_affected"] >= versions["first_fixed"]:
            problems.append(f"{where}: last_affected {meta['last_affected']} must come before "
                            f"first_fixed {meta['first_fixed']}")
        if meta["first_fixed"] not in meta["fixed_in"]:
            problems.append(f"{where}: first_fixed {meta['first_fixed']} must be one of fixed_in")
    if ("introduced_in" in meta) != ("last_unaffected" in meta):
        problems.append(f"{where}: give both introduced_in and last_unaffected, or neither")
    elif "introduced_in" in versions and "last_unaffected" in versions:
        if not versions["last_unaffected"] < versions["introduced_in"] <= versions.get(
                "last_affected", versions["introduced_in"]):
            problems.append(f"{where}: expected last_unaffected < introduced_in <= last_affected")
    return problems


@dataclass(frozen=True)
class Bug:
    """One historical bug: its metadata and the cases that reproduce it."""

    meta: Mapping[str, object]
    cases: tuple[Case, ...]
    path: str = ""

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def good_when(self) -> str:
        return str(self.meta["good_when"])

    def expectations(self) -> dict[str, bool]:
        """Release -> expected verdict (True good, False bad) on the documented boundaries."""
        out = {str(self.meta["last_affected"]): False, str(self.meta["first_fixed"]): True}
        if "introduced_in" in self.meta:
            out[str(self.meta["last_unaffected"])] = True
            out[str(self.meta["introduced_in"])] = False
        return out


def load_bug(path: Path) -> Bug:
    """A ``Bug`` from one history file; ``UsageError`` naming every problem."""
    cases = load_user_file(path)
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # already parsed as 3.6 above
    problems = validate(namespace.get("BUG"), where=str(path), stem=path.stem)
    if problems:
        raise UsageError("; ".join(problems))
    return Bug(namespace["BUG"], tuple(cases), str(path))


def load_bugs(folder: Path = HISTORY_DIR, names: Sequence[str] = ()) -> list[Bug]:
    """Every bug in ``folder`` (sorted by id), or those whose id matches ``names`` (globs)."""
    import fnmatch

    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not files:
        raise UsageError(f"no history files in {folder}")
    bugs = [load_bug(p) for p in files]
    if not names:
        return bugs
    chosen = [b for b in bugs if any(fnmatch.fnmatchcase(b.id, n) for n in names)]
    missing = [n for n in names if not any(fnmatch.fnmatchcase(b.id, n) for b in bugs)]
    if missing:
        raise UsageError(f"no historical bug named {', '.join(missing)}",
                         hint=f"known: {', '.join(b.id for b in bugs)}")
    return chosen


def bisect_items(releases: Sequence, bug: Bug) -> list:
    """The releases ``--bisect`` searches for ``bug``, oldest first.

    From ``bisect_from`` (default: ``last_affected``'s X.Y.0) to
    ``first_fixed``, keeping only releases published before ``first_fixed``
    was (a later patch of an older line may carry the backported fix, which
    would make the sequence non-monotone).  When ``first_fixed`` is itself a
    backport (X.Y.Z, Z > 0) only its own X.Y line is searched.  ``releases``
    are catalog ``Release`` objects (``version``, ``upload_time``).
    """
    first_fixed = Version(str(bug.meta["first_fixed"]))
    last_affected = Version(str(bug.meta["last_affected"]))
    start = Version(str(bug.meta.get("bisect_from") or f"{last_affected.major}.{last_affected.minor}.0"))
    by_version = {r.version: r for r in releases}
    fixed = by_version.get(first_fixed)
    cut = fixed.upload_time if fixed is not None else None
    out = []
    for r in releases:
        if not start <= r.version <= first_fixed:
            continue
        if first_fixed.micro > 0 and r.version.release[:2] != first_fixed.release[:2]:
            continue
        if cut is not None and r.upload_time is not None and r.upload_time > cut:
            continue
        out.append(r)
    return out


# ---------------------------------------------------------------- verdicts

@dataclass(frozen=True)
class Observation:
    """A bug in one release: the outcome standing for its cases, and the verdict."""

    version: str
    outcome: Outcome
    good: bool | None  # None: could not be measured
    detail: str = ""
    case: str = ""  # the case whose outcome stands for the bug (the worst one)


def good(outcome: Outcome, good_when: str) -> bool | None:
    """``is_good`` plus ``rejects``: fixed means the release raises a clean exception."""
    if good_when == "rejects":
        return None if outcome is Outcome.SKIP else outcome is Outcome.ERROR
    when: GoodWhen = "no-crash" if good_when == "no-crash" else "pass"
    return is_good(outcome, when)


def observe(version: str, outcomes: Mapping[str, tuple[Outcome, str]], good_when: str) -> Observation:
    """Combine the outcomes of a bug's cases in one release.

    The bug is good only when every case is good, bad when any case is bad,
    and unknown when a case could not be measured and none is bad.  The
    outcome shown is that of a case deciding the verdict (a bad one when
    there is one; the worst by severity among those), with its detail.
    """
    verdicts = {name: good(o, good_when) for name, (o, _) in outcomes.items()}
    values = list(verdicts.values())
    verdict = False if False in values else (None if None in values else True)
    # The case shown is one that decides the verdict: a bad one if any, the worst first.
    shown = min(outcomes, key=lambda n: (verdicts[n] is not False, SEVERITY.index(outcomes[n][0])))
    outcome, detail = outcomes[shown]
    return Observation(version, outcome, verdict, detail, shown)


@dataclass(frozen=True)
class Verdict:
    """Documented boundary versus what the harness observed."""

    bug: str
    status: str  # "agree" | "disagree" | "unknown"
    observed: tuple[Observation, ...]
    mismatches: tuple[str, ...] = ()
    bisected: tuple[str, str] | None = None  # (last bad, first good) found by --bisect
    bisect_note: str = ""


def judge_bug(bug: Bug, observations: Mapping[str, Observation]) -> Verdict:
    """Agree when every documented boundary release behaves as documented."""
    mismatches, unknown = [], []
    for version, expected in bug.expectations().items():
        seen = observations.get(version)
        if seen is None or seen.good is None:
            unknown.append(version)
        elif seen.good != expected:
            word = "fixed" if expected else "affected"
            mismatches.append(f"{version}: documented {word}, observed {seen.outcome}")
    status = "disagree" if mismatches else ("unknown" if unknown else "agree")
    if unknown:
        mismatches.append(f"not measured: {', '.join(unknown)}")
    ordered = tuple(observations[v] for v in sorted(observations, key=Version))
    return Verdict(bug.id, status, ordered, tuple(mismatches))


def describe(obs: Observation) -> str:
    """``2.4.1 crash (SIGFPE)``: a release and, briefly, what the bug did there."""
    short = ""
    if obs.outcome in (Outcome.CRASH, Outcome.TIMEOUT):
        short = obs.detail.split(":")[0]
    elif obs.outcome is Outcome.ERROR:
        short = obs.detail.split(":")[0]  # the exception class
    elif obs.outcome is Outcome.WRONG and obs.detail.startswith("at "):
        short = obs.detail.split("(")[0].strip()
    return f"{obs.version} {obs.outcome}" + (f" ({short})" if short else "")


def explain(obs: Observation) -> str:
    """The full story of one observation, for the notes."""
    text = f"{obs.version}: {obs.outcome}"
    if obs.detail:
        text += f" -- {obs.detail}"
    return text + (f" (case {obs.case})" if obs.case else "")


# ---------------------------------------------------------------- rendering

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table_rows(bugs: Iterable[Bug], verdicts: Mapping[str, Verdict]) -> list[dict[str, str]]:
    """One row per bug: the columns of the printed and Markdown tables."""
    rows = []
    for bug in bugs:
        v = verdicts[bug.id]
        fixed_in = [str(x) for x in bug.meta["fixed_in"]]  # type: ignore[union-attr]
        documented = str(bug.meta["first_fixed"])
        if fixed_in != [documented]:
            documented += f" (of {', '.join(fixed_in)})"
        row = {
            "bug": bug.id,
            "kind": str(bug.meta["kind"]),
            "documented fix": documented,
            "expected": f"{bug.meta['last_affected']} bad -> {bug.meta['first_fixed']} good",
            "observed": " -> ".join(describe(o) for o in v.observed),
            "verdict": v.status,
        }
        if v.bisected is not None or v.bisect_note:
            found = f"{v.bisected[0]} -> {v.bisected[1]}" if v.bisected else "none found"
            row["bisected"] = found + (f" ({v.bisect_note})" if v.bisect_note else "")
        rows.append(row)
    return rows


def markdown_table(rows: Sequence[Mapping[str, str]]) -> str:
    """A GitHub-flavoured Markdown table of ``rows`` (columns from the first row, plus any later)."""
    if not rows:
        return ""
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


@dataclass
class Report:
    """Everything the Markdown report needs."""

    bugs: Sequence[Bug]
    verdicts: Mapping[str, Verdict]
    header: Sequence[str] = field(default_factory=list)

    def markdown(self) -> str:
        rows = table_rows(self.bugs, self.verdicts)
        counts = {s: sum(v.status == s for v in self.verdicts.values())
                  for s in ("agree", "disagree", "unknown")}
        out = ["# Historical TensorFlow convolution bugs: documented fix vs observed", ""]
        out += list(self.header)
        out += ["", f"{counts['agree']} agree, {counts['disagree']} disagree, "
                f"{counts['unknown']} could not be measured.", "", markdown_table(rows), "",
                "## Notes", ""]
        for bug in self.bugs:
            v = self.verdicts[bug.id]
            out.append(f"### {bug.id}: {bug.meta['title']} ({v.status})")
            out.append("")
            out.append(f"Sources: {', '.join(bug.meta['source'])}  ")  # type: ignore[arg-type]
            out.append(f"Documented: affected {bug.meta['affected']}; fixed in "
                       f"{', '.join(bug.meta['fixed_in'])}.  ")  # type: ignore[arg-type]
            out.append("Observed: " + "; ".join(explain(o) for o in v.observed) + ".  ")
            if v.mismatches:
                out.append(f"Mismatch: {'; '.join(v.mismatches)}.  ")
            if v.bisected or v.bisect_note:
                out.append(f"Bisection: {table_rows([bug], {bug.id: v})[0].get('bisected', '')}.  ")
            if bug.meta.get("note"):
                out.append(f"Note: {bug.meta['note']}")
            out.append("")
        return "\n".join(out).rstrip() + "\n"
