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
``not_observable`` why the bug cannot be observed with a CPU wheel (GPU-only kernel,
                   a crafted TFLite model the advisory does not give): the entry is
                   listed with this reason and nothing is run; it needs no case

Every release in ``fixed_in`` is checked, each with the last release before it
on its own line (for an X.Y.0, the newest earlier release published before it
that is not itself listed as fixed): ``line_checks``.  ``FixSearch`` finds the
boundary from the catalog alone, without reading any documented version.

Pure: no I/O beyond reading the files; the command that measures lives in
``harness/commands/reproduce.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from harness.bisection import Bisection
from harness.cases import Case, load_user_file, reject_newer_nodes
from harness.data import cases_dir
from harness.errors import UsageError
from harness.outcome import GOOD_WHEN_CHOICES, GoodWhen, Outcome, is_good

HISTORY_DIR = cases_dir() / "history"
KINDS = ("wrong-result", "crash", "error-became-supported", "regression")
REQUIRED = {"id": str, "title": str, "source": list, "kind": str, "affected": str,
            "fixed_in": list, "last_affected": str, "first_fixed": str, "good_when": str}
OPTIONAL = {"introduced_in": str, "last_unaffected": str, "bisect_from": str, "note": str,
            "not_observable": str}
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
    import ast

    text = path.read_text()
    try:
        reject_newer_nodes(ast.parse(text, filename=str(path), feature_version=(3, 6)))
    except SyntaxError as exc:
        raise UsageError(f"{path}: not Python 3.6 syntax (line {exc.lineno}: {exc.msg})") from None
    namespace: dict = {}
    try:
        exec(compile(text, str(path), "exec"), namespace)
    except Exception as exc:  # noqa: BLE001 - any import-time failure is the file's problem
        raise UsageError(f"{path}: importing it raised {type(exc).__name__}: {exc}") from None
    problems = validate(namespace.get("BUG"), where=str(path), stem=path.stem)
    if problems:
        raise UsageError("; ".join(problems))
    has_cases = any(k.startswith("case_") and callable(v) for k, v in namespace.items())
    if not has_cases and "not_observable" in namespace["BUG"]:
        return Bug(namespace["BUG"], (), str(path))
    return Bug(namespace["BUG"], tuple(load_user_file(path)), str(path))


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


@dataclass(frozen=True)
class Check:
    """One release to run for a bug, and what its documentation says it should show."""

    line: str  # "2.4": the release line the check belongs to
    version: str
    expected: bool  # True: documented fixed; False: documented affected
    role: str  # "last affected" | "patched" | "last unaffected" | "introduced"


def _line(v: Version) -> str:
    return f"{v.major}.{v.minor}"


def line_checks(bug: Bug, releases: Sequence) -> list[Check]:
    """For every release in ``fixed_in``: the last release before it on its line, and it.

    ``releases`` are catalog ``Release`` objects (``version``, ``upload_time``).
    For a patch release X.Y.Z (Z > 0) the last affected is the newest X.Y
    release below it.  For an X.Y.0 it is the newest earlier release published
    before X.Y.0 that is not itself listed as fixed (the previous line's last
    unpatched release), unless that X.Y.0 is the documented ``first_fixed``:
    then the documented ``last_affected`` is used.  A listed release missing from the catalog is still
    checked (and reported as not measured); a line with nothing before it in
    the catalog gets only its patched release.
    """
    finals = [r for r in releases if not r.version.is_prerelease and not r.version.is_devrelease]
    by_version = {r.version: r for r in finals}
    fixed = sorted({Version(str(v)) for v in bug.meta["fixed_in"]})  # type: ignore[union-attr]
    out = []
    for f in fixed:
        release = by_version.get(f)
        cut = release.upload_time if release is not None else None
        if f.micro > 0:
            before = [r for r in finals if r.version.release[:2] == f.release[:2] and r.version < f]
        elif str(f) == str(bug.meta["first_fixed"]):
            # the sources name the release before this fix themselves (a GitHub issue's
            # reported version): check that one, not a guess of ours
            out.append(Check(_line(f), str(bug.meta["last_affected"]), False, "last affected"))
            out.append(Check(_line(f), str(f), True, "patched"))
            continue
        else:
            # a later patch of a line whose listed fix it follows is presumed fixed too
            before = [r for r in finals if r.version < f and r.version not in fixed
                      and (cut is None or r.upload_time is None or r.upload_time <= cut)
                      and not any(g.release[:2] == r.version.release[:2] and g <= r.version
                                  for g in fixed)]
        if before:
            last = max(before, key=lambda r: r.version)
            out.append(Check(_line(f), str(last.version), False, "last affected"))
        out.append(Check(_line(f), str(f), True, "patched"))
    return out


