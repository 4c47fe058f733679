"""TFSA-2021-006 (CVE-2021-29517): division by zero (and an Eigen assertion) in Conv3D."""

BUG = {
    "id": "tfsa_2021_006",
    "title": "tf.raw_ops.Conv3D with a zero-sized filter divides by zero (in_depth % filter_depth)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-006.md",
        "https://github.com/tensorflow/tensorflow/commit/799f835a3dfa00a4d852defa29b15841eea9d64f",
        "https://github.com/tensorflow/tensorflow/pull/48976",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_006(tf, np):
    """the advisory's repro: input and filter shaped [0, 0, 0, 0, 0], strides 56"""
    x = tf.constant([], shape=[0, 0, 0, 0, 0], dtype=tf.float32)
    w = tf.constant([], shape=[0, 0, 0, 0, 0], dtype=tf.float32)
    return tf.raw_ops.Conv3D(input=x, filter=w, strides=[1, 56, 56, 56, 1], padding="VALID",
                             data_format="NDHWC", dilations=[1, 1, 1, 23, 1])
