"""GitHub #85258: tf.nn.depthwise_conv2d_backprop_filter with scalar input and strides [] aborted on a CHECK."""

BUG = {
    "id": "gh_85258_depthwise_backprop_filter_empty_strides",
    "title": "tf.nn.depthwise_conv2d_backprop_filter(strides=[], scalar input) aborts in tensor_format.h",
    "source": ["https://github.com/tensorflow/tensorflow/issues/85258"],
    "kind": "crash",
    "affected": "2.16.1 and 2.17.0 as reported (2025-01-18)",
    "fixed_in": ["2.18.0"],
    "last_affected": "2.17.0",
    "first_fixed": "2.18.0",
    "good_when": "no-crash",
    "note": (
        "The reporter saw the abort on 2.16.1 and 2.17.0; a maintainer answered (2025-01-27) "
        "that on Colab with 2.17.0, 2.18.0 and nightly the code raises an error instead. The "
        "thread names no fixing commit, so 2.18.0 as the first fixed release is the "
        "maintainer's test, and 2.17.0 is disputed between the two comments."
    ),
}


def case_gh_85258(tf, np):
    """the issue's repro: filter_sizes ones (13, 2, 5, 4) uint32, scalar input and out_backprop, strides []"""
    return tf.nn.depthwise_conv2d_backprop_filter(
        input=26262.2175547925, filter_sizes=np.ones((13, 2, 5, 4), dtype=np.uint32),
        out_backprop=-14557.552005335412, strides=[], padding="VALID")
