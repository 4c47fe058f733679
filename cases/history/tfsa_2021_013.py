"""TFSA-2021-013 (CVE-2021-29524): division by 0 in Conv2DBackpropFilter."""

BUG = {
    "id": "tfsa_2021_013",
    "title": "tf.raw_ops.Conv2DBackpropFilter with an empty input divides by zero",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-013.md",
        "https://github.com/tensorflow/tensorflow/commit/fca9874a9b42a2134f907d2fb46ab774a831404a",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_013(tf, np):
    """the advisory's repro: input [0, 0, 1, 0], filter_sizes [1, 1, 1, 1], strides 66x18"""
    x = tf.constant([], shape=[0, 0, 1, 0], dtype=tf.float32)
    sizes = tf.constant([1, 1, 1, 1], shape=[4], dtype=tf.int32)
    dy = tf.constant([], shape=[0, 0, 1, 1], dtype=tf.float32)
    return tf.raw_ops.Conv2DBackpropFilter(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 66, 18, 1],
        use_cudnn_on_gpu=True, padding="SAME", explicit_paddings=[], data_format="NHWC",
        dilations=[1, 1, 1, 1])
