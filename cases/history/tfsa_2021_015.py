"""TFSA-2021-015 (CVE-2021-29526): division by 0 in Conv2D with an empty filter."""

BUG = {
    "id": "tfsa_2021_015",
    "title": "tf.raw_ops.Conv2D with a zero-sized filter divides by zero (in_depth % patch_depth)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-015.md",
        "https://github.com/tensorflow/tensorflow/commit/b12aa1d44352de21d1a6faaf04172d8c2508b42b",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_015(tf, np):
    """the advisory's repro: input and filter both shaped [0, 0, 0, 0], SAME"""
    x = tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32)
    w = tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32)
    return tf.raw_ops.Conv2D(input=x, filter=w, strides=[1, 1, 1, 1], padding="SAME")
