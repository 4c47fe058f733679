from __future__ import annotations

from dataclasses import replace

from harness.benchmark import Benchmark, ReleaseTiming, ratio, table


def bench(naive=(30.0, 20.0), imports=(6.0, 8.0), cold=10.0, warm=8.0, jobs=2):
    releases = tuple(ReleaseTiming(f"2.{i}.0", "3.11", n, True, imp)
                     for i, (n, imp) in enumerate(zip(naive, imports)))
    return Benchmark(releases, cold, warm, jobs, 124)


def test_floor_is_import_sum_over_workers():
    assert bench().floor == 7.0
    assert bench(jobs=8).floor == 7.0  # never more workers than releases
    assert bench(jobs=1).floor == 14.0


def test_ratios_in_table():
    text = table(bench(), title="t")
    assert "cold speed-up over the naive loop: **5.00x**" in text
    assert "warm scan over the import floor: **1.14x**" in text
    assert "| 2.0.0 | 3.11 | 30.0 | 5.0 | 4.0 | 6.0 |" in text


def test_missing_naive_shows_dash():
    b = bench(naive=(None, None))
    assert b.naive_total is None and "naive loop: **-**" in table(b, title="t")
    assert ratio(1.0, 0.0) == "-"



def test_a_failed_baseline_or_run_gets_no_figure_and_no_ratio():
    releases = (ReleaseTiming("2.0.0", "3.11", 30.0, True, 6.0), ReleaseTiming("2.1.0", "3.11", 2.0, False, 8.0))
    text = table(Benchmark(releases, 10.0, 8.0, 2, 124), title="t")
    assert "| 2.1.0 | 3.11 | failed (no import) |" in text
    assert "naive loop: **-**" in text and "import floor: **1.14x**" in text
    text = table(Benchmark(releases[:1], None, None, 2, 124), title="t")
    assert "| 2.0.0 | 3.11 | 30.0 | failed | failed | 6.0 |" in text
    assert "naive loop: **-**" in text and "import floor: **-**" in text


# -- the cold bisect's breakdown ----------------------------------------------

from harness.benchmark import BisectRun, EnvBuild, ReleaseRun, breakdown, same_transitions  # noqa: E402
from harness.envs import uv_phases  # noqa: E402


def bisect_run(label="now", wall=100.0, transitions=(("a", "1.0 -> 2.0"), ("b", "none"))):
    builds = (EnvBuild("1.0", 10.0, (("venv", 1.0), ("prepare", 6.0))), EnvBuild("2.0", 20.0),
              EnvBuild("1.5", 8.0), EnvBuild("3.0", 30.0))
    runs = (ReleaseRun("1.0", 3.0, 1.0), ReleaseRun("2.0", 5.0, 1.0), ReleaseRun("1.5", 4.0, 2.0),
            ReleaseRun("2.5", 6.0, 0.0))
    probes = (("a", ("1.0", "2.0", "1.5")), ("b", ("1.0", "2.0")))
    return BisectRun(label, wall, 2, 2.0, builds, runs, probes, transitions)


def test_breakdown_separates_probed_from_wasted_work():
    run = bisect_run()
    assert run.probed == {"1.0", "2.0", "1.5"}
    assert run.work == 4.0 + 6.0 + 6.0
    # first probe's build (10) + the longest chain (case a: 4 + 6 + 6)
    assert run.critical_path == 10.0 + 16.0
    assert run.limit == 2.0 + max(16.0 / 2, 26.0)
    text = breakdown([bisect_run("before", 200.0), run])
    assert "| environments built: probed + never probed | 4: 3 + 1 | 4: 3 + 1 |" in text
    assert "| build time of environments never probed (wasted) | 30 s | 30 s |" in text
    assert "| releases run: probed + run ahead, never probed | 4: 3 + 1 | 4: 3 + 1 |" in text
    assert "| import + cases of releases never probed (wasted) | 6 s | 6 s |" in text
    assert "| idle core time (workers x wall - imports - cases) | 378 s of 400 | 178 s of 200 |" in text
    assert "| of it venv / resolve / download+unpack / link / freeze (s) | 1 / 0 / 6 / 0 / 0 |" in text
    assert "| wall / limit | 7.14x | 3.57x |" in text


