"""TFSA-2021-082 (CVE-2021-29594): division by zero in TFLite's convolution kernel (crafted model)."""

BUG = {
    "id": "tfsa_2021_082",
    "title": "TFLite Conv divides by user-controlled dimensions (e.g. NumElements / SizeOfDimension(input, 0))",
    "source": ["https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-082.md",
               "https://github.com/tensorflow/tensorflow/commit/ff489d95a9006be080ad14feb378f2b4dac35552"],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
    "not_observable": (
        "the trigger is a crafted .tflite flatbuffer with a zero-sized dimension; the advisory "
        "gives neither model nor reproducer, and the TensorFlow converter does not emit such a "
        "model from a valid Keras/TF convolution, so no CPU convolution call reaches it"
    ),
}
