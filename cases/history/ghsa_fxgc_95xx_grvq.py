"""GHSA-fxgc-95xx-grvq (CVE-2023-25661): Keras Conv3DTranspose on an input with a zero dimension CHECK-fails."""

BUG = {
    "id": "ghsa_fxgc_95xx_grvq",
    "title": "tf.keras.layers.Conv3DTranspose called on a [1, 4, 4, 0, 3] input hits a CHECK and aborts",
    "source": [
        "https://github.com/tensorflow/tensorflow/security/advisories/GHSA-fxgc-95xx-grvq",
        "https://github.com/tensorflow/tensorflow/commit/948fe6369a5711d4b4568ea9bbf6015c6dfb77e2",
        "https://github.com/keras-team/keras/commit/85db5d07db54b853484bfd358c3894d948c36baf",
    ],
    "kind": "crash",
    "affected": "< 2.11.1 (GitHub advisory: affected >= 0, < 2.11.1)",
    "fixed_in": ["2.12.0", "2.11.1"],
    "last_affected": "2.11.0",
    "first_fixed": "2.11.1",
    "good_when": "no-crash",
    "note": (
        "The advisory's model uses a [1, 32, 32, 0, 3] input; the case uses [1, 4, 4, 0, 3] "
        "(the zero dimension is what matters) and calls the layer directly."
    ),
}


def case_ghsa_fxgc_95xx_grvq(tf, np):
    """Conv3DTranspose(2, [3, 3, 3], padding='same') on a zeros [1, 4, 4, 0, 3] input"""
    layer = tf.keras.layers.Conv3DTranspose(2, [3, 3, 3], padding="same")
    return layer(tf.zeros([1, 4, 4, 0, 3]))
