"""GitHub #57709: tf.keras.backend.conv2d_transpose aborted on a negative output_shape (same fix as #57715)."""

BUG = {
    "id": "gh_57709_keras_conv2d_transpose_negative_shape",
    "title": "tf.keras.backend.conv2d_transpose with output_shape [-3697127975084027074, 1] hits a CHECK and aborts",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/57709",
        "https://github.com/tensorflow/tensorflow/pull/57787",
    ],
    "kind": "crash",
    "affected": "2.11.0-dev20220914 and 2.11.0-dev20220918 as reported",
    "fixed_in": ["2.11.0"],
    "last_affected": "2.10.0",
    "first_fixed": "2.11.0",
    "good_when": "no-crash",
    "note": (
        "A maintainer wrote on 2022-09-21 that PR #57787 (which says 'This PR fixes #57709') "
        "should fix it; the PR names no release and 2.11.0 is the first release cut after its "
        "merge. The report names only nightlies, so 2.10.0 as last affected is this entry's "
        "reading, checked here rather than assumed."
    ),
}


def case_gh_57709(tf, np):
    """the issue's repro: x ones (2, 1, 1, 1), kernel 1, output_shape int32 [-3697127975084027074, 1]"""
    return tf.keras.backend.conv2d_transpose(
        x=np.ones((2, 1, 1, 1)), kernel=1,
        output_shape=np.array([-3697127975084027074, 1], dtype=np.int32))
