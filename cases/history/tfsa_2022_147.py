"""TFSA-2022-147 (CVE-2022-41885): overflow in FusedResizeAndPadConv2D with a huge resize size."""

BUG = {
    "id": "tfsa_2022_147",
    "title": "tf.raw_ops.FusedResizeAndPadConv2D with size [1879048192, 1879048192] overflows",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-147.md",
        "https://github.com/tensorflow/tensorflow/commit/d66e1d568275e6a2947de97dca7a102a211e01ce",
    ],
    "kind": "crash",
    "affected": "< 2.11.0, except the patched 2.10.1, 2.9.3, 2.8.4",
    "fixed_in": ["2.11.0", "2.10.1", "2.9.3", "2.8.4"],
    "last_affected": "2.10.0",
    "first_fixed": "2.10.1",
    "good_when": "no-crash",
}


def case_tfsa_2022_147(tf, np):
    """the advisory's repro: float16 input [3, 3, 1, 1], size [1879048192]*2, paddings [3, 4]"""
    return tf.raw_ops.FusedResizeAndPadConv2D(
        input=tf.constant(147, shape=[3, 3, 1, 1], dtype=tf.float16),
        size=tf.constant([1879048192, 1879048192], shape=[2], dtype=tf.int32),
        paddings=tf.constant([3, 4], shape=[2], dtype=tf.int32),
        filter=tf.constant(123, shape=[1, 3, 4, 1], dtype=tf.float16),
        mode="REFLECT", strides=[1, 1, 1, 1], padding="SAME", resize_align_corners=False)
