"""TFSA-2022-022 (CVE-2022-21741): division by zero in TFLite depthwise convolution (crafted model)."""

BUG = {
    "id": "tfsa_2022_022",
    "title": "TFLite DepthwiseConv divides by a zero stride/dilation read from a crafted .tflite model",
    "source": ["https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-022.md"],
    "kind": "crash",
    "affected": "< 2.8.0, except the patched 2.7.1, 2.6.3, 2.5.3",
    "fixed_in": ["2.8.0", "2.7.1", "2.6.3", "2.5.3"],
    "last_affected": "2.7.0",
    "first_fixed": "2.7.1",
    "good_when": "no-crash",
    "not_observable": (
        "the trigger is a crafted TFLite flatbuffer whose DepthwiseConv2D parameters are zero; "
        "the advisory gives no model or reproducer, and the op is not reachable through a "
        "TensorFlow (CPU) convolution call, only through tf.lite.Interpreter on such a file"
    ),
}
