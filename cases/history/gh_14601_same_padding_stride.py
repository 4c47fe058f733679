"""GitHub #14601: conv2d with SAME padding and a stride larger than the kernel read the wrong rows (CPU)."""

BUG = {
    "id": "gh_14601_same_padding_stride",
    "title": "tf.nn.conv2d, SAME padding, stride > kernel: Eigen pads negatively and shifts the window",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/14601",
        "https://github.com/tensorflow/tensorflow/pull/16705",
        "https://github.com/tensorflow/tensorflow/issues/11092",
    ],
    "kind": "wrong-result",
    "affected": "reported on 1.4.0 (CPU); related report #11092 on 1.2; fixed by the Eigen update of "
                "PR #16705 (merged February 2018)",
    "fixed_in": ["1.7.0"],
    "last_affected": "1.6.0",
    "first_fixed": "1.7.0",
    "good_when": "pass",
    "bisect_from": "1.4.0",
    "note": (
        "The PR names no release; the maintainer answered on 2018-04-09 'if you update to the "
        "latest version ... the issue will be resolved', and the latest release then was 1.7.0 "
        "(1.6.0's branch predates the merge). The expected value follows TensorFlow's documented "
        "SAME rule: pad_along_height = max(filter - stride, 0) = 0, so the single output is the "
        "first row, 1.0; affected releases return 1.1 (the middle row)."
    ),
}


def case_gh_14601(tf, np):
    """the issue's repro: 3x1 input [1.0, 1.1, 1.2], 1x1 filter 1.0, strides [1, 3, 1, 1], SAME -> 1.0"""
    x = np.array([1.0, 1.1, 1.2], dtype=np.float32).reshape(1, 3, 1, 1)
    w = np.ones((1, 1, 1, 1), dtype=np.float32)
    return tf.nn.conv2d(tf.constant(x), tf.constant(w), strides=[1, 3, 1, 1], padding="SAME")


def expect_gh_14601(np):
    return np.array([1.0], dtype=np.float32).reshape(1, 1, 1, 1)