def checks_for(bug: Bug, releases: Sequence) -> list[Check]:
    """Every release the report runs for ``bug``, oldest first, one row per release.

    The documented boundary (``last_affected`` -> ``first_fixed``, and for a
    regression ``last_unaffected`` -> ``introduced_in``) plus ``line_checks``.
    """
    if "not_observable" in bug.meta:
        return []
    rows: dict[str, Check] = {}
    documented = [Check(_line(Version(str(bug.meta["last_affected"]))), str(bug.meta["last_affected"]),
                        False, "last affected"),
                  Check(_line(Version(str(bug.meta["first_fixed"]))), str(bug.meta["first_fixed"]),
                        True, "patched")]
    if "introduced_in" in bug.meta:
        documented += [Check(_line(Version(str(bug.meta["last_unaffected"]))),
                             str(bug.meta["last_unaffected"]), True, "last unaffected"),
                       Check(_line(Version(str(bug.meta["introduced_in"]))),
                             str(bug.meta["introduced_in"]), False, "introduced")]
    for check in documented + line_checks(bug, releases):
        rows.setdefault(check.version, check)
    return sorted(rows.values(), key=lambda c: Version(c.version))


# ---------------------------------------------------------------- the search without the docs

@dataclass(frozen=True)
class SearchResult:
    """What ``FixSearch`` found: the mainline change and, for a fix, each line's backport."""

    transition: tuple[str, str] | None  # (last X.Y.0 with the old verdict, first with the new)
    direction: str  # "fix" | "regression" | "none"
    lines: tuple[tuple[str, str | None], ...] = ()  # (line, first fixed release or None: never)
    probes: int = 0
    note: str = ""

    def backport(self, line: str) -> tuple[bool, str | None]:
        """(was the line searched, its first fixed release or None)."""
        for name, first in self.lines:
            if name == line:
                return True, first
        return False, None


