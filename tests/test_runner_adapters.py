"""The runner's per-era adapters, against fake framework modules with each era's signatures."""

from __future__ import annotations

import ast
import types

import numpy as np
import pytest

import adapter_tensorflow as tfa
from adapter_common import Unsupported

from harness import runner

STDLIB = {"importlib", "inspect", "json", "os", "signal", "sys", "threading", "time", "traceback", "numpy"}
SIBLINGS = {"adapter_common"}


@pytest.mark.parametrize("name", ["driver.py", "adapter_common.py", "adapter_tensorflow.py"])
def test_runner_is_python36_and_imports_only_stdlib_numpy_and_its_siblings(name):
    tree = ast.parse((runner.HERE / name).read_text(), feature_version=(3, 6))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= STDLIB | SIBLINGS


# ---------------------------------------------------------------- fake eras

def record(name):
    def fn(*args, **kwargs):
        return (name, args, kwargs)
    return fn


def tf_1_0():
    """Signatures (and the docstrings the runner reads) of TensorFlow 1.0."""
    def conv1d(value, filters, stride, padding, use_cudnn_on_gpu=None, data_format=None, name=None):
        """data_format: An optional `string` from `"NHWC", "NCHW"`."""
        return ("conv1d", (value, filters, stride, padding), {"data_format": data_format})

    def conv2d(input, filter, strides, padding, use_cudnn_on_gpu=None, data_format=None, name=None):
        """padding: A `string` from: `"SAME", "VALID"`."""
        return ("conv2d", (input, filter, strides, padding), {"data_format": data_format})

    def conv3d(input, filter, strides, padding, name=None):
        return ("conv3d", (input, filter, strides, padding), {})

    def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None):
        return ("depthwise", (input, filter, strides, padding), {"rate": rate})

    def conv2d_transpose(value, filter, output_shape, strides, padding="SAME", data_format="NHWC", name=None):
        return ("transpose", (value, filter, output_shape, strides, padding), {"data_format": data_format})

    nn = types.SimpleNamespace(conv1d=conv1d, conv2d=conv2d, conv3d=conv3d,
                               depthwise_conv2d=depthwise_conv2d, conv2d_transpose=conv2d_transpose)
    return types.SimpleNamespace(nn=nn, Graph=object, Session=object)


def tf_2_x(keras_groups=True):
    """Signatures of TensorFlow 2.x (eager, explicit padding where documented, Keras with groups)."""
    def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):
        """data_format: An optional `string` from `"NWC", "NCW"`."""
        return ("conv1d", (input, filters, stride, padding), {"data_format": data_format, "dilations": dilations})

    def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
        """padding: ..., or a list indicating the explicit paddings at the start and end of each
        dimension. When explicit padding is used and data_format is "NHWC", ..."""
        return ("conv2d", (input, filters, strides, padding), {"data_format": data_format, "dilations": dilations})

    def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):
        """When explicit padding is used ..."""
        return ("depthwise", (input, filter, strides, padding), {"dilations": dilations, "data_format": data_format})

    def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                         dilations=None, name=None):
        return ("transpose", (input, filters, output_shape, strides, padding),
                {"dilations": dilations, "data_format": data_format})

    class Conv2D:
        if keras_groups:
            def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                         dilation_rate=(1, 1), groups=1, use_bias=True, kernel_initializer=None, **kwargs):
                self.config = dict(locals(), **kwargs)
        else:
            def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                         dilation_rate=(1, 1), use_bias=True, kernel_initializer=None, **kwargs):
                self.config = dict(locals(), **kwargs)

        def __call__(self, x):
            return ("keras", x, self.config)

    nn = types.SimpleNamespace(conv1d=conv1d, conv2d=conv2d, depthwise_conv2d=depthwise_conv2d,
                               conv2d_transpose=conv2d_transpose)
    keras = types.SimpleNamespace(layers=types.SimpleNamespace(Conv2D=Conv2D))
    return types.SimpleNamespace(nn=nn, keras=keras, executing_eagerly=lambda: True,
                                 constant_initializer=lambda value: ("constant", value))


def spec(op, fmt, padding="VALID", **attrs):
    return {"op": op, "dtype": "float32", "attrs": dict(data_format=fmt, padding=padding, **attrs)}


def run(tf, s, arrays=(None, None)):
    fw = tfa.TensorFlow(tf)
    return tfa.OPS[s["op"]](fw, s, ["x", "w"], list(arrays))


# ---------------------------------------------------------------- conv1d/2d/3d

def test_conv1d_channels_first_is_spelled_as_each_era_documents():
    assert run(tf_1_0(), spec("conv1d", "NCW"))[2]["data_format"] == "NCHW"
    assert run(tf_2_x(), spec("conv1d", "NCW"))[2]["data_format"] == "NCW"


def test_channels_last_is_never_passed():
    assert run(tf_1_0(), spec("conv1d", "NWC"))[2]["data_format"] is None
    assert run(tf_2_x(), spec("conv2d", "NHWC"))[2]["data_format"] == "NHWC"  # the fake's default


def test_dilations_are_unsupported_before_the_argument_existed():
    with pytest.raises(Unsupported, match="dilations"):
        run(tf_1_0(), spec("conv1d", "NWC", dilations=2))
    with pytest.raises(Unsupported, match="dilations"):
        run(tf_1_0(), spec("conv2d", "NHWC", dilations=2))
    assert run(tf_2_x(), spec("conv1d", "NWC", dilations=2))[2]["dilations"] == 2


def test_conv2d_strides_and_dilations_follow_the_layout():
    name, args, kwargs = run(tf_2_x(), spec("conv2d", "NCHW", strides=[2, 3], dilations=2))
    assert args[2] == [1, 1, 2, 3] and kwargs["dilations"] == [1, 1, 2, 2]
    name, args, kwargs = run(tf_2_x(), spec("conv2d", "NHWC", strides=2))
    assert args[2] == [1, 2, 2, 1] and kwargs["dilations"] is None


