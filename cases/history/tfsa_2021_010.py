"""TFSA-2021-010 (CVE-2021-29520): heap buffer overflow in Conv3DBackpropInputV2 / Conv3DBackpropFilterV2."""

BUG = {
    "id": "tfsa_2021_010",
    "title": "tf.raw_ops.Conv3DBackprop*V2 access input, filter and out_backprop in parallel without checking their shapes",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-010.md",
        "https://github.com/tensorflow/tensorflow/commit/8f37b52e1320d8d72a9529b2468277791a261197",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "rejects",
    "note": (
        "A memory-safety bug judged by what the fix added (an InvalidArgumentError), as for "
        "tfsa_2021_028: an affected release may crash or silently return."
    ),
}


def case_tfsa_2021_010_input(tf, np):
    """the advisory's first repro: Conv3DBackpropInputV2, filter [4, 1, 6, 1, 1], strides 89x29x89"""
    sizes = tf.constant([1, 1, 1, 1, 2], shape=[5], dtype=tf.int32)
    values = [734.6274508233133] + [-10.0] * 23
    w = tf.constant(values, shape=[4, 1, 6, 1, 1], dtype=tf.float32)
    dy = tf.constant([-10.0], shape=[1, 1, 1, 1, 1], dtype=tf.float32)
    return tf.raw_ops.Conv3DBackpropInputV2(
        input_sizes=sizes, filter=w, out_backprop=dy, strides=[1, 89, 29, 89, 1],
        padding="SAME", data_format="NDHWC", dilations=[1, 1, 1, 1, 1])


def case_tfsa_2021_010_filter(tf, np):
    """the advisory's second repro: Conv3DBackpropFilterV2, input 7x7x7x7x7, out_backprop [7, 1, 1, 1, 1]"""
    values = [-10.0] * (7 * 7 * 7 * 7 * 7)
    values[0] = 429.6491056791816
    x = tf.constant(values, shape=[7, 7, 7, 7, 7], dtype=tf.float32)
    sizes = tf.constant([7, 7, 7, 1, 1], shape=[5], dtype=tf.int32)
    dy = tf.constant([-10.0] * 7, shape=[7, 1, 1, 1, 1], dtype=tf.float32)
    return tf.raw_ops.Conv3DBackpropFilterV2(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 37, 65, 93, 1],
        padding="VALID", data_format="NDHWC", dilations=[1, 1, 1, 1, 1])