class FixSearch:
    """Find where a bug's verdict changes from the catalog alone (no documented version read).

    Mainline: the X.Y.0 releases in version order (which is also time order).
    It probes the newest, then gallops back (1, 2, 4, ... releases) until the
    verdict differs, then bisects inside that bracket, stepping over releases
    that cannot be measured.  For a fix, the ``lines_back`` lines that end at
    the last bad X.Y.0 are then checked: a line whose X.Y.0 is bad and whose
    last release is good is bisected to its first good release; a line whose
    last release is still bad never got the fix.  ``releases`` are the
    installable final releases; ``lines_back`` is TensorFlow's usual security
    window (the fix lands on the newest three or four lines).
    """

    def __init__(self, releases: Sequence, lines_back: int = 4) -> None:
        finals = sorted((r for r in releases if not r.version.is_prerelease
                         and not r.version.is_devrelease), key=lambda r: r.version)
        self.mainline = [str(r.version) for r in finals if r.version.micro == 0]
        self.by_line: dict[str, list[str]] = {}
        for r in finals:
            self.by_line.setdefault(_line(r.version), []).append(str(r.version))
        self.lines_back = lines_back
        self.known: dict[str, bool | None] = {}
        self._step = 1
        self._bracket: tuple[int, int] | None = None
        self._inner: Bisection | None = None
        self._lines_todo: list[str] | None = None
        self._line_search: tuple[str, Bisection] | None = None
        self._line_results: dict[str, str | None] = {}

    # -- driving ---------------------------------------------------------
    def record(self, version: str, verdict: bool | None) -> None:
        self.known[version] = verdict

    def next_probe(self) -> str | None:
        """The release to measure next, or None when the search is over."""
        while True:
            probe = self._step_once()
            if probe is None or probe not in self.known:
                return probe

    def _step_once(self) -> str | None:
        if not self.mainline:
            return None
        if self._bracket is None:
            return self._gallop()
        if self._inner is not None:
            lo, hi = self._bracket
            sub = self.mainline[lo:hi + 1]
            for i, v in enumerate(sub):
                if v in self.known:
                    self._inner.record(i, self.known[v])
            probe = self._inner.next_probe()
            if probe is not None:
                return sub[probe]
            self._inner = None
        return self._lines_step()

    def _ref(self) -> tuple[int, bool] | None:
        """The newest mainline release with a known verdict."""
        for i in range(len(self.mainline) - 1, -1, -1):
            v = self.known.get(self.mainline[i])
            if v is not None:
                return i, v
        return None

    def _gallop(self) -> str | None:
        m = self.mainline
        ref = self._ref()
        if ref is None:
            unprobed = [v for v in m if v not in self.known]
            return unprobed[-1] if unprobed else None
        top, verdict = ref
        # the oldest known release with a different verdict, newer than any unknown gap
        for i in range(top - 1, -1, -1):
            v = self.known.get(m[i], "unprobed")
            if v is not None and v != "unprobed" and v != verdict:
                newer_same = min(j for j in range(i + 1, top + 1) if self.known.get(m[j]) == verdict)
                self._bracket = (i, newer_same)
                self._inner = Bisection(newer_same - i + 1)
                return self._step_once()
        # the oldest release known to share the newest verdict, and below it the newest
        # one that could not be measured (an API the old release lacks): gallop down
        # until a release cannot be measured, then bisect between the two for one that can
        same_lo = min(i for i in range(top + 1) if self.known.get(m[i]) == verdict)
        floors = [i for i in range(same_lo) if m[i] in self.known and self.known[m[i]] is None]
        floor = max(floors) if floors else None
        if floor is None:
            if same_lo == 0:
                return None  # reached the oldest release: no change
            nxt = max(0, same_lo - self._step)
            self._step *= 2
            return m[nxt]
        candidates = [i for i in range(floor + 1, same_lo) if m[i] not in self.known]
        if not candidates:
            return None  # nothing measurable below: no change found
        middle = (floor + same_lo) / 2
        return m[min(candidates, key=lambda i: (abs(i - middle), -i))]

    def _mainline_transition(self) -> tuple[str, str, bool, bool] | None:
        if self._bracket is None:
            return None
        lo, hi = self._bracket
        sub = self.mainline[lo:hi + 1]
        known = [(v, self.known[v]) for v in sub if self.known.get(v) is not None]
        old_verdict, new_verdict = known[0][1], known[-1][1]
        first_new = next(v for v, k in known if k == new_verdict)
        last_old = [v for v, k in known if k == old_verdict and Version(v) < Version(first_new)][-1]
        return last_old, first_new, bool(old_verdict), bool(new_verdict)

    def _lines_step(self) -> str | None:
        found = self._mainline_transition()
        if found is None:
            return None
        last_old, _first_new, old_good, new_good = found
        if old_good or not new_good:
            return None  # a regression: only the mainline change is reported
        if self._lines_todo is None:
            names = sorted({_line(Version(v)) for v in self.mainline}, key=Version)
            upto = [n for n in names if Version(n) <= Version(_line(Version(last_old)))]
            self._lines_todo = upto[-self.lines_back:]
        while True:
            if self._line_search is not None:
                name, search = self._line_search
                releases = self.by_line[name]
                for i, v in enumerate(releases):
                    if v in self.known:
                        search.record(i, self.known[v])
                probe = search.next_probe()
                if probe is not None:
                    return releases[probe]
                self._line_search = None
                bracket = search.bracket()
                fixed = bracket is not None and search.known[bracket[1]]
                self._line_results[name] = releases[bracket[1]] if fixed else None
                continue
            if not self._lines_todo:
                return None
            name = self._lines_todo[0]
            releases = self.by_line.get(name, [])
            if not releases:
                self._lines_todo.pop(0)
                continue
            first, last = releases[0], releases[-1]
            if first not in self.known:
                return first
            if self.known[first] is not False:  # X.Y.0 good or unmeasurable: nothing to find
                self._lines_todo.pop(0)
                continue
            if last == first:  # no patch release on this line
                self._lines_todo.pop(0)
                self._line_results[name] = None
                continue
            if last not in self.known:
                return last
            self._lines_todo.pop(0)
            self._line_search = (name, Bisection(len(releases)))

    def result(self) -> SearchResult:
        probes = sum(1 for _ in self.known)
        found = self._mainline_transition()
        measured = [v for v in self.mainline if self.known.get(v) is not None]
        span = (f"{len(measured)} of {len(self.mainline)} X.Y.0 releases measured"
                f" ({measured[0]}..{measured[-1]})" if measured else "no X.Y.0 release measured")
        if found is None:
            ends = sorted({str(self.known[v]) for v in measured})
            return SearchResult(None, "none", (), probes, f"{span}; no change ({', '.join(ends) or 'nothing'})")
        last_old, first_new, old_good, new_good = found
        direction = "fix" if new_good and not old_good else "regression"
        lines = tuple(sorted(self._line_results.items(), key=lambda kv: Version(kv[0])))
        return SearchResult((last_old, first_new), direction, lines, probes, span)


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
    """``is_good`` plus ``rejects``: fixed means the release raises a clean exception.

    ``unsupported`` (the release's API cannot express the case, e.g. no
    ``tf.raw_ops`` yet) says nothing about the bug: unknown, like ``skip``.
    """
    if outcome is Outcome.UNSUPPORTED:
        return None
    if good_when == "rejects":
        return None if outcome is Outcome.SKIP else outcome is Outcome.ERROR
    when: GoodWhen = "no-crash" if good_when == "no-crash" else "pass"
    return is_good(outcome, when)