def test_conv3d_channels_first_is_unsupported_without_a_data_format_argument():
    with pytest.raises(Unsupported, match="data_format"):
        run(tf_1_0(), spec("conv3d", "NCDHW"))


def test_explicit_padding_only_where_the_op_documents_it():
    with pytest.raises(Unsupported, match="explicit padding"):
        run(tf_1_0(), spec("conv2d", "NHWC", padding=[[1, 2], [0, 1]]))
    with pytest.raises(Unsupported, match="explicit padding"):
        run(tf_2_x(), spec("conv1d", "NWC", padding=[[1, 2]]))
    assert run(tf_2_x(), spec("conv2d", "NHWC", padding=[[1, 2], [0, 1]]))[1][3] == [
        [0, 0], [1, 2], [0, 1], [0, 0]]
    assert run(tf_2_x(), spec("conv2d", "NCHW", padding=[[1, 2], [0, 1]]))[1][3] == [
        [0, 0], [0, 0], [1, 2], [0, 1]]


# ---------------------------------------------------------------- depthwise, transpose

def test_depthwise_dilation_is_rate_in_1x_and_dilations_in_2x():
    assert run(tf_1_0(), spec("depthwise_conv2d", "NHWC", dilations=2))[2]["rate"] == [2, 2]
    name, args, kwargs = run(tf_2_x(), spec("depthwise_conv2d", "NHWC", strides=2, dilations=2))
    assert kwargs["dilations"] == [2, 2] and args[2] == [1, 2, 2, 1]


def test_transpose_passes_output_shape_and_full_strides():
    s = spec("conv2d_transpose", "NHWC", padding="SAME", strides=2, output_shape=[2, 7, 6, 3])
    name, args, kwargs = run(tf_1_0(), s)
    assert args[2:] == ([2, 7, 6, 3], [1, 2, 2, 1], "SAME")
    with pytest.raises(Unsupported, match="dilations"):
        run(tf_1_0(), dict(s, attrs=dict(s["attrs"], dilations=2)))


# ---------------------------------------------------------------- keras

def test_keras_layer_gets_the_filter_as_a_constant_initializer():
    w = np.ones((3, 3, 2, 4), dtype=np.float32)
    s = spec("keras_conv2d", "NCHW", padding="SAME", strides=2)
    name, x, config = run(tf_2_x(), s, [np.ones((1, 2, 5, 5), np.float32), w])
    assert (config["filters"], config["kernel_size"], config["padding"]) == (4, (3, 3), "same")
    assert config["strides"] == (2, 2) and config["data_format"] == "channels_first"
    assert config["use_bias"] is False and config["kernel_initializer"][0] == "constant"
    assert config["kernel_initializer"][1] is w and config["dtype"] == "float32"


def test_keras_groups_need_an_explicit_groups_parameter():
    arrays = [np.ones((1, 5, 5, 6), np.float32), np.ones((3, 3, 2, 6), np.float32)]
    assert run(tf_2_x(), spec("keras_conv2d", "NHWC"), arrays)[2]["groups"] == 3
    with pytest.raises(Unsupported, match="groups"):
        run(tf_2_x(keras_groups=False), spec("keras_conv2d", "NHWC"), arrays)


def test_keras_falls_back_to_contrib_and_is_unsupported_without_either():
    old = tf_2_x()
    old.contrib = types.SimpleNamespace(keras=old.keras)
    del old.keras
    arrays = [np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 4), np.float32)]
    assert run(old, spec("keras_conv2d", "NHWC"), arrays)[0] == "keras"
    with pytest.raises(Unsupported, match="Conv2D"):
        run(tf_1_0(), spec("keras_conv2d", "NHWC"), arrays)


def test_a_release_without_contrib_keras_is_unsupported_without_importing_contrib(tmp_path):
    """TF 0.12-1.0 have no Keras: asking ``tf.contrib`` would import all of it (1.5 s)."""
    class Untouchable(types.SimpleNamespace):
        @property
        def contrib(self):
            raise AssertionError("tf.contrib was imported")

    (tmp_path / "tensorflow" / "contrib").mkdir(parents=True)
    old = Untouchable(**vars(tf_1_0()), __file__=str(tmp_path / "tensorflow" / "__init__.py"))
    arrays = [np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 4), np.float32)]
    with pytest.raises(Unsupported, match="nor tf.contrib.keras"):
        run(old, spec("keras_conv2d", "NHWC"), arrays)
    (tmp_path / "tensorflow" / "contrib" / "keras").mkdir()  # 1.1-1.3: contrib.keras is looked at
    with pytest.raises(AssertionError, match="tf.contrib was imported"):
        run(old, spec("keras_conv2d", "NHWC"), arrays)


# ---------------------------------------------------------------- evaluation

def test_graph_tensors_are_fetched_not_converted():
    """TF 1.15's graph tensors raise on np.asarray; the runner must only sess.run them."""
    class Tensor:
        graph = "g"

        def __array__(self, *args, **kwargs):
            raise NotImplementedError("Cannot convert a symbolic Tensor to a numpy array.")

    class Session:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def run(self, fetches, feed_dict=None):
            return [np.full(2, 3.0) for _ in fetches] if isinstance(fetches, list) else None

    tf = types.SimpleNamespace(Graph=object, Session=Session, global_variables_initializer=lambda: None)
    fw = tfa.TensorFlow(tf)
    out = tfa.evaluate(fw, [Tensor(), np.zeros(1)], {}, np)
    assert out[0].tolist() == [3.0, 3.0] and out[1].tolist() == [0.0]
