"""TFSA-2021-016 (CVE-2021-29527): division by zero in QuantizedConv2D with an empty filter."""

BUG = {
    "id": "tfsa_2021_016",
    "title": "tf.raw_ops.QuantizedConv2D with a [1, 0, 1, 1] filter divides by zero (patches per chunk)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-016.md",
        "https://github.com/tensorflow/tensorflow/commit/cfa91be9863a91d5105a3b4941096044ab32036b",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_016(tf, np):
    """the advisory's repro: quint8 input [1, 1, 1, 1], filter [1, 0, 1, 1], SAME"""
    x = tf.zeros([1, 1, 1, 1], dtype=tf.quint8)
    w = tf.constant([], shape=[1, 0, 1, 1], dtype=tf.quint8)
    return tf.raw_ops.QuantizedConv2D(
        input=x, filter=w, min_input=tf.constant(0.0), max_input=tf.constant(0.0001),
        min_filter=tf.constant(0.0), max_filter=tf.constant(0.0001),
        strides=[1, 1, 1, 1], padding="SAME")[0]