_MISSING_API = re.compile(r"^(AttributeError|ImportError|ModuleNotFoundError)\b"
                          r"|^TypeError: .*(unexpected keyword argument|missing \d+ required)")


def lacks_api(outcome: Outcome, detail: str) -> bool:
    """An error that says the release cannot express the case (no such function or argument).

    ``tf.raw_ops`` appeared in 1.13/2.0 and op arguments were added over time: on
    older releases the case fails in Python before reaching the kernel, which
    says nothing about the bug (like ``unsupported``).
    """
    return outcome is Outcome.ERROR and bool(_MISSING_API.search(detail or ""))


def observe(version: str, outcomes: Mapping[str, tuple[Outcome, str]], good_when: str) -> Observation:
    """Combine the outcomes of a bug's cases in one release.

    The bug is good only when every case is good, bad when any case is bad,
    and unknown when a case could not be measured and none is bad.  The
    outcome shown is that of a case deciding the verdict (a bad one when
    there is one; the worst by severity among those), with its detail.
    """
    verdicts = {name: None if lacks_api(o, d) else good(o, good_when)
                for name, (o, d) in outcomes.items()}
    values = list(verdicts.values())
    verdict = False if False in values else (None if None in values else True)
    # The case shown is one that decides the verdict: a bad one if any, the worst first.
    shown = min(outcomes, key=lambda n: (verdicts[n] is not False, SEVERITY.index(outcomes[n][0])))
    outcome, detail = outcomes[shown]
    return Observation(version, outcome, verdict, detail, shown)


@dataclass(frozen=True)
class Row:
    """One checked release of one bug: documented versus observed."""

    check: Check
    observation: Observation | None

    @property
    def status(self) -> str:
        seen = self.observation
        if seen is None or seen.good is None:
            return "unknown"
        return "agree" if seen.good == self.check.expected else "disagree"


