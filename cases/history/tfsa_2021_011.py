"""TFSA-2021-011 (CVE-2021-29522): division by 0 in Conv3DBackpropInputV2 / Conv3DBackpropFilterV2."""

BUG = {
    "id": "tfsa_2021_011",
    "title": "tf.raw_ops.Conv3DBackprop{Input,Filter}V2 with empty tensors divide by zero",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-011.md",
        "https://github.com/tensorflow/tensorflow/commit/311403edbc9816df80274bd1ea8b3c0c0f22c3fa",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
}


def case_tfsa_2021_011_input(tf, np):
    """the advisory's first repro: Conv3DBackpropInputV2, filter [0, 0, 0, 1, 0]"""
    sizes = tf.constant([0, 0, 0, 0, 0], shape=[5], dtype=tf.int32)
    w = tf.constant([], shape=[0, 0, 0, 1, 0], dtype=tf.float32)
    dy = tf.constant([], shape=[0, 0, 0, 0, 0], dtype=tf.float32)
    return tf.raw_ops.Conv3DBackpropInputV2(
        input_sizes=sizes, filter=w, out_backprop=dy, strides=[1, 1, 1, 1, 1],
        padding="SAME", data_format="NDHWC", dilations=[1, 1, 1, 1, 1])


def case_tfsa_2021_011_filter(tf, np):
    """the advisory's second repro: Conv3DBackpropFilterV2, out_backprop [1, 1, 1, 1, 0]"""
    x = tf.constant([1], shape=[1, 1, 1, 1, 1], dtype=tf.float32)
    sizes = tf.constant([0, 0, 0, 1, 0], shape=[5], dtype=tf.int32)
    dy = tf.constant([], shape=[1, 1, 1, 1, 0], dtype=tf.float32)
    return tf.raw_ops.Conv3DBackpropFilterV2(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 1, 1, 1, 1],
        padding="SAME", data_format="NDHWC", dilations=[1, 1, 1, 1, 1])
