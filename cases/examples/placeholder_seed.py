"""The seed report as a case: placeholders fed through a feed dict, as in graph-mode releases."""
import tensorflow as tf  # works: the host never needs TensorFlow, the case gets the release's tf


def case_seed_conv2d_fed(tf, np):
    """the seed's conv2d with tf.placeholder + feed_dict: return fetches, {placeholder: array}"""
    x = tf.placeholder(tf.float32, shape=(1, 4, 3, 1), name="input")
    w = tf.placeholder(tf.float32, shape=(4, 3, 1, 1), name="weights")
    c = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="VALID")
    base = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]).T
    return c, {x: base[np.newaxis, :, :, np.newaxis], w: base[:, :, np.newaxis, np.newaxis]}


def expect_seed_conv2d_fed(np):
    return np.full((1, 1, 1, 1), 3.0)
