"""Run cases inside one framework environment.  Called by path, never imported.

    python runner.py JOB.json OUTDIR [PARENT_PID]

Valid Python 3.6, standard library + numpy only: it runs in every release's
environment from TF 0.12 on Python 3.6 to today.  For each case in the job it
writes OUTDIR/<index>.json (status, output files, dtypes, error) and
OUTDIR/<index>_<k>.npy (raw outputs); cases whose result file already exists
are skipped, so the host can restart it after a crash or a timeout.  It never
judges: comparison happens on the host.

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

def load_input(fw, spec, np, path, feeds):
    """A framework tensor for one input array (placeholder+feed when asked)."""
    array = np.load(path)
    dtype_name = spec.get("dtype", str(array.dtype))
    dtype = fw.dtype(dtype_name)
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


def run_conv(fw, spec, args):
    """conv1d/conv2d/conv3d with the attribute spellings this release knows."""
    op = spec["op"]
    attrs = spec.get("attrs", {})
    fn = fw.lookup("nn." + op)
    stride = attrs.get("strides", 1)
    if op == "conv1d":
        strides = stride if isinstance(stride, int) else stride[0]
    else:
        rank = {"conv2d": 2, "conv3d": 3}[op]
        strides = [stride] * rank if isinstance(stride, int) else list(stride)
        strides = [1] + strides + [1]
        if attrs.get("data_format", "").startswith("NC"):
            strides = [1, 1] + strides[1:-1]
    fmt = attrs.get("data_format")
    # channels-last is every release's default; passing it only risks old spellings
    keywords = {"data_format": None if fmt in (None, "NWC", "NHWC", "NDHWC") else fmt}
    if attrs.get("dilations") not in (None, 1):
        dil = attrs["dilations"]
        if op != "conv1d":
            dil = [dil] * (len(strides) - 2) if isinstance(dil, int) else list(dil)
            dil = [1, 1] + dil if attrs.get("data_format", "").startswith("NC") else [1] + dil + [1]
        keywords["dilations"] = dil
    return call(fn, [args[0], args[1], strides, attrs.get("padding", "VALID")], keywords,
                {"dilations": ["dilation_rate"]})


OPS = {"conv1d": run_conv, "conv2d": run_conv, "conv3d": run_conv}


def build_op_case(fw, case, np, job_dir, feeds):
    spec = case["spec"]
    builder = OPS.get(spec["op"])
    if builder is None:
        raise Unsupported("runner has no adapter for op %r" % spec["op"])
    args = [load_input(fw, spec, np, os.path.join(job_dir, f), feeds) for f in spec["inputs"]]
    out = builder(fw, spec, args)
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
    # np.asarray on a symbolic tensor raises (TF 1.15): convert only the rest
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
    except BaseException as exc:  # ImportError, but also SystemExit/ABI errors
        write_json(os.path.join(out_dir, "import_error.json"), {
            "error_class": type(exc).__name__,
            "message": (str(exc).strip().splitlines() or [""])[-1][:500],
            "traceback": traceback.format_exc()[-4000:],
        })
        return IMPORT_FAILED
    fw = Framework(module)
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
