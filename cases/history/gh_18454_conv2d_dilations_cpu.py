"""GitHub #18454: tf.nn.conv2d with dilations > 1 on CPU did not compute a dilated convolution (TF 1.6)."""

BUG = {
    "id": "gh_18454_conv2d_dilations_cpu",
    "title": "tf.nn.conv2d(dilations=[1, 2, 2, 1]) on CPU: no dilated result in 1.5/1.6",
    "source": [
        "https://github.com/tensorflow/tensorflow/issues/18454",
        "https://github.com/tensorflow/tensorflow/issues/8431",
    ],
    "kind": "wrong-result",
    "affected": "1.6.0 as reported (dilations came to tf.nn.conv2d in 1.5.0, per #8431)",
    "fixed_in": ["1.7.0"],
    "last_affected": "1.6.0",
    "first_fixed": "1.7.0",
    "good_when": "pass",
    "bisect_from": "1.5.0",
    "note": (
        "The report (filed 2018-04-12 against 1.6.0, when 1.7.0 was already out) says the CPU "
        "result ignores the dilation; the thread names no fixed release, so 1.7.0 is the "
        "boundary checked here. On this machine 1.5.0 and 1.6.0 do not return a wrong value: the "
        "CPU kernel refuses with UnimplementedError 'Generic conv implementation only supports "
        "dilated rate of 1 for now' (the reporter's graph with variables may have taken "
        "another path); from 1.7.0 the dilated result is correct. Either way the documented "
        "boundary holds: 1.6.0 does not give the dilated convolution, 1.7.0 does."
    ),
}


def _dilated(np, x, k, rate):
    span_h, span_w = (k.shape[0] - 1) * rate + 1, (k.shape[1] - 1) * rate + 1
    out = np.zeros((1, x.shape[1] - span_h + 1, x.shape[2] - span_w + 1, 1), dtype=np.float32)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            out[0, i, j, 0] = (x[0, i:i + span_h:rate, j:j + span_w:rate, 0] * k[:, :, 0, 0]).sum()
    return out


def case_gh_18454(tf, np):
    """7x7 input 0..48, 3x3 ones filter, dilations 2, VALID -> 3x3 dilated window sums"""
    x = np.arange(49, dtype=np.float32).reshape(1, 7, 7, 1)
    w = np.ones((3, 3, 1, 1), dtype=np.float32)
    return tf.nn.conv2d(tf.constant(x), tf.constant(w), strides=[1, 1, 1, 1], padding="VALID",
                        dilations=[1, 2, 2, 1])


def expect_gh_18454(np):
    x = np.arange(49, dtype=np.float32).reshape(1, 7, 7, 1)
    return _dilated(np, x, np.ones((3, 3, 1, 1), dtype=np.float32), 2)
