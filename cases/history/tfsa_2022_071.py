"""TFSA-2022-071 (CVE-2021-41197 instance): CHECK failure in DepthwiseConv2dNativeBackpropFilter via element-count overflow."""

BUG = {
    "id": "tfsa_2022_071",
    "title": "tf.raw_ops.DepthwiseConv2dNativeBackpropFilter with 13 filter_sizes of 1879048192 overflows and aborts",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-071.md",
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-198.md",
        "https://github.com/tensorflow/tensorflow/commit/3796cc4fcd93ae55812a457abc96dcd55fbb854b",
    ],
    "kind": "crash",
    "affected": "< 2.9.0, except the patched 2.8.1, 2.7.2, 2.6.4",
    "fixed_in": ["2.9.0", "2.8.1", "2.7.2", "2.6.4"],
    "last_affected": "2.8.0",
    "first_fixed": "2.8.1",
    "good_when": "no-crash",
}


def case_tfsa_2022_071(tf, np):
    """the advisory's repro: input and out_backprop [1, 4, 4, 3], filter_sizes 1879048192 x 13, SAME"""
    return tf.raw_ops.DepthwiseConv2dNativeBackpropFilter(
        input=tf.constant(1, shape=[1, 4, 4, 3], dtype=tf.float32),
        filter_sizes=tf.constant(1879048192, shape=[13], dtype=tf.int32),
        out_backprop=tf.constant(1, shape=[1, 4, 4, 3], dtype=tf.float32),
        strides=[1, 1, 1, 1], padding="SAME")