@dataclass(frozen=True)
class Verdict:
    """Documented boundaries versus what the harness observed."""

    bug: str
    status: str  # "agree" | "disagree" | "unknown" | "not observable"
    rows: tuple[Row, ...]
    mismatches: tuple[str, ...] = ()
    search: SearchResult | None = None  # what --bisect found without the docs

    @property
    def observed(self) -> tuple[Observation, ...]:
        return tuple(r.observation for r in self.rows if r.observation is not None)


def judge_bug(bug: Bug, observations: Mapping[str, Observation], checks: Sequence[Check],
              search: SearchResult | None = None) -> Verdict:
    """Agree when every checked release behaves as documented (and --bisect, if run, concurs)."""
    if "not_observable" in bug.meta:
        return Verdict(bug.id, "not observable", (), (str(bug.meta["not_observable"]),), search)
    rows = tuple(Row(c, observations.get(c.version)) for c in checks)
    mismatches = []
    for row in rows:
        if row.status == "disagree":
            word = "fixed" if row.check.expected else "affected"
            mismatches.append(f"{row.check.version} ({row.check.line} {row.check.role}): documented "
                              f"{word}, observed {explain(row.observation)}")  # type: ignore[arg-type]
    if search is not None:
        mismatches += search_mismatches(bug, search)
    unknown = [r.check.version for r in rows if r.status == "unknown"]
    status = "disagree" if mismatches else ("unknown" if unknown else "agree")
    if unknown:
        why = "; ".join(explain(r.observation) if r.observation else f"{r.check.version}: not run"
                        for r in rows if r.status == "unknown")
        mismatches.append(f"not measured: {why}")
    return Verdict(bug.id, status, rows, tuple(mismatches), search)


def search_mismatches(bug: Bug, search: SearchResult) -> list[str]:
    """Where the doc-free search contradicts the documentation."""
    fixed = [Version(str(v)) for v in bug.meta["fixed_in"]]  # type: ignore[union-attr]
    mainline = [v for v in fixed if v.micro == 0]
    out = []
    if search.transition is None or search.direction != "fix":
        if mainline:
            out.append(f"--bisect found no fix across the X.Y.0 releases ({search.note}); "
                       f"documented {mainline[0]}")
        return out
    found = Version(search.transition[1])
    if mainline and found != min(mainline):
        out.append(f"--bisect found the mainline fix in {found}, documented {min(mainline)}")
    for v in fixed:
        if v.micro == 0:
            continue
        searched, first = search.backport(_line(v))
        if searched and first is None:
            out.append(f"--bisect: line {_line(v)} never got the fix, documented {v}")
        elif searched and Version(first) != v:  # type: ignore[arg-type]
            out.append(f"--bisect: line {_line(v)} first fixed in {first}, documented {v}")
    return out


def describe(obs: Observation) -> str:
    """``crash (SIGFPE)``: briefly, what the bug did in one release."""
    short = ""
    if obs.outcome in (Outcome.CRASH, Outcome.TIMEOUT, Outcome.ERROR, Outcome.SKIP,
                       Outcome.UNSUPPORTED):
        short = obs.detail.split(":")[0][:60]
    elif obs.outcome is Outcome.WRONG and obs.detail.startswith("at "):
        short = obs.detail.split("(")[0].strip()
    return f"{obs.outcome}" + (f" ({short})" if short else "")


def explain(obs: Observation) -> str:
    """The full story of one observation, for the notes."""
    text = f"{obs.version}: {obs.outcome}"
    if obs.detail:
        text += f" -- {obs.detail[:400]}"
    return text + (f" (case {obs.case})" if obs.case else "")


def search_text(search: SearchResult) -> str:
    if search.transition is None:
        return f"no change found ({search.note}; {search.probes} releases probed)"
    text = f"{search.direction} {search.transition[0]} -> {search.transition[1]}"
    if search.lines:
        text += "; lines: " + ", ".join(f"{line} {first or 'never'}" for line, first in search.lines)
    return text + f" ({search.note}; {search.probes} releases probed)"


