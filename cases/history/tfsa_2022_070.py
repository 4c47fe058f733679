"""TFSA-2022-070 (CVE-2022-29196): CHECK failure in Conv3DBackpropFilterV2 (filter_sizes not a vector)."""

BUG = {
    "id": "tfsa_2022_070",
    "title": "tf.raw_ops.Conv3DBackpropFilterV2 with a scalar filter_sizes hits a CHECK and aborts",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-070.md",
        "https://github.com/tensorflow/tensorflow/commit/174c5096f303d5be7ed2ca2662b08371bff4ab88",
    ],
    "kind": "crash",
    "affected": "< 2.9.0, except the patched 2.8.1, 2.7.2, 2.6.4",
    "fixed_in": ["2.9.0", "2.8.1", "2.7.2", "2.6.4"],
    "last_affected": "2.8.0",
    "first_fixed": "2.8.1",
    "good_when": "no-crash",
}


def case_tfsa_2022_070(tf, np):
    """the advisory's repro: float16 [2, 2, 2, 2, 1] input and out_backprop, filter_sizes scalar 0"""
    return tf.raw_ops.Conv3DBackpropFilterV2(
        input=tf.constant(.5053710941, shape=[2, 2, 2, 2, 1], dtype=tf.float16),
        filter_sizes=tf.constant(0, shape=[], dtype=tf.int32),
        out_backprop=tf.constant(.5053710941, shape=[2, 2, 2, 2, 1], dtype=tf.float16),
        strides=[1, 1, 1, 1, 1], padding="VALID", data_format="NDHWC", dilations=[1, 1, 1, 1, 1])
