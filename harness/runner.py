"""Run cases inside one framework environment.  Called by path, never imported.

    python runner.py JOB.json OUTDIR [PARENT_PID]

Valid Python 3.6, standard library + numpy only: it runs in every release's
environment from TF 0.12 on Python 3.6 to today.  For each case in the job it
writes OUTDIR/<index>.json (status, output files, dtypes, error) and
OUTDIR/<index>_<k>.npy (raw outputs); cases whose result file already exists
are skipped, so the host can restart it after a crash or a timeout.  It never
judges: comparison happens on the host.

The job's ``framework`` (default ``tensorflow``) picks the adapters: the
TensorFlow eras below, or those of framework_adapters.py (PyTorch, Theano,
JAX), which the harness copies next to this file.

Exit codes: 0 done, 3 the framework could not be imported (see
OUTDIR/import_error.json), 4 the parent (PARENT_PID) died.
"""

import importlib
import inspect
import json
import os
import sys
import time
import traceback

IMPORT_FAILED = 3


class Unsupported(Exception):
    """The release's API cannot express the case."""


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


# ---------------------------------------------------------------- framework

class Framework(object):
    """The imported framework plus what this release's API looks like."""

    def __init__(self, module):
        self.tf = module
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


def accepted_names(fn):
    """Keyword names ``fn`` accepts, or None when it takes **kwargs."""
    target = inspect.unwrap(fn) if hasattr(inspect, "unwrap") else fn
    # TensorFlow's decorators keep the real signature here:
    target = getattr(target, "__wrapped__", target)
    decorator_argspec = getattr(fn, "_tf_decorator", None)
    if decorator_argspec is not None and getattr(decorator_argspec, "decorator_argspec", None):
        spec = decorator_argspec.decorator_argspec
        return set(spec.args) | set(getattr(spec, "kwonlyargs", []) or [])
    try:
        params = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return None
    return set(p.name for p in params)


def call(fn, positional, keywords, aliases=None):
    """Call ``fn`` with keywords renamed to what this release accepts.

    ``aliases`` maps a canonical keyword to older spellings
    (``dilations`` -> ``dilation_rate``).  A keyword with a non-default value
    that the release has under no spelling makes the case unsupported.
    """
    names = accepted_names(fn)
    kwargs = {}
    for key, value in keywords.items():
        if value is None:
            continue
        spellings = [key] + list((aliases or {}).get(key, []))
        if names is None:
            kwargs[key] = value
            continue
        for spelling in spellings:
            if spelling in names:
                kwargs[spelling] = value
                break
        else:
            raise Unsupported("%s() has no %s argument" % (getattr(fn, "__name__", "op"), key))
    return fn(*positional, **kwargs)


# ---------------------------------------------------------------- op cases

CHANNELS_LAST = (None, "NWC", "NHWC", "NDHWC")


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


def channels_first(attrs):
    return attrs.get("data_format") not in CHANNELS_LAST


def per_dim(value, rank):
    return [value] * rank if isinstance(value, int) else list(value)


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


def run_keras(fw, spec, tensors, arrays):
    """keras Conv1D/Conv2D with the filter as a constant initializer, no bias."""
    attrs = spec.get("attrs", {})
    rank = 1 if spec["op"] == "keras_conv1d" else 2
    name = "Conv%dD" % rank
    cls = getattr(getattr(getattr(fw.tf, "keras", None), "layers", None), name, None)
    if cls is None:  # 1.1-1.3 had Keras only under contrib
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


def load_arrays(spec, np, job_dir):
    return [np.load(os.path.join(job_dir, f)) for f in spec["inputs"]]


def build_op_case(fw, case, np, job_dir, feeds):
    if not isinstance(fw, Framework):  # another framework's adapter: returns numpy arrays
        return fw.build_op(case, np, job_dir)
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
    if not isinstance(fw, Framework):
        raise Unsupported("user cases are written against TensorFlow's API")
    path = case["file"]
    module = _user_modules.get(path)
    if module is None:
        namespace = {"__name__": "harness_user_cases", "__file__": path}
        with open(path) as f:
            code = compile(f.read(), path, "exec")
        exec(code, namespace)
        module = _user_modules[path] = namespace
    return module[case["function"]](fw.tf, np)


