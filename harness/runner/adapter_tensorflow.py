"""TensorFlow's adapter: every era from 0.12 (graph mode, Sessions) to today (eager).

Run inside the environment (Python 3.6, stdlib + numpy).  Argument
spellings are looked up per release: ``dilations`` was ``dilation_rate``
or ``rate``, explicit padding exists only where the op's documentation says
so, Keras lived under ``tf.contrib`` in 1.1-1.3.  Graph-mode releases build
each case in a fresh ``tf.Graph`` and fetch it with a ``Session``.
"""

import inspect
import os

import numpy as np

from adapter_common import CHANNELS_LAST, Unsupported, call, channels_first, load_arrays, per_dim


def make(module):
    return TensorFlow(module)


class TensorFlow(object):
    """The imported framework plus what this release's API looks like."""

    def __init__(self, module):
        self.tf = module
        self.version = getattr(module, "__version__", None) or getattr(module, "VERSION", None)
        probe = getattr(module, "executing_eagerly", None)
        self.eager = bool(probe()) if probe is not None else False
        self.has_graph = hasattr(module, "Graph") and hasattr(module, "Session")

    def dtype(self, name):
        found = getattr(self.tf, name, None)
        if found is None:
            raise Unsupported("no dtype tf.%s" % name)
        return found

    def lookup(self, dotted):
        obj = self.tf
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                raise Unsupported("no tf.%s in this release" % dotted)
        return obj

    def outputs(self, case, job_dir):
        return outputs(self, case, job_dir)


def load_input(fw, spec, array, feeds):
    """A framework tensor for one input array (placeholder+feed when asked)."""
    dtype_name = spec.get("dtype", str(array.dtype))
    dtype = fw.dtype(dtype_name)
    # bfloat16 arrives as float32 values already rounded to bfloat16 on the host
    host = array if dtype_name == "bfloat16" else array.astype(dtype_name)
    if spec.get("feed") and not fw.eager:
        ph = fw.tf.placeholder(fw.dtype("float32" if dtype_name == "bfloat16" else dtype_name),
                               shape=host.shape)
        feeds[ph] = host
        tensor = ph
    else:
        tensor = fw.tf.constant(host)
    if dtype_name == "bfloat16":
        tensor = fw.tf.cast(tensor, dtype)
    return tensor


def full_rank(values, attrs):
    """Spatial values -> one per tensor dimension (1 for batch and channels)."""
    return [1, 1] + values if channels_first(attrs) else [1] + values + [1]


def doc_mentions(fn, words):
    return words in (getattr(fn, "__doc__", None) or "").lower()


def padding_arg(fn, attrs):
    """'VALID'/'SAME', or explicit padding in the full per-dimension form.

    Explicit padding is taken only by ops whose documentation says so (seen:
    conv2d in 1.15, depthwise_conv2d and conv2d_transpose in 2.4; never
    conv1d or conv3d); elsewhere the release cannot express the case.
    """
    padding = attrs.get("padding", "VALID")
    if isinstance(padding, str):
        return padding
    if not doc_mentions(fn, "explicit padding"):
        raise Unsupported("%s() takes no explicit padding list in this release"
                          % getattr(fn, "__name__", "op"))
    pads = [list(p) for p in padding]
    return [[0, 0], [0, 0]] + pads if channels_first(attrs) else [[0, 0]] + pads + [[0, 0]]


def format_keyword(fn, attrs):
    """data_format to pass: None for channels-last (every era's default, old
    releases spell it differently), else the spelling this release documents."""
    fmt = attrs.get("data_format")
    if fmt in CHANNELS_LAST:
        return None
    if fmt == "NCW" and not doc_mentions(fn, '"ncw"'):
        return "NCHW"  # old conv1d (0.12, 1.0) knows only NHWC/NCHW for 1-D data
    return fmt


def dilation_keyword(attrs, rank, full):
    dil = attrs.get("dilations", 1)
    if dil in (None, 1) or per_dim(dil, rank) == [1] * rank:
        return None
    return full_rank(per_dim(dil, rank), attrs) if full else per_dim(dil, rank)


