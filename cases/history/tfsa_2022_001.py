"""TFSA-2022-001 (CVE-2022-21725): division by zero in the grappler cost estimator of convolution-like ops."""

BUG = {
    "id": "tfsa_2022_001",
    "title": "OpLevelCostEstimator divides by a zero stride when a tf.function holds a windowed op (AvgPoolGrad)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-001.md",
        "https://github.com/tensorflow/tensorflow/commit/3218043d6d3a019756607643cf65574fbfef5d7a",
    ],
    "kind": "crash",
    "affected": "< 2.8.0, except the patched 2.7.1, 2.6.3, 2.5.3",
    "fixed_in": ["2.8.0", "2.7.1", "2.6.3", "2.5.3"],
    "last_affected": "2.7.0",
    "first_fixed": "2.7.1",
    "good_when": "no-crash",
    "note": (
        "Titled 'when executing convolution operators': the divided code is the convolution "
        "cost estimator (GetOutputSize), but the advisory's reproducer reaches it through "
        "AvgPoolGrad with a zero stride inside a tf.function; the case is that reproducer."
    ),
}


def case_tfsa_2022_001(tf, np):
    """the advisory's repro: AvgPoolGrad with strides [1, 1, 1, 0] in a tf.function"""
    @tf.function
    def test():
        return tf.raw_ops.AvgPoolGrad(
            orig_input_shape=[1, 1, 1, 1],
            grad=[[[[1.0], [1.0], [1.0]]], [[[2.0], [2.0], [2.0]]], [[[3.0], [3.0], [3.0]]]],
            ksize=[1, 1, 1, 1], strides=[1, 1, 1, 0], padding="VALID", data_format="NCHW")
    return test()
