"""TFSA-2021-028 (CVE-2021-29540): heap buffer overflow in Conv2DBackpropFilter (filter_sizes not checked)."""

BUG = {
    "id": "tfsa_2021_028",
    "title": "tf.raw_ops.Conv2DBackpropFilter reads/writes past its buffers when filter_sizes mismatch the input",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-028.md",
        "https://github.com/tensorflow/tensorflow/commit/c570e2ecfc822941335ad48f6e10df4e21f11c96",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    # A heap overflow need not kill the process: the affected release may return
    # garbage.  The fix validates the shapes, so fixed means "raises".
    "good_when": "rejects",
    "note": (
        "A memory-safety bug: without a sanitizer the out-of-bounds access may or may not "
        "crash, so the harness judges it by what the fix added, an InvalidArgumentError "
        "(good_when 'rejects'); an affected release that returns a value is still affected."
    ),
}


def case_tfsa_2021_028_strides(tf, np):
    """the advisory's first repro: 1x1x1x2 input, filter_sizes [1, 1, 1, 1], strides 66x49"""
    x = tf.constant([386.078431372549, 386.07843139643234], shape=[1, 1, 1, 2], dtype=tf.float32)
    sizes = tf.constant([1, 1, 1, 1], shape=[4], dtype=tf.int32)
    dy = tf.constant([386.078431372549], shape=[1, 1, 1, 1], dtype=tf.float32)
    return tf.raw_ops.Conv2DBackpropFilter(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 66, 49, 1],
        use_cudnn_on_gpu=True, padding="VALID", explicit_paddings=[], data_format="NHWC",
        dilations=[1, 1, 1, 1])


def case_tfsa_2021_028_empty(tf, np):
    """the advisory's second repro: empty input [0, 1, 1, 5], filter_sizes [3, 8, 1, 1]"""
    x = tf.constant([], shape=[0, 1, 1, 5], dtype=tf.float32)
    sizes = tf.constant([3, 8, 1, 1], shape=[4], dtype=tf.int32)
    dy = tf.constant([], shape=[0, 1, 1, 1], dtype=tf.float32)
    return tf.raw_ops.Conv2DBackpropFilter(
        input=x, filter_sizes=sizes, out_backprop=dy, strides=[1, 66, 49, 1],
        use_cudnn_on_gpu=True, padding="VALID", explicit_paddings=[], data_format="NHWC",
        dilations=[1, 1, 1, 1])
