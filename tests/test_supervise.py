"""The supervisor's pure parts (its real runs are in test_reliability and test_pipeline)."""

from __future__ import annotations

from harness.supervise import crash_cause


def test_crash_cause_drops_timestamps_and_stray_warnings():
    log = ("2026-11-27 23:10:01.431800: W tensorflow/core/x.cc:1] some warning\n"
           "2026-11-27 23:10:01.431800: F tensorflow/core/kernels/conv_ops.cc:65] "
           "Check failed: data_format == FORMAT_NHWC\n")
    assert crash_cause(log) == "tensorflow/core/kernels/conv_ops.cc:65] Check failed: data_format == FORMAT_NHWC"
    assert crash_cause("  return f(*args, **kwds)\n") == ""