# ---------------------------------------------------------------- rendering

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table_rows(bugs: Iterable[Bug], verdicts: Mapping[str, Verdict]) -> list[dict[str, str]]:
    """One row per bug and checked release: documented versus observed."""
    rows = []
    for bug in bugs:
        v = verdicts[bug.id]
        if not v.rows:
            rows.append({"bug": bug.id, "kind": str(bug.meta["kind"]), "line": "", "release": "",
                         "documented": f"fixed in {', '.join(bug.meta['fixed_in'])}",  # type: ignore
                         "observed": "not run", "verdict": v.status})
            continue
        for row in v.rows:
            c = row.check
            rows.append({
                "bug": bug.id, "kind": str(bug.meta["kind"]), "line": c.line, "release": c.version,
                "documented": f"{c.role}: {'fixed' if c.expected else 'affected'}",
                "observed": describe(row.observation) if row.observation else "not run",
                "verdict": row.status,
            })
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


def counts(verdicts: Mapping[str, Verdict]) -> dict[str, int]:
    return {s: sum(v.status == s for v in verdicts.values())
            for s in ("agree", "disagree", "unknown", "not observable")}


@dataclass
class Report:
    """Everything the Markdown report needs."""

    bugs: Sequence[Bug]
    verdicts: Mapping[str, Verdict]
    header: Sequence[str] = field(default_factory=list)

    def markdown(self) -> str:
        n = counts(self.verdicts)
        out = ["# Historical TensorFlow convolution bugs: documented fix vs observed", ""]
        out += list(self.header)
        out += ["", f"{len(self.bugs)} entries: {n['agree']} agree, {n['disagree']} disagree, "
                f"{n['unknown']} could not be measured here, {n['not observable']} not observable "
                "on a CPU.", "",
                "## Every entry and release", "",
                "One row per entry and checked release: the documented boundary and, for every "
                "release the sources list as fixed, the last release before it on its line.", "",
                markdown_table(table_rows(self.bugs, self.verdicts)), ""]
        searched = [b for b in self.bugs if self.verdicts[b.id].search is not None]
        if searched:
            out += ["## Boundaries found without the documentation (`--bisect`)", "",
                    markdown_table([{"bug": b.id, "documented fixed in": ", ".join(b.meta["fixed_in"]),
                                     "found": search_text(self.verdicts[b.id].search)}  # type: ignore
                                    for b in searched]), ""]
        out += ["## Disagreements", ""]
        bad = [b for b in self.bugs if self.verdicts[b.id].status == "disagree"]
        if not bad:
            out += ["None.", ""]
        for bug in bad:
            out += self._story(bug)
        out += ["## Not observable on a CPU, or not measured here", ""]
        rest = [b for b in self.bugs if self.verdicts[b.id].status in ("unknown", "not observable")]
        if not rest:
            out += ["None.", ""]
        for bug in rest:
            out += self._story(bug)
        out += ["## Agreeing entries", ""]
        for bug in self.bugs:
            if self.verdicts[bug.id].status == "agree":
                out += self._story(bug)
        return "\n".join(out).rstrip() + "\n"

    def _story(self, bug: Bug) -> list[str]:
        v = self.verdicts[bug.id]
        out = [f"### {bug.id}: {bug.meta['title']} ({v.status})", "",
               f"Sources: {', '.join(bug.meta['source'])}  ",  # type: ignore[arg-type]
               f"Documented: affected {bug.meta['affected']}; fixed in "
               f"{', '.join(bug.meta['fixed_in'])}.  "]  # type: ignore[arg-type]
        if v.observed:
            out.append("Observed: " + "; ".join(explain(o) for o in v.observed) + ".  ")
        if v.mismatches:
            label = "Reason" if v.status == "not observable" else "Evidence"
            out.append(f"{label}: {'; '.join(v.mismatches)}.  ")
        if v.search is not None:
            out.append(f"Found without the docs: {search_text(v.search)}.  ")
        if bug.meta.get("note"):
            out.append(f"Note: {bug.meta['note']}")
        out.append("")
        return out
