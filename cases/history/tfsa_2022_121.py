"""TFSA-2022-121 (CVE-2022-35999): CHECK failure in Conv2DBackpropInput with an empty out_backprop."""

BUG = {
    "id": "tfsa_2022_121",
    "title": "tf.raw_ops.Conv2DBackpropInput with out_backprop [3, 1, 0, 3] CHECK-fails (oneDNN / cuDNN kernels)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-121.md",
        "https://github.com/tensorflow/tensorflow/commit/27a65a43cf763897fecfa5cdb5cc653fc5dd0346",
    ],
    "kind": "crash",
    "affected": "< 2.10.0, except the patched 2.9.1, 2.8.1, 2.7.2",
    "fixed_in": ["2.10.0", "2.9.1", "2.8.1", "2.7.2"],
    "last_affected": "2.9.0",
    "first_fixed": "2.9.1",
    "good_when": "no-crash",
    "note": (
        "The advisory says the CPU kernel that CHECK-fails is the oneDNN one; oneDNN is on by "
        "default in Linux x86 wheels from 2.9.0 and off before, so older releases may take the "
        "Eigen path. The harness runs releases with their defaults."
    ),
}


def case_tfsa_2022_121(tf, np):
    """the advisory's repro: input_sizes [3, 1, 1, 2], filter [1, 3, 2, 3], out_backprop [3, 1, 0, 3]"""
    return tf.raw_ops.Conv2DBackpropInput(
        input_sizes=[3, 1, 1, 2], filter=np.ones([1, 3, 2, 3]), out_backprop=np.ones([3, 1, 0, 3]),
        strides=[1, 1, 2, 1], padding="VALID")
