"""GitHub #2066: segmentation fault in the cuDNN backward pass of conv2d when stride > kernel size (GPU only)."""

BUG = {
    "id": "gh_2066_conv2d_stride_gt_ksize_gpu",
    "title": "tf.nn.conv2d with a 1x1 filter and stride 2: cuDNN backward pass segfaults during training",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/2066",
        "https://github.com/tensorflow/tensorflow/pull/2137",
    ],
    "kind": "crash",
    "affected": "reported 2016-04-22 on the then-current GPU build (0.8.0 was the release of that month)",
    "fixed_in": ["0.9.0"],
    "last_affected": "0.8.0",
    "first_fixed": "0.9.0",
    "good_when": "no-crash",
    "note": (
        "A maintainer closed it with 'Fixed in #2137' (2016-04-30), naming no release; 0.9.0 "
        "(June 2016) is the first release after that merge. One reporter still saw the crash "
        "on a nightly the next day, so the fixed release is this entry's reading, not a quote."
    ),
    "not_observable": (
        "the crash is in the cuDNN backward convolution (GPU only; the reporter's log and the "
        "maintainers' fix, PR #2137, are in the GPU path), and no GPU is available here; the "
        "0.x releases it affects also predate the wheels installable on this machine"
    ),
}
