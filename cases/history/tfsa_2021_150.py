"""TFSA-2021-150 (CVE-2021-37675): division by zero in the shape inference of most convolution ops."""

BUG = {
    "id": "tfsa_2021_150",
    "title": "graph-mode tf.raw_ops.Conv2D with empty input and filter divides by zero in shape inference",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-150.md",
        "https://github.com/tensorflow/tensorflow/commit/8a793b5d7f59e37ac7f3cd0954a750a2fe76bad4",
    ],
    "kind": "crash",
    "affected": "< 2.6.0, except the patched 2.5.1, 2.4.3, 2.3.4",
    "fixed_in": ["2.6.0", "2.5.1", "2.4.3", "2.3.4"],
    "last_affected": "2.5.0",
    "first_fixed": "2.5.1",
    "good_when": "no-crash",
    "note": (
        "The advisory calls tf.compat.v1.disable_v2_behavior() first so that the op is built in a "
        "graph and shape inference runs; the case builds it inside a fresh tf.Graph() instead, "
        "which runs the same shape function without changing the process-wide mode."
    ),
}


def case_tfsa_2021_150(tf, np):
    """the advisory's repro in a graph: Conv2D of [0, 0, 0, 0] input and filter, SAME"""
    with tf.Graph().as_default():
        tf.raw_ops.Conv2D(input=tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32),
                          filter=tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32),
                          strides=[1, 1, 1, 1], padding="SAME")
    return None
