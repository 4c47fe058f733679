"""TFSA-2023-001 (CVE-2023-27579): floating point exception in the TFLite conv kernel (crafted model)."""

BUG = {
    "id": "tfsa_2023_001",
    "title": "TFLite Conv2D divides by filter_input_channel < 1 read from a crafted .tflite model",
    "source": ["https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2023-001.md",
               "https://github.com/tensorflow/tensorflow/commit/34f8368c535253f5c9cb3a303297743b62442aaa"],
    "kind": "crash",
    "affected": "< 2.12.0, except the patched 2.11.1",
    "fixed_in": ["2.12.0", "2.11.1"],
    "last_affected": "2.11.0",
    "first_fixed": "2.11.1",
    "good_when": "no-crash",
    "not_observable": (
        "the trigger is a crafted TFLite model with filter_input_channel < 1; the advisory "
        "gives no model, and the TFLite kernel is not reachable through a TensorFlow (CPU) "
        "convolution op"
    ),
}
