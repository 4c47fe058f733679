"""The supervisor's pure parts (its real runs are in test_reliability and test_pipeline)."""

from __future__ import annotations

from harness.supervise import crash_cause


def test_crash_cause_drops_timestamps_and_stray_warnings():
    log = ("2026-11-27 23:10:01.431800: W tensorflow/core/x.cc:1] some warning\n"
           "2026-11-27 23:10:01.431800: F tensorflow/core/kernels/conv_ops.cc:65] "
           "Check failed: data_format == FORMAT_NHWC\n")
    assert crash_cause(log) == "tensorflow/core/kernels/conv_ops.cc:65] Check failed: data_format == FORMAT_NHWC"
    assert crash_cause("  return f(*args, **kwds)\n") == ""


def test_crash_cause_is_not_a_cuda_warning():
    log = ("2026-11-27 23:10:01.431800: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] "
           "Could not load dynamic library 'libcuda.so.1'; dlerror: libcuda.so.1: cannot open shared object file\n"
           "2026-11-27 23:10:01.431800: E tensorflow/stream_executor/cuda/cuda_driver.cc:351] "
           "failed call to cuInit: UNKNOWN ERROR (303)\n")
    assert crash_cause(log) == ""
    assert crash_cause(log + "Fatal Python error: Segmentation fault\n") == "Fatal Python error: Segmentation fault"
