"""bisect --nightly: a release transition is handed to the dev builds that bracket it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from packaging.version import Version

from harness import bisection as search_mod
from harness.commands import bisect as cmd
from harness.config import Config
from harness.releases import Catalog, Release, Wheel
from harness.ui import UI

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def release(version: str, day: int) -> Release:
    wheel = Wheel(f"x-{version}-py3-none-any.whl", "", T0 + timedelta(days=day), frozenset())
    return Release(Version(version), (wheel,))


def report(old: Release, new: Release) -> cmd.CaseReport:
    result = search_mod.Result(transition=(old, new), lo=old, hi=new, endpoint_verdicts=(False, True),
                               probed=(old, new), skipped=())
    return cmd.CaseReport("conv", result, {})


def run(monkeypatch, nightlies, old, new):
    calls, lines = [], []
    catalog = Catalog("tf-nightly", tuple(nightlies), "fake")
    monkeypatch.setattr(cmd.releases, "load_catalog", lambda *a, **k: catalog)

    def fake_search(cfg, ui, items, cases, interpreters, store, variant, budget=None):
        calls.append((cfg.package, [str(i.version) for i in items], [c.name for c in cases]))
        return [report(items[0], items[-1])]

    monkeypatch.setattr(cmd, "search", fake_search)
    ui = UI(quiet=True)
    ui.result = lines.append
    plan = SimpleNamespace(cases=[SimpleNamespace(name="conv")], interpreters=[], store=None)
    cmd.narrow_with_nightlies(Config(command="bisect", nightly=True), ui, [report(old, new)], plan,
                              Config(command="bisect").variants[0])
    return calls, lines


def test_covered_transition_is_bisected_over_the_bracketing_nightlies(monkeypatch):
    nightlies = [release(f"2.22.0.dev202603{d:02d}", d) for d in range(1, 20)]
    calls, lines = run(monkeypatch, nightlies, release("2.21.0", 4), release("2.22.0", 9))
    (package, items, cases), = calls
    assert package == "tf-nightly" and cases == ["conv"]
    assert items[0] == "2.22.0.dev20260304" and items[-1] == "2.22.0.dev20260309"
    assert "narrowing 2.21.0 -> 2.22.0 over 6 tf-nightly builds" in lines[0]


def test_transition_older_than_the_nightlies_says_so(monkeypatch):
    nightlies = [release(f"2.22.0.dev202603{d:02d}", d) for d in range(10, 20)]
    calls, lines = run(monkeypatch, nightlies, release("2.0.0", -900), release("2.1.0", -800))
    assert calls == [] and "older than the tf-nightly builds still on PyPI (oldest 2026-03-11)" in lines[0]


def test_a_pair_whose_old_side_is_a_later_backport_is_one_line_not_a_traceback(monkeypatch):
    # --no-lines can answer 2.3.4 -> 2.4.0, where 2.3.4 came out after 2.4.0
    nightlies = [release(f"2.22.0.dev202603{d:02d}", d) for d in range(1, 20)]
    calls, lines = run(monkeypatch, nightlies, release("2.3.4", 12), release("2.4.0", 5))
    assert calls == [] and len(lines) == 1
    assert lines[0].startswith("conv: cannot hand 2.3.4 -> 2.4.0 to tf-nightly: the new release")
