"""GitHub #95415: tf.nn.conv2d on a rank-2 input aborted on a CHECK in TF <= 2.19 (a clean error in 2.20 nightly)."""

BUG = {
    "id": "gh_95415_conv2d_rank2_input_abort",
    "title": "tf.nn.conv2d(x [4, 10], w [10, 5]) aborts in tensor_format.h instead of raising",
    "source": ["https://github.com/tensorflow/tensorflow/issues/95415"],
    "kind": "crash",
    "affected": "TF <= 2.19 as reported (2.19.0 tested)",
    "fixed_in": ["2.20.0"],
    "last_affected": "2.19.0",
    "first_fixed": "2.20.0",
    "good_when": "no-crash",
    "note": (
        "The reporter (2025-06-15) saw the abort on 2.19 and 'convolution input must be "
        "4-dimensional' as an InvalidArgumentError on 2.20.0-dev20250604; 2.20.0 is the first "
        "release after that nightly. The thread names no commit."
    ),
}


def case_gh_95415(tf, np):
    """the issue's repro, deterministic: x ones [4, 10], w ones [10, 5], strides [1, 1, 1, 1], VALID"""
    x = tf.ones([4, 10])
    w = tf.ones([10, 5])
    return tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="VALID")
