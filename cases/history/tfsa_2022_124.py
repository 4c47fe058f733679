"""TFSA-2022-124 (CVE-2022-35996): floating point exception in Conv2D with an empty input and EXPLICIT padding."""

BUG = {
    "id": "tfsa_2022_124",
    "title": "tf.raw_ops.Conv2D with input [1, 0, 2, 1] and explicit padding divides by zero",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-124.md",
        "https://github.com/tensorflow/tensorflow/commit/611d80db29dd7b0cfb755772c69d60ae5bca05f9",
    ],
    "kind": "crash",
    "affected": "< 2.10.0, except the patched 2.9.1, 2.8.1, 2.7.2",
    "fixed_in": ["2.10.0", "2.9.1", "2.8.1", "2.7.2"],
    "last_affected": "2.9.0",
    "first_fixed": "2.9.1",
    "good_when": "no-crash",
}


def case_tfsa_2022_124(tf, np):
    """the advisory's repro: float64 input [1, 0, 2, 1], filter [1, 1, 1, 1], EXPLICIT padding 1"""
    return tf.raw_ops.Conv2D(input=np.ones([1, 0, 2, 1]), filter=np.ones([1, 1, 1, 1]),
                             strides=[1, 1, 1, 1], padding="EXPLICIT",
                             explicit_paddings=[0, 0, 1, 1, 1, 1, 0, 0], data_format="NHWC")
