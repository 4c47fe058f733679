"""GitHub #6369: tf.nn.conv3d_transpose returned a tensor of unknown static shape (conv2d_transpose did not)."""

BUG = {
    "id": "gh_6369_conv3d_transpose_unknown_shape",
    "title": "tf.nn.conv3d_transpose(..., output_shape=[10, 6, 6, 6, 8]) has static shape (?, ?, ?, ?, ?)",
    "source": ["https://github.com/tensorflow/tensorflow/issues/6369"],
    "kind": "wrong-result",
    "affected": "reported 2016-12-17 on the then-current release (0.11/0.12 era)",
    "fixed_in": ["0.12.0"],
    "last_affected": "0.11.0",
    "first_fixed": "0.12.0",
    "good_when": "pass",
    "note": (
        "The reporter answered a later 'same problem' with 'You can resolve this issue by "
        "updating your tf to 0.12+' (2017-03-07); no commit is named, so 0.12.0 is the reporter's "
        "word."
    ),
    "not_observable": (
        "0.x releases have wheels only for Python 2.7/3.5, and the in-environment runner needs "
        "Python 3.6; the catalog here starts at 0.12.0 and nothing before 1.0.0 is installable"
    ),
}
