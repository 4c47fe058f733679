"""Case files as people write them: framework imports at the top, typos, forgotten returns, feeds."""

from __future__ import annotations

import sys

import pytest

import adapter_tensorflow as tfa

from harness.cases import load_user_file
from harness.errors import UsageError

CASE = "def case_one(tf, np):\n    return tf.constant(1.0)\n"


def _file(tmp_path, text):
    path = tmp_path / "c.py"
    path.write_text(text)
    return path


@pytest.mark.parametrize("header", ["import tensorflow as tf\n", "import tensorflow.compat.v1 as tf\n",
                                    "from tensorflow import keras\n", "import torch, jax.numpy as jnp\n"])
def test_top_level_framework_import_works_without_the_framework_on_the_host(tmp_path, header):
    assert "tensorflow" not in sys.modules
    (case,) = load_user_file(_file(tmp_path, header + CASE))
    assert case.name == "one"
    assert not any(m.split(".")[0] in ("tensorflow", "torch", "jax") for m in sys.modules)  # stand-ins gone


def test_using_the_framework_at_import_time_fails_that_files_expectations_naming_the_use(tmp_path):
    from harness.host_expect import ExpectFailed

    text = "import tensorflow as tf\nDTYPE = tf.float32\n" + CASE + "def expect_one(np):\n    return 1.0\n"
    (case,) = load_user_file(_file(tmp_path, text))  # read from the syntax tree: nothing ran here
    with pytest.raises(ExpectFailed, match=r"tensorflow\.float32"):
        case.expect()


def test_expect_without_its_case_is_an_error_with_a_hint(tmp_path):
    with pytest.raises(UsageError, match="expect_onee has no case_onee") as exc:
        load_user_file(_file(tmp_path, CASE + "def expect_onee(np):\n    return 1.0\n"))
    assert exc.value.hint == "did you mean expect_one?"


def test_a_case_without_return_loads_it_may_crash_on_purpose(tmp_path):
    (case,) = load_user_file(_file(tmp_path, "import os\ndef case_boom(tf, np):\n    os.abort()\n"))
    assert case.name == "boom"  # "returned None" is the runner's to say, if it gets that far


def test_a_case_returning_a_feed_dict_feeds_its_placeholders():
    feeds = {}
    fetches = tfa.with_feeds(("c", {"x": [1.0]}), feeds)
    assert fetches == "c" and feeds == {"x": [1.0]}
    assert tfa.with_feeds(("a", "b"), feeds) == ("a", "b")  # two outputs stay two outputs


def test_a_case_returning_none_at_run_time_is_named(tmp_path):
    path = _file(tmp_path, "def case_three(tf, np):\n    if False:\n        return 1\n")
    fw = type("FW", (), {"tf": object()})()
    with pytest.raises(ValueError, match="case_three returned None"):
        tfa.build_user_case(fw, {"file": str(path), "function": "case_three"}, None, "", {})
