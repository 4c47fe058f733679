"""The comparison table: targets, pairwise agreement, rendering."""

from __future__ import annotations

import numpy as np
import pytest

from harness import compare
from harness.commands.compare import target_config
from harness.config import Config
from harness.errors import UsageError
from harness.outcome import Outcome
from harness.results import Row


def row(case, label, outcome, error=None, detail=""):
    package, version = label.split("==")
    return Row(case=case, package=package, version=version, python="3.11.7", variant="default",
               outcome=outcome, max_abs_error=error, detail=detail)


def test_targets_parse_and_reject_bad_items():
    targets = compare.parse_targets("tensorflow==1.15.5, Theano==1.0.5,torch==2.13.0")
    assert [t.label for t in targets] == ["tensorflow==1.15.5", "theano==1.0.5", "torch==2.13.0"]
    for bad in ("tensorflow", "tensorflow==1.15.5", "torch==x,theano==1.0.5", "a==1,a==1"):
        with pytest.raises(UsageError, match="--frameworks"):
            compare.parse_targets(bad)


def test_pairs_agree_within_both_bounds_and_not_beyond():
    a, b = [np.array([1.0, 2.0])], [np.array([1.0 + 1e-6, 2.0])]
    assert compare.pair("a", "b", a, b, [np.full(2, 1e-6)]).agree is True
    far = compare.pair("a", "b", a, b, [np.full(2, 1e-7)])
    assert far.agree is False and far.max_abs_diff == pytest.approx(1e-6) and "beyond" in far.note


def test_nan_and_inf_positions_must_match():
    bounds = [np.full(2, 1.0)]
    assert compare.pair("a", "b", [np.array([np.nan, 1.0])], [np.array([np.nan, 1.0])], bounds).agree
    assert not compare.pair("a", "b", [np.array([np.nan, 1.0])], [np.array([0.0, 1.0])], bounds).agree
    assert not compare.pair("a", "b", [np.array([np.inf, 1.0])], [np.array([-np.inf, 1.0])], bounds).agree


def test_shapes_differ_and_missing_outputs():
    p = compare.pair("a", "b", [np.zeros((2, 4))], [np.zeros((2, 0))], None)
    assert p.agree is False and "shapes" in p.note
    assert compare.pair("a", "b", None, [np.zeros(1)], None).agree is None


def test_case_disagrees_on_outcome_or_on_values():
    labels = ["tensorflow==1.15.5", "torch==2.13.0"]
    same = compare.compare_case("c", {label: row("c", label, Outcome.PASS, 0.0) for label in labels},
                                {label: [np.ones(3)] for label in labels}, [np.zeros(3)])
    assert not same.disagrees
    mixed = compare.compare_case("c", {labels[0]: row("c", labels[0], Outcome.ERROR, detail="TypeError: x"),
                                       labels[1]: row("c", labels[1], Outcome.PASS, 0.0)},
                                 {labels[0]: None, labels[1]: [np.ones(3)]}, [np.zeros(3)])
    assert mixed.disagrees and mixed.pairs[0].agree is None
    text = compare.markdown([same, mixed], labels, ["header"], {labels[0]: "1.15.5 on Python 3.6"})
    assert "| c | pass 0 | pass 0 | 0 |  |" in text
    assert "| c | error: TypeError | pass 0 | - | **differs** |" in text
    assert "## Disagreements (1 case(s))" in text and "TypeError: x" in text
    assert "| tensorflow==1.15.5 vs torch==2.13.0 | 1 | 1 | 0 | 0 |" in text
    data = compare.to_json([mixed])
    assert data[0]["frameworks"][labels[0]]["outcome"] == "error" and data[0]["disagrees"]


def test_find_links_folders_go_only_to_frameworks_that_have_wheels_there(tmp_path):
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    cfg = Config(command="compare", find_links=(str(tmp_path),))
    assert target_config(cfg, compare.Target("torch", "2.13.0")).find_links == (str(tmp_path),)
    tf = target_config(cfg, compare.Target("tensorflow", "1.15.5"))
    assert tf.find_links == () and tf.package == "tensorflow"


def test_outputs_of_one_shape_unlike_the_references_compare_exactly():
    bounds = [np.ones((2, 4))]
    same = compare.pair("a", "b", [np.zeros((4, 2))], [np.zeros((4, 2))], bounds)
    assert same.agree is True
    assert compare.pair("a", "b", [np.zeros((4, 2))], [np.full((4, 2), 1e-9)], bounds).agree is False
