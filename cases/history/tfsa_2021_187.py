"""TFSA-2021-187 (CVE-2021-41209): division by zero in convolutions with zero-size filters."""

BUG = {
    "id": "tfsa_2021_187",
    "title": "tf.raw_ops.Conv2D / DepthwiseConv2dNative with a filter that has a zero dimension divide by zero",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-187.md",
        "https://github.com/tensorflow/tensorflow/commit/f2c3931113eaafe9ef558faaddd48e00a6606235",
    ],
    "kind": "crash",
    "affected": "< 2.7.0, except the patched 2.6.1, 2.5.2, 2.4.4",
    "fixed_in": ["2.7.0", "2.6.1", "2.5.2", "2.4.4"],
    "last_affected": "2.6.0",
    "first_fixed": "2.6.1",
    "good_when": "no-crash",
    "note": (
        "The advisory gives no reproducer; these cases are constructed from its text (a filter "
        "tensor with a zero dimension passed to a convolution), so a disagreement here may mean "
        "the constructed input does not reach the divided code path rather than that the "
        "advisory is wrong. The commit it names (f2c39311) is the same one TFSA-2021-186 "
        "(ParallelConcat) names."
    ),
}


def case_tfsa_2021_187_conv2d(tf, np):
    """Conv2D: input [1, 2, 2, 1], filter [2, 2, 1, 0] (no output channels)"""
    return tf.raw_ops.Conv2D(input=tf.ones([1, 2, 2, 1]), filter=tf.zeros([2, 2, 1, 0]),
                             strides=[1, 1, 1, 1], padding="VALID")


def case_tfsa_2021_187_depthwise(tf, np):
    """DepthwiseConv2dNative: input [1, 2, 2, 1], filter [2, 2, 1, 0] (channel multiplier 0)"""
    return tf.raw_ops.DepthwiseConv2dNative(input=tf.ones([1, 2, 2, 1]), filter=tf.zeros([2, 2, 1, 0]),
                                            strides=[1, 1, 1, 1], padding="VALID")
