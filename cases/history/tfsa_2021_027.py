"""TFSA-2021-027 (CVE-2021-29538): division by zero in Conv2DBackpropFilter when every shape is empty."""

BUG = {
    "id": "tfsa_2021_027",
    "title": "tf.raw_ops.Conv2DBackpropFilter with all-empty shapes divides by zero (work_unit_size 0)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-027.md",
        "https://github.com/tensorflow/tensorflow/commit/c570e2ecfc822941335ad48f6e10df4e21f11c96",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_027(tf, np):
    """the advisory's repro: input and out_backprop [0, 0, 0, 0], filter_sizes [0, 0, 0, 0], SAME"""
    x = tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32)
    sizes = tf.constant([0, 0, 0, 0], shape=[4], dtype=tf.int32)
    dy = tf.constant([], shape=[0, 0, 0, 0], dtype=tf.float32)
    return tf.raw_ops.Conv2DBackpropFilter(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 1, 1, 1], use_cudnn_on_gpu=False,
        padding="SAME", explicit_paddings=[], data_format="NHWC", dilations=[1, 1, 1, 1])