def run_conv(fw, spec, tensors, arrays):
    """conv1d/conv2d/conv3d with the attribute spellings this release knows."""
    op, attrs = spec["op"], spec.get("attrs", {})
    fn = fw.lookup("nn." + op)
    rank = {"conv1d": 1, "conv2d": 2, "conv3d": 3}[op]
    stride = per_dim(attrs.get("strides", 1), rank)
    if op == "conv1d":
        strides = stride[0]
        dilations = dilation_keyword(attrs, 1, full=False)
        dilations = dilations[0] if dilations else None
    else:
        strides = full_rank(stride, attrs)
        dilations = dilation_keyword(attrs, rank, full=True)
    keywords = {"data_format": format_keyword(fn, attrs), "dilations": dilations}
    return call(fn, [tensors[0], tensors[1], strides, padding_arg(fn, attrs)], keywords,
                {"dilations": ["dilation_rate"]})


def run_depthwise(fw, spec, tensors, arrays):
    """depthwise_conv2d: 1.x spells the dilation ``rate`` (two values)."""
    attrs = spec.get("attrs", {})
    fn = fw.lookup("nn.depthwise_conv2d")
    strides = full_rank(per_dim(attrs.get("strides", 1), 2), attrs)
    keywords = {"data_format": format_keyword(fn, attrs),
                "dilations": dilation_keyword(attrs, 2, full=False)}
    return call(fn, [tensors[0], tensors[1], strides, padding_arg(fn, attrs)], keywords,
                {"dilations": ["rate"]})


def run_transpose(fw, spec, tensors, arrays):
    """conv2d_transpose(value|input, filter|filters, output_shape, strides, padding)."""
    attrs = spec.get("attrs", {})
    fn = fw.lookup("nn.conv2d_transpose")
    strides = full_rank(per_dim(attrs.get("strides", 1), 2), attrs)
    keywords = {"data_format": format_keyword(fn, attrs),
                "dilations": dilation_keyword(attrs, 2, full=True)}
    return call(fn, [tensors[0], tensors[1], list(attrs["output_shape"]), strides,
                     padding_arg(fn, attrs)], keywords)


def input_channels(x, attrs):
    return x.shape[1] if channels_first(attrs) else x.shape[-1]


def explicit_parameters(fn):
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def _has_contrib_keras(tf):
    """Whether ``tf.contrib.keras`` exists, without touching ``tf.contrib``: in 0.12-1.0,
    which have no Keras at all, that attribute imports all of contrib (1.5 s)."""
    folder = os.path.dirname(getattr(tf, "__file__", None) or "")
    return not folder or os.path.isdir(os.path.join(folder, "contrib", "keras"))


def run_keras(fw, spec, tensors, arrays):
    """keras Conv1D/Conv2D with the filter as a constant initializer, no bias."""
    attrs = spec.get("attrs", {})
    rank = 1 if spec["op"] == "keras_conv1d" else 2
    name = "Conv%dD" % rank
    cls = getattr(getattr(getattr(fw.tf, "keras", None), "layers", None), name, None)
    if cls is None and _has_contrib_keras(fw.tf):  # 1.1-1.3 had Keras only under contrib
        contrib = getattr(getattr(fw.tf, "contrib", None), "keras", None)
        cls = getattr(getattr(contrib, "layers", None), name, None)
    if cls is None:
        raise Unsupported("no tf.keras.layers.%s (nor tf.contrib.keras) in this release" % name)
    padding = attrs.get("padding", "VALID")
    if not isinstance(padding, str):
        raise Unsupported("keras %s takes padding 'valid' or 'same' only" % name)
    w = arrays[1]
    groups = input_channels(arrays[0], attrs) // w.shape[-2] if w.shape[-2] else 1
    options = {
        "strides": tuple(per_dim(attrs.get("strides", 1), rank)),
        "dilation_rate": tuple(per_dim(attrs.get("dilations", 1), rank)),
        "data_format": "channels_first" if channels_first(attrs) else None,
        "groups": groups if groups != 1 else None,
    }
    # Layers take **kwargs (for name, dtype...): an option missing from the
    # explicit parameters would only fail later as "keyword not understood".
    known = explicit_parameters(cls.__init__)
    for key, value in options.items():
        if value is not None and value != (1,) * rank and key not in known:
            raise Unsupported("keras %s has no %s argument" % (name, key))
    kwargs = dict((k, v) for k, v in options.items() if v is not None)
    layer = cls(w.shape[-1], tuple(w.shape[:rank]), padding=padding.lower(), use_bias=False,
                kernel_initializer=fw.tf.constant_initializer(w), dtype=spec.get("dtype"),
                **kwargs)
    return layer(tensors[0])