def test_cpu_bound_runs_are_limited_by_their_cpu_and_say_how_busy_the_cores_were():
    """A cold bisect unpacks and links wheels and builds sdists: CPU that imports and
    cases leave out.  When it is more than they are, it sets the limit."""
    run = replace(bisect_run(), cpu_self=20.0, cpu_children=160.0,
                  builds=(EnvBuild("1.0", 10.0, (), 3), EnvBuild("2.0", 20.0, (), 0), EnvBuild("1.5", 8.0)))
    assert run.cpu == 180.0
    assert run.limit == 2.0 + 180.0 / 2  # above the critical path (26) and the work (16 / 2)
    text = breakdown([bisect_run("before", 200.0), run])
    assert "| CPU used, user + sys: harness + what it ran (uv, runners) | - | 180 s (20 + 160) |" in text
    assert "| cores busy: CPU / (cores x wall) | - | 90 % |" in text
    assert "| source distributions built by uv | - | 3 |" in text
    assert "| wall / limit | 7.14x | 1.09x |" in text


def test_a_failed_bisect_has_no_figures_and_no_comparison():
    failed = BisectRun("before", None, 2)
    text = breakdown([failed, bisect_run()])
    assert "| wall | failed | 100 s |" in text and "| wall / limit | - |" in text
    assert "not compared" in same_transitions(failed, bisect_run())


def test_transitions_compared_case_by_case():
    assert "the same for all 2 cases (1 found)" in same_transitions(bisect_run(), bisect_run())
    other = bisect_run(transitions=(("a", "1.0 -> 1.5"), ("b", "none")))
    assert "**1 of 2 cases differ**: a: 1.0 -> 2.0 vs 1.0 -> 1.5" in same_transitions(bisect_run(), other)


def test_uv_phases_read_from_uv_output():
    out = ("Using Python 3.6.15 environment at: x\nResolved 12 packages in 1.20s\n"
           "Prepared 12 packages in 1m 3.5s\nInstalled 12 packages in 250ms\n + six==1.17.0\n")
    assert uv_phases(out) == {"resolve": 1.2, "prepare": 63.5, "install": 0.25}
    assert uv_phases("Audited 3 packages in 2ms\n") == {}


def test_floor_measured_under_the_scan_concurrency_wins():
    b = Benchmark(bench().releases, 10.0, 8.0, 2, 124, floor_wall=9.0)
    assert b.floor == 9.0
    assert "import floor: **0.89x**" in table(b, title="t") and "(2 at a time, wall)" in table(b, title="t")


def test_the_warm_scan_is_split_into_its_runners_work_and_the_rest():
    b = Benchmark(bench().releases, 10.0, 12.0, 2, 124, floor_wall=5.0, warm_imports=6.0, warm_cases=10.0)
    text = table(b, title="t")
    assert ("where the warm scan's 12.0 s went: its runners' imports 6.0 s + cases 10.0 s, summed; "
            "over 2 worker(s) 8.0 s; the rest, 4.0 s, is the harness") in text
    assert "imports + cases over the floor: 1.60x" in text
    assert "where the warm scan" not in table(Benchmark(bench().releases, 10.0, None, 2, 124,
                                                        warm_imports=6.0, warm_cases=1.0), title="t")


def test_naive_failures_are_counted_not_compared():
    releases = (ReleaseTiming("1.0.1", "3.6", 30.0, False, 1.0), ReleaseTiming("2.0.0", "3.6", 9.0, False, 1.0))
    text = table(Benchmark(releases, 10.0, 8.0, 2, 124), title="t")
    assert "failed to import 2 of 2 releases" in text and "0.64x" not in text


def test_benchmark_without_arguments_parses_to_the_defaults():
    from harness.cli import parser
    from harness.commands import benchmark as command

    opts = command.options_from(parser(["benchmark"]).parse_args(["benchmark"]))
    assert opts == {"spec": "default", "skip_naive": False, "with_bisect": False, "workdir": None,
                    "with_scan": True}
    opts = command.options_from(parser(["benchmark"]).parse_args(
        ["benchmark", "--bisect", "--no-scan", "--skip-naive"]))
    assert opts["with_bisect"] and not opts["with_scan"] and opts["skip_naive"]


