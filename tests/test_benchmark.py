from __future__ import annotations

from harness.benchmark import Benchmark, ReleaseTiming, bisect_line, ratio, table


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


def test_bisect_line():
    assert bisect_line(101, 9, 11, 300.0, 9).startswith("- bisect over 101 releases: 9 releases probed, 11 environments built")


def test_a_failed_baseline_or_run_gets_no_figure_and_no_ratio():
    releases = (ReleaseTiming("2.0.0", "3.11", 30.0, True, 6.0), ReleaseTiming("2.1.0", "3.11", 2.0, False, 8.0))
    text = table(Benchmark(releases, 10.0, 8.0, 2, 124), title="t")
    assert "| 2.1.0 | 3.11 | failed (no import) |" in text
    assert "naive loop: **-**" in text and "import floor: **1.14x**" in text
    text = table(Benchmark(releases[:1], None, None, 2, 124), title="t")
    assert "| 2.0.0 | 3.11 | 30.0 | failed | failed | 6.0 |" in text
    assert "naive loop: **-**" in text and "import floor: **-**" in text
