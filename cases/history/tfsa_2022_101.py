"""TFSA-2022-101 (CVE-2022-35969): CHECK failure in Conv2DBackpropInput when input_sizes is not 4-D."""

BUG = {
    "id": "tfsa_2022_101",
    "title": "tf.raw_ops.Conv2DBackpropInput with a 2-element input_sizes and a scalar out_backprop CHECK-fails",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-101.md",
        "https://github.com/tensorflow/tensorflow/commit/50156d547b9a1da0144d7babe665cf690305b33c",
    ],
    "kind": "crash",
    "affected": "< 2.10.0, except the patched 2.9.1, 2.8.1, 2.7.2",
    "fixed_in": ["2.10.0", "2.9.1", "2.8.1", "2.7.2"],
    "last_affected": "2.9.0",
    "first_fixed": "2.9.1",
    "good_when": "no-crash",
}


def case_tfsa_2022_101(tf, np):
    """the advisory's repro: input_sizes [65534, 65534], filter [3, 3, 2, 2], out_backprop scalar 0"""
    return tf.raw_ops.Conv2DBackpropInput(
        input_sizes=tf.constant([65534, 65534], shape=[2], dtype=tf.int32),
        filter=tf.constant(0.159749106, shape=[3, 3, 2, 2], dtype=tf.float32),
        out_backprop=tf.constant(0, shape=[], dtype=tf.float32),
        strides=[1, 1, 1, 1], padding="SAME", use_cudnn_on_gpu=True, explicit_paddings=[],
        data_format="NHWC", dilations=[1, 1, 1, 1])
