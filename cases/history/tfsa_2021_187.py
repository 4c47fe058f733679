"""TFSA-2021-187 (CVE-2021-41209): division by zero in convolutions with zero-size filters."""

BUG = {
    "id": "tfsa_2021_187",
    "title": "tf.nn.convolution with a filter that has a zero dimension divides by zero",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-187.md",
        "https://github.com/tensorflow/tensorflow/commit/f2c3931113eaafe9ef558faaddd48e00a6606235",
        "https://github.com/tensorflow/tensorflow/issues/46540",
        "https://github.com/tensorflow/tensorflow/issues/42208",
    ],
    "kind": "crash",
    "affected": "< 2.7.0, except the patched 2.6.1, 2.5.2, 2.4.4",
    "fixed_in": ["2.7.0", "2.6.1", "2.5.2", "2.4.4"],
    "last_affected": "2.6.0",
    "first_fixed": "2.6.1",
    "good_when": "no-crash",
    "note": (
        "The advisory gives no reproducer. The case is the one from GitHub #46540 "
        "(tf.nn.convolution with a filter shaped [1, 0, 1, 1]), the same report as #42208 for "
        "tf.nn.conv2d, both filed by the reporter credited in this batch of advisories for "
        "zero-size-filter crashes; the advisory does not cite them, so that link is this "
        "entry's reading. A first pass here with constructed raw-op cases (Conv2D and "
        "DepthwiseConv2dNative, filter [2, 2, 1, 0]) returned empty tensors without crashing on "
        "2.5.0-2.6.2, so those were not kept as evidence either way. The commit the advisory "
        "names (f2c39311) is the one TFSA-2021-186 (ParallelConcat) names too."
    ),
}


def case_tfsa_2021_187(tf, np):
    """GitHub #46540's repro: tf.nn.convolution(input ones (1, 1, 1, 1), filters ones (1, 0, 1, 1))"""
    return tf.nn.convolution(input=np.ones((1, 1, 1, 1)), filters=np.ones((1, 0, 1, 1)))
