"""TFSA-2021-014 (CVE-2021-29525): division by 0 in Conv2DBackpropInput."""

BUG = {
    "id": "tfsa_2021_014",
    "title": "tf.raw_ops.Conv2DBackpropInput with an empty filter divides by zero (shard size)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-014.md",
        "https://github.com/tensorflow/tensorflow/commit/2be2cdf3a123e231b16f766aa0e27d56b4606535",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_014(tf, np):
    """the advisory's repro: input_sizes [52, 1, 1, 5], filter [0, 1, 5, 0]"""
    sizes = tf.constant([52, 1, 1, 5], shape=[4], dtype=tf.int32)
    w = tf.constant([], shape=[0, 1, 5, 0], dtype=tf.float32)
    dy = tf.constant([], shape=[52, 1, 1, 0], dtype=tf.float32)
    return tf.raw_ops.Conv2DBackpropInput(
        input_sizes=sizes, filter=w, out_backprop=dy, strides=[1, 1, 1, 1],
        use_cudnn_on_gpu=True, padding="SAME", explicit_paddings=[], data_format="NHWC",
        dilations=[1, 1, 1, 1])
