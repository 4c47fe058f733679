"""TFSA-2022-156 (CVE-2022-41894): buffer overflow in the TFLite reference CONV_3D_TRANSPOSE kernel (bias pointer)."""

BUG = {
    "id": "tfsa_2022_156",
    "title": "TFLite reference CONV_3D_TRANSPOSE advances the bias pointer by input channels: wrong output, heap overflow",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-156.md",
        "https://github.com/tensorflow/tensorflow/commit/72c0bdcb25305b0b36842d746cc61d72658d2941",
    ],
    "kind": "crash",
    "affected": "< 2.11.0, except the patched 2.10.1, 2.9.3, 2.8.4",
    "fixed_in": ["2.11.0", "2.10.1", "2.9.3", "2.8.4"],
    "last_affected": "2.10.0",
    "first_fixed": "2.10.1",
    # A heap overflow may or may not kill the process; the wrong output is what the fix changed.
    "good_when": "pass",
    "note": (
        "The advisory's model (Conv3DTranspose, 1024 input channels, 8 filters) run through "
        "tf.lite.Interpreter with the BUILTIN_REF resolver. The advisory's Keras bias is all "
        "zeros, which hides the wrong pointer arithmetic; the case sets the bias to 1..8 and "
        "compares the TFLite output with Keras' own (max abs difference, expected 0 within "
        "TOLERANCE). Affected releases may crash (heap overflow) or return the wrong sum."
    ),
}

TOLERANCE = {"rtol": 0.0, "atol": 1e-3}


def case_tfsa_2022_156(tf, np):
    """max |TFLite(BUILTIN_REF) - Keras| for Conv3DTranspose(8, 2x2x2) on a [1, 2, 2, 2, 1024] input"""
    model = tf.keras.Sequential([
        tf.keras.layers.InputLayer(input_shape=(2, 2, 2, 1024), batch_size=1),
        tf.keras.layers.Conv3DTranspose(filters=8, kernel_size=(2, 2, 2), padding="same",
                                        data_format="channels_last"),
    ])
    kernel, bias = model.layers[-1].get_weights()
    rng = np.random.RandomState(0)
    model.layers[-1].set_weights([rng.uniform(-0.01, 0.01, kernel.shape).astype(np.float32),
                                  np.arange(1, 9, dtype=np.float32)])
    x = rng.uniform(-1, 1, (1, 2, 2, 2, 1024)).astype(np.float32)
    expected = model(x).numpy()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    interpreter = tf.lite.Interpreter(
        model_content=converter.convert(),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    return np.array(np.abs(got - expected).max(), dtype=np.float64)


def expect_tfsa_2022_156(np):
    return np.array(0.0)
