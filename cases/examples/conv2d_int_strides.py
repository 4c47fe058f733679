def case_conv2d_int_strides(tf, np):
    """conv2d with a bare integer stride"""
    x = tf.constant(np.ones((1, 3, 3, 1), dtype="float32"))
    w = tf.constant(np.ones((2, 2, 1, 1), dtype="float32"))
    return tf.nn.conv2d(x, w, 1, "VALID")


def expect_conv2d_int_strides(np):
    return np.full((1, 2, 2, 1), 4.0)
