"""TFSA-2021-089 (CVE-2021-29602): division by zero in TFLite's DepthwiseConv kernel (crafted model)."""

BUG = {
    "id": "tfsa_2021_089",
    "title": "TFLite DepthwiseConv computes num_filter_channels % num_input_channels with a zero input depth",
    "source": ["https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-089.md",
               "https://github.com/tensorflow/tensorflow/commit/cbda3c6b2dbbd3fbdc482ff8c0170a78ec2e97d0"],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
    "not_observable": (
        "the trigger is a crafted .tflite flatbuffer whose input has a zero fourth dimension; "
        "the advisory gives no model, and the converter rejects or never produces such a graph "
        "from a TensorFlow convolution"
    ),
}