# ---------------------------------------------------------------- evaluation

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


def run_case(fw, case, np, job_dir, out_dir, index):
    started = time.time()
    result = {"case": case["name"], "status": "ok", "outputs": [], "dtypes": [], "shapes": []}
    build = build_user_case if case["kind"] == "user" else build_op_case
    try:
        feeds = {}
        if fw.has_graph and not fw.eager:
            with fw.tf.Graph().as_default():
                value = build(fw, case, np, job_dir, feeds)
                values = list(value) if isinstance(value, (list, tuple)) else [value]
                arrays = evaluate(fw, values, feeds, np)
        else:
            value = build(fw, case, np, job_dir, feeds)
            values = list(value) if isinstance(value, (list, tuple)) else [value]
            arrays = evaluate(fw, values, feeds, np)
        for k, (value, arr) in enumerate(zip(values, arrays)):
            name = "%d_%d.npy" % (index, k)
            declared = getattr(getattr(value, "dtype", None), "name", None)
            if case.get("spec", {}).get("dtype") == "bfloat16":
                declared = "bfloat16"
            np.save(os.path.join(out_dir, name), arr)
            result["outputs"].append(name)
            result["dtypes"].append(declared or str(arr.dtype))
            result["shapes"].append(list(arr.shape))
    except Unsupported as exc:
        result.update(status="unsupported", error_class="Unsupported", message=str(exc))
    except Exception as exc:  # the case's own failure is data, not a runner bug
        result.update(status="error", error_class=type(exc).__name__,
                      message=(str(exc).strip().splitlines() or [""])[0][:500],
                      traceback=traceback.format_exc()[-4000:])
    result["seconds"] = time.time() - started
    write_json(os.path.join(out_dir, "%d.json" % index), result)


def watch_parent(parent):
    """Exit when the harness that started us is gone (kill -9 leaves no orphans)."""
    import threading

    def loop():
        while True:
            if os.getppid() != parent:
                os._exit(4)
            time.sleep(0.5)

    thread = threading.Thread(target=loop, name="parent-watchdog")
    thread.daemon = True
    thread.start()


def load_adapter(name, module):
    """The adapter object of a framework other than TensorFlow (framework_adapters.py)."""
    adapters = importlib.import_module("framework_adapters")
    return adapters.ADAPTERS[name](module, sys.modules[__name__])


def main(argv):
    job_path, out_dir = argv[1], argv[2]
    if len(argv) > 3:
        watch_parent(int(argv[3]))
    with open(job_path) as f:
        job = json.load(f)
    job_dir = os.path.dirname(os.path.abspath(job_path))
    started = time.time()
    try:
        import numpy as np
        module = importlib.import_module(job["module"])
        framework = job.get("framework", "tensorflow")
        fw = Framework(module) if framework == "tensorflow" else load_adapter(framework, module)
    except BaseException as exc:  # ImportError, but also SystemExit/ABI errors
        write_json(os.path.join(out_dir, "import_error.json"), {
            "error_class": type(exc).__name__,
            "message": (str(exc).strip().splitlines() or [""])[-1][:500],
            "traceback": traceback.format_exc()[-4000:],
        })
        return IMPORT_FAILED
    write_json(os.path.join(out_dir, "ready.json"), {
        "import_seconds": time.time() - started,
        "framework_version": getattr(module, "__version__", None) or getattr(module, "VERSION", None),
        "numpy_version": np.__version__,
        "python": sys.version.split()[0],
        "eager": fw.eager,
    })
    for index, case in enumerate(job["cases"]):
        if os.path.exists(os.path.join(out_dir, "%d.json" % index)):
            continue
        run_case(fw, case, np, job_dir, out_dir, index)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
