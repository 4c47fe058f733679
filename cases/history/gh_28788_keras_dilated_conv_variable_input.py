"""GitHub #28788 (and #30167): a dilated Keras Conv2D reused on inputs of different sizes fails in SpaceToBatchND."""

BUG = {
    "id": "gh_28788_keras_dilated_conv_variable_input",
    "title": "Keras Conv2D(dilation_rate=3) called on 12x16, 13x16, then 12x16 inputs: padded_shape not divisible",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/28788",
        "https://github.com/tensorflow/tensorflow/issues/30167",
    ],
    "kind": "error-became-supported",
    "affected": "2.0 as reported in #28788 (and 2.1.0-dev20191111 for Conv1D); #30167 reports 2.2.0 still failing",
    "fixed_in": ["2.1.0"],
    "last_affected": "2.0.0",
    "first_fixed": "2.1.0",
    "good_when": "pass",
    "note": (
        "A maintainer wrote (2019-11-09) that the fix 'to recreate conv_op when a different "
        "input is provided' was verified on tf-nightly; 2.1.0 (January 2020) is the first "
        "release after it. A later comment on #30167 (2021-11-23) shows the same error on "
        "2.2.0 with this exact snippet, so the sources disagree with each other; the harness "
        "checks both readings."
    ),
}


def case_gh_28788(tf, np):
    """output shapes of one Conv2D(8, 3, dilation_rate=3) on ones 1x12x16x1, 1x13x16x1, 1x12x16x1 (eager)"""
    if not tf.executing_eagerly():
        tf.compat.v1.enable_eager_execution()
    layer = tf.keras.layers.Conv2D(filters=8, kernel_size=3, dilation_rate=3)
    x1 = tf.ones((1, 12, 16, 1))
    x2 = tf.ones((1, 13, 16, 1))
    shapes = [layer(x1).shape.as_list(), layer(x2).shape.as_list(), layer(x1).shape.as_list()]
    return np.array(shapes, dtype=np.int64)


def expect_gh_28788(np):
    return np.array([[1, 6, 10, 8], [1, 7, 10, 8], [1, 6, 10, 8]], dtype=np.int64)
