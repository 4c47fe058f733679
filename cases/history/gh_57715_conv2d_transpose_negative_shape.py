"""GitHub #57715: tf.nn.conv2d_transpose aborted the process when output_shape had a negative entry."""

BUG = {
    "id": "gh_57715_conv2d_transpose_negative_shape",
    "title": "tf.nn.conv2d_transpose with output_shape [2, -2] hits a CHECK in TensorShape and aborts",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/57715",
        "https://github.com/tensorflow/tensorflow/pull/57787",
        "https://github.com/tensorflow/tensorflow/issues/57709",
    ],
    "kind": "crash",
    "affected": "2.10.0 and 2.11.0-dev20220914 as reported",
    "fixed_in": ["2.11.0"],
    "last_affected": "2.10.0",
    "first_fixed": "2.11.0",
    "good_when": "no-crash",
    "note": (
        "PR #57787 (merged September 2022) validates the shape; it names no release, and 2.11.0 "
        "is the first release cut after the merge."
    ),
}


def case_gh_57715(tf, np):
    """the issue's repro: 1x1x1x1 input and filter, output_shape [2, -2], strides [1]"""
    return tf.nn.conv2d_transpose(input=np.ones((1, 1, 1, 1)), filters=np.ones((1, 1, 1, 1)),
                                  output_shape=[2, -2], strides=[1])
