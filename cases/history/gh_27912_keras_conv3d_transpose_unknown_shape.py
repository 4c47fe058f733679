"""GitHub #27912 (with #25978, #22771): tf.keras Conv3DTranspose failed on an input whose spatial sizes are None."""

BUG = {
    "id": "gh_27912_keras_conv3d_transpose_unknown_shape",
    "title": "tf.keras.layers.Conv3DTranspose on Input(shape=(None, None, None, 3)) raised instead of building",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/27912",
        "https://github.com/tensorflow/tensorflow/issues/25978",
        "https://github.com/tensorflow/tensorflow/issues/22771",
        "https://github.com/tensorflow/tensorflow/commit/bae74d26f93872374b48c60a73d189df148a6f99",
    ],
    "kind": "error-became-supported",
    "affected": "1.9.0, 1.10.0, 1.11.0, 1.12.0 as reported; 1.13.1 per the maintainer",
    "fixed_in": ["2.0.0"],
    "last_affected": "1.13.1",
    "first_fixed": "2.0.0",
    "good_when": "pass",
    "note": (
        "A maintainer wrote (2019-04-23) that the fixing commit bae74d26 is 'not included in "
        "1.13-rc2 or even 1.13.1' and the error 'is not seen on 2.0.0-alpha0'; 2.0.0 is the "
        "first final release after that pre-release. 1.14.0 (June 2019) is not mentioned "
        "anywhere; --bisect says whether it already has the fix."
    ),
}


def case_gh_27912(tf, np):
    """static output shape (None as -1) of Conv3DTranspose(8, 3, strides=2, 'same') on Input((None,)*3 + (3,))"""
    x = tf.keras.layers.Input(shape=(None, None, None, 3))
    y = tf.keras.layers.Conv3DTranspose(filters=8, kernel_size=3, strides=2, padding="same")(x)
    return np.array([-1 if d is None else int(d) for d in y.shape.as_list()], dtype=np.int64)


def expect_gh_27912(np):
    return np.array([-1, -1, -1, -1, 8], dtype=np.int64)