def test_collect_reads_a_bisect_from_its_artifacts(tmp_path):
    import json

    from harness.commands import benchmark as command
    from harness.config import Config

    envs_dir = tmp_path / "bisect-cache" / "envs"
    envs_dir.mkdir(parents=True)
    (envs_dir / "builds.jsonl").write_text(
        json.dumps({"version": "1.0", "seconds": 5.0, "phases": {"prepare": 3.0}, "sdists": 2}) + "\n"
        + json.dumps({"version": "3.0", "seconds": 7.0, "phases": {}}) + "\n")
    for version, imp in (("1.0", 2.0), ("2.0", 4.0)):
        folder = tmp_path / "bisect-results" / "runs" / "tensorflow" / version
        folder.mkdir(parents=True)
        rows = {"a": {"import_seconds": imp, "seconds": 0.5}, "b": {"import_seconds": imp, "seconds": 0.25},
                "s": {"import_seconds": None, "seconds": None}}
        (folder / "py3.6--default.json").write_text(json.dumps({"schema": 1, "rows": rows}))
    cases = [{"case": "a", "probes": [{"version": "1.0"}, {"version": "2.0"}],
              "transition": {"from": "1.0", "to": "2.0"}}]
    cfg = Config(command="benchmark", jobs=2)
    for report in (cases, {"schema": 2, "kind": "bisect", "cases": cases}):
        (tmp_path / "bisect.json").write_text(json.dumps(report))
        run = command._collect(cfg, "now", 30.0, 0.5, tmp_path, tmp_path / "bisect.json")
        assert [b.version for b in run.builds] == ["1.0", "3.0"]
        assert dict(run.builds[0].phases) == {"prepare": 3.0}
        assert [b.sdists for b in run.builds] == [2, None]  # older logs did not count them
        assert sorted((r.version, r.import_seconds, r.cases_seconds) for r in run.runs) == [
            ("1.0", 2.0, 0.75), ("2.0", 4.0, 0.75)]
        assert run.probes == (("a", ("1.0", "2.0")),) and run.transitions == (("a", "1.0 -> 2.0"),)
    assert command._collect(cfg, "now", None, 0.5, tmp_path, tmp_path / "bisect.json").wall is None
    assert command._run_seconds(tmp_path / "bisect-results", "tensorflow") == (6.0, 1.5)
    assert command._run_seconds(tmp_path / "nothing", "tensorflow") == (None, None)
    (tmp_path / "rusage.json").write_text(json.dumps({"self": 1.5, "children": 40.0}))
    run = command._collect(cfg, "now", 30.0, 0.5, tmp_path, tmp_path / "bisect.json", "", tmp_path / "rusage.json")
    assert (run.cpu_self, run.cpu_children) == (1.5, 40.0)


def test_the_harness_writes_its_cpu_seconds_where_the_benchmark_asks(tmp_path, monkeypatch):
    import json

    from harness.cli import RUSAGE_FILE, main

    monkeypatch.setenv(RUSAGE_FILE, str(tmp_path / "rusage.json"))
    assert main(["cases", "--case", "conv2d_nhwc_same_f32"]) == 0
    got = json.loads((tmp_path / "rusage.json").read_text())
    assert got["self"] > 0 and got["children"] >= 0


def test_the_first_rerun_that_writes_the_pyc_is_reported_beside_the_warm_figure():
    b = Benchmark(bench().releases, 10.0, 6.0, 2, 124, floor_wall=5.0, first_rerun_seconds=9.0)
    text = table(b, title="t")
    assert "warm scan over the import floor: **1.20x**" in text
    assert "writes each environment's .pyc" in text and "9.0 s, 1.80x the floor" in text
    assert ".pyc" not in table(Benchmark(bench().releases, 10.0, 6.0, 2, 124, floor_wall=5.0), title="t")
