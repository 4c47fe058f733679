"""TFSA-2022-075 (CVE-2022-29201): references bound to nullptr in QuantizedConv2D (empty min/max)."""

BUG = {
    "id": "tfsa_2022_075",
    "title": "tf.raw_ops.QuantizedConv2D with an empty min_input reads through a null reference",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-075.md",
        "https://github.com/tensorflow/tensorflow/commit/0f0b080ecde4d3dfec158d6f60da34d5e31693c4",
    ],
    "kind": "crash",
    "affected": "< 2.9.0, except the patched 2.8.1, 2.7.2, 2.6.4",
    "fixed_in": ["2.9.0", "2.8.1", "2.7.2", "2.6.4"],
    "last_affected": "2.8.0",
    "first_fixed": "2.8.1",
    # Undefined behaviour need not kill the process; the fix validates the shapes.
    "good_when": "rejects",
    "note": (
        "Undefined behaviour (a reference bound to nullptr), like the heap overflows of "
        "TFSA-2021-010/028: an affected release may crash or return, so fixed means the "
        "InvalidArgumentError the patch added (good_when 'rejects')."
    ),
}


def case_tfsa_2022_075(tf, np):
    """the advisory's repro: quint8 [1, 2, 3, 3] input and filter, min_input shaped [0]"""
    x = tf.constant(1, shape=[1, 2, 3, 3], dtype=tf.quint8)
    w = tf.constant(1, shape=[1, 2, 3, 3], dtype=tf.quint8)
    return tf.raw_ops.QuantizedConv2D(
        input=x, filter=w, min_input=tf.constant([], shape=[0], dtype=tf.float32),
        max_input=tf.constant(0, shape=[], dtype=tf.float32),
        min_filter=tf.constant(0, shape=[], dtype=tf.float32),
        max_filter=tf.constant(0, shape=[], dtype=tf.float32),
        strides=[1, 1, 1, 1], padding="SAME")[0]
