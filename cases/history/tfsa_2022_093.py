"""TFSA-2022-093 (CVE-2022-36027): the TFLite converter segfaults on per-channel quantized transposed convolutions."""

BUG = {
    "id": "tfsa_2022_093",
    "title": "tf.lite.TFLiteConverter segfaults converting conv2d_transpose with per-channel fake-quantized weights",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2022-093.md",
        "https://github.com/tensorflow/tensorflow/commit/aa0b852a4588cea4d36b74feb05d93055540b450",
        "https://github.com/tensorflow/tensorflow/issues/53767",
    ],
    "kind": "crash",
    "affected": "< 2.10.0, except the patched 2.9.1, 2.8.1, 2.7.2",
    "fixed_in": ["2.10.0", "2.9.1", "2.8.1", "2.7.2"],
    "last_affected": "2.9.0",
    "first_fixed": "2.9.1",
    "good_when": "no-crash",
    "note": (
        "The advisory's reproducer, with the SavedModel written to a fresh temporary folder "
        "instead of /tmp/testing. It exercises the converter (a Python-reachable CPU code path), "
        "not a TensorFlow kernel."
    ),
}


def case_tfsa_2022_093(tf, np):
    """the advisory's repro: Keras model with a per-channel fake-quantized conv2d_transpose, then convert()"""
    import tempfile

    class QuantConv2DTransposed(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", [3, 3, input_shape[-1], 24])

        def call(self, inputs):
            filters = tf.quantization.fake_quant_with_min_max_vars_per_channel(
                self.kernel, -3.0 * tf.ones([24]), 3.0 * tf.ones([24]), narrow_range=True)
            filters = tf.transpose(filters, (0, 1, 3, 2))
            return tf.nn.conv2d_transpose(inputs, filters, [*inputs.shape[:-1], 24], 1)

    inp = tf.keras.Input(shape=(6, 8, 48), batch_size=1)
    x = tf.quantization.fake_quant_with_min_max_vars(inp, -3.0, 3.0, narrow_range=True)
    x = QuantConv2DTransposed()(x)
    x = tf.quantization.fake_quant_with_min_max_vars(x, -3.0, 3.0, narrow_range=True)
    model = tf.keras.Model(inp, x)
    folder = tempfile.mkdtemp(prefix="tfsa_2022_093_")
    model.save(folder)
    converter = tf.lite.TFLiteConverter.from_saved_model(folder)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return np.frombuffer(converter.convert(), dtype=np.uint8).size > 0
