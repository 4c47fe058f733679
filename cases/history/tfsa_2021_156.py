"""TFSA-2021-156 (CVE-2021-37682): TFLite quantized kernels (e.g. DepthwiseConv) read uninitialised quantization params."""

BUG = {
    "id": "tfsa_2021_156",
    "title": "TFLite DepthwiseConv (and every quantized TFLite op) reads quantization.params without checking quantization.type",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-156.md",
        "https://github.com/tensorflow/tensorflow/commit/537bc7c723439b9194a358f64d871dd326c18887",
        "https://github.com/tensorflow/tensorflow/commit/4a91f2069f7145aab6ba2d8cfe41be8a110c18a5",
        "https://github.com/tensorflow/tensorflow/commit/8933b8a21280696ab119b63263babdb54c298538",
    ],
    "kind": "crash",
    "affected": "< 2.6.0, except the patched 2.5.1, 2.4.3, 2.3.4",
    "fixed_in": ["2.6.0", "2.5.1", "2.4.3", "2.3.4"],
    "last_affected": "2.5.0",
    "first_fixed": "2.5.1",
    "good_when": "rejects",
    "not_observable": (
        "the advisory's example is the TFLite depthwise_conv.cc kernel casting filter->quantization.params "
        "of a tensor whose quantization.type may be kTfLiteNoQuantization: the trigger is a crafted "
        ".tflite model that declares a quantized convolution without valid quantization parameters. "
        "The advisory gives no model and the converter always writes the parameters; the defect is a "
        "use of memory the type field says is not valid, whose effect (crash, garbage, nothing) depends "
        "on what that memory holds, so without a memory sanitizer a CPU wheel cannot tell affected "
        "from fixed; no crafted model was attempted here"
    ),
}
