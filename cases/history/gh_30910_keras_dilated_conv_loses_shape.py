"""GitHub #30910 (and #29542, #28400): Keras Conv2D with dilation_rate != 1 lost the static output shape."""

BUG = {
    "id": "gh_30910_keras_dilated_conv_loses_shape",
    "title": "tf.keras Conv2D(256, 1, dilation_rate=6) on Input((512, 512, 3)) gives shape (None, None, None, 256)",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/30910",
        "https://github.com/tensorflow/tensorflow/issues/29542",
        "https://github.com/tensorflow/tensorflow/issues/28400",
        "https://github.com/tensorflow/tensorflow/commit/0b4c19a3c1d1d3e7c016760aeea099fecb5fa544",
        "https://github.com/tensorflow/tensorflow/issues/44092",
    ],
    "kind": "wrong-result",
    "affected": "2.0.0-beta0 and 2.0.0-beta1 as reported (#29542, #30910); nightlies from 2019-05-04 (#28400)",
    "fixed_in": ["2.0.0"],
    "last_affected": "2.0.0b1",
    "first_fixed": "2.0.0",
    "good_when": "pass",
    "note": (
        "A maintainer linked the fix, commit 0b4c19a3 (2019-06-28), on #29542; 2.0.0 is the first "
        "final release after it. The affected releases named are pre-releases, which the "
        "catalog here does not list, so the documented 'affected' side cannot be measured; "
        "--bisect looks for the change among final releases. #44092 (2020-10) reports the "
        "same symptom on 2.3.0."
    ),
}


def case_gh_30910(tf, np):
    """static shape (None as -1) of Conv2D(filters=256, kernel_size=1, dilation_rate=6) on Input((512, 512, 3))"""
    tensor = tf.keras.Input(shape=(512, 512, 3))
    y = tf.keras.layers.Conv2D(filters=256, kernel_size=1, dilation_rate=6)(tensor)
    return np.array([-1 if d is None else int(d) for d in y.shape.as_list()], dtype=np.int64)


def expect_gh_30910(np):
    return np.array([-1, 512, 512, 256], dtype=np.int64)