OPS = {"conv1d": run_conv, "conv2d": run_conv, "conv3d": run_conv,
       "depthwise_conv2d": run_depthwise, "conv2d_transpose": run_transpose,
       "keras_conv1d": run_keras, "keras_conv2d": run_keras}


def build_op_case(fw, case, np, job_dir, feeds):
    spec = case["spec"]
    builder = OPS.get(spec["op"])
    if builder is None:
        raise Unsupported("runner has no adapter for op %r" % spec["op"])
    arrays = load_arrays(spec, np, job_dir)
    tensors = [load_input(fw, spec, a, feeds) for a in arrays]
    out = builder(fw, spec, tensors, arrays)
    if spec.get("dtype") == "bfloat16":
        out = fw.tf.cast(out, fw.tf.float32)
    return out


# ---------------------------------------------------------------- user cases

_user_modules = {}


def build_user_case(fw, case, np, job_dir, feeds):
    path = case["file"]
    module = _user_modules.get(path)
    if module is None:
        namespace = {"__name__": "harness_user_cases", "__file__": path}
        with open(path) as f:
            code = compile(f.read(), path, "exec")
        exec(code, namespace)
        module = _user_modules[path] = namespace
    value = module[case["function"]](fw.tf, np)
    if value is None:
        raise ValueError("%s returned None: expected the tensor(s) to evaluate" % case["function"])
    return with_feeds(value, feeds)


def with_feeds(value, feeds):
    """``return fetches, {placeholder: array}``: the fetches, with the dict added to ``feeds``.

    A dict is never an output, so a pair ending in one is what the old
    ``sess.run(fetches, feed_dict=...)`` reports spell; graph-mode releases only.
    """
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], dict):
        feeds.update(value[1])
        return value[0]
    return value


def is_tensor(fw, value):
    return hasattr(value, "graph") or hasattr(value, "numpy") or type(value).__name__ in (
        "Tensor", "Variable", "RefVariable", "ResourceVariable", "SparseTensor")


def evaluate(fw, values, feeds, np):
    """Numpy arrays for a list of tensors/arrays, the way this release needs."""
    if fw.eager or not fw.has_graph:
        out = []
        for v in values:
            out.append(np.asarray(v.numpy() if hasattr(v, "numpy") else v))
        return out
    tf = fw.tf
    fetch = [i for i, v in enumerate(values) if is_tensor(fw, v)]
    # graph tensors refuse np.asarray (1.15 raises NotImplementedError): fetch them
    results = [None if i in fetch else np.asarray(v) for i, v in enumerate(values)]
    if fetch:
        init = getattr(tf, "global_variables_initializer", None) or tf.initialize_all_variables
        with tf.Session() as sess:
            sess.run(init())
            fetched = sess.run([values[i] for i in fetch], feed_dict=feeds or None)
        for i, arr in zip(fetch, fetched):
            results[i] = np.asarray(arr)
    return results


def _values(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def outputs(fw, case, job_dir):
    """[(array, declared dtype name)] of one case, built and evaluated the way this release needs."""
    build = build_user_case if case["kind"] == "user" else build_op_case
    feeds = {}
    if fw.has_graph and not fw.eager:
        with fw.tf.Graph().as_default():
            values = _values(build(fw, case, np, job_dir, feeds))
            arrays = evaluate(fw, values, feeds, np)
    else:
        values = _values(build(fw, case, np, job_dir, feeds))
        arrays = evaluate(fw, values, feeds, np)
    bf16 = case.get("spec", {}).get("dtype") == "bfloat16"
    return [(arr, "bfloat16" if bf16 else getattr(getattr(value, "dtype", None), "name", None))
            for value, arr in zip(values, arrays)]
