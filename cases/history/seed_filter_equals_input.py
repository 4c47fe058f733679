"""The seed report: conv2d whose filter is the size of its input (and its conv1d reshape).

StackOverflow, March 2017, TF 1.0.0: ``base`` is the 4x3 array
``np.array([[1,0,0,0],[1,0,0,0],[0,0,0,1]]).T``; fed through float32
placeholders as a (1,4,3,1) input and a (4,3,1,1) filter, strides 1, VALID,
``tf.nn.conv2d`` printed -5.31794233e+37 instead of 3 and ``tf.nn.conv1d``
printed nan; "fixed after upgrading to 1.0.1".  Theano's
``conv2d(filter_flip=False)`` gives 3.
"""

BUG = {
    "id": "seed_filter_equals_input",
    "title": "conv2d/conv1d with a filter the size of the input returned garbage (-5.3e37, nan)",
    "source": [
        "https://stackoverflow.com/search?q=tensorflow+Strange+result+from+convolution+compared+to+theano",
        "https://github.com/tensorflow/tensorflow/blob/master/RELEASE.md#release-101",
    ],
    "kind": "wrong-result",
    "affected": "1.0.0 (as reported; the report names no other release)",
    "fixed_in": ["1.0.1"],
    "last_affected": "1.0.0",
    "first_fixed": "1.0.1",
    "good_when": "pass",
    "note": (
        "Not reproducible on this machine, and nothing documents a convolution fix in 1.0.1. "
        "The 1.0.1 release notes list three changes only (GraphConstructor versioning, Google "
        "Cloud Storage fixes, removal of tf.core/tf.python from the API). In the 1.0 sources the "
        "CPU Conv2D kernel has one special path (1x1 filters -> MatMul) and otherwise calls "
        "Eigen's SpatialConvolution; a filter the size of the input gets no special treatment "
        "on CPU (the 'filter equals input -> GEMM' fast paths came later, in the GPU launcher "
        "and in LaunchGeneric). 1.0.0 and 1.0.1 were measured here under every condition tried: "
        "placeholders fed through feed_dict (as reported), placeholder_with_default (this file), "
        "intra/inter-op threads 1, 2 and 8, five runs per session, a session that first "
        "allocates and frees 4 MB of -5.3e37 values (to expose reads of uninitialised memory), "
        "larger same-size problems (8x16x16x32 -> 64, conv1d width 50), and 1x1 filters: every "
        "result matches the float64 reference in both releases (max error 0 for the seed, "
        "<2e-4 for the large case). -5.3e37 and nan look like an uninitialised output buffer, "
        "which fits a GPU build (cuDNN) better than the CPU wheel; no GPU is available here, "
        "so that stays a hypothesis. Recorded as a disagreement: the documented fix cannot "
        "be observed on this CPU."
    ),
}

BASE = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]


def _fed(tf, array):
    """A runtime tensor, like the report's fed placeholder (no constant folding)."""
    if hasattr(tf, "placeholder_with_default") and not _eager(tf):
        return tf.placeholder_with_default(array, shape=array.shape)
    return tf.constant(array)


def _eager(tf):
    probe = getattr(tf, "executing_eagerly", None)
    return bool(probe()) if probe is not None else False


def case_seed_history_conv2d(tf, np):
    """tf.nn.conv2d of the 4x3 array with itself, NHWC, VALID -> [[[[3]]]]"""
    base = np.array(BASE, dtype=np.float32).T
    x = _fed(tf, base.reshape(1, 4, 3, 1))
    w = _fed(tf, base.reshape(4, 3, 1, 1))
    return tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="VALID")


def expect_seed_history_conv2d(np):
    return np.full((1, 1, 1, 1), 3.0, dtype=np.float32)


def case_seed_history_conv1d(tf, np):
    """tf.nn.conv1d of the same data: width 4, 3 channels, filter 4x3x1 -> 3"""
    base = np.array(BASE, dtype=np.float32).T
    x = _fed(tf, base.reshape(1, 4, 3))
    w = _fed(tf, base.reshape(4, 3, 1))
    return tf.nn.conv1d(x, w, 1, "VALID")


def expect_seed_history_conv1d(np):
    return np.full((1, 1, 1), 3.0, dtype=np.float32)
