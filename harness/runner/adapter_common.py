"""What every adapter shares: run inside the environment (Python 3.6, stdlib + numpy).

The suite's op cases are written in TensorFlow's conventions: channels-last
unless ``data_format`` says otherwise; filters ``[*kernel, c_in / groups,
c_out]``; cross-correlation; ``SAME`` puts the odd padding pixel at the end;
a transposed convolution is the adjoint of the forward one with the output
size given.  ``Conv`` restates one case in channels-first terms, which the
non-TensorFlow adapters start from.
"""

import inspect
import os

CHANNELS_LAST = (None, "NWC", "NHWC", "NDHWC")
RANKS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "depthwise_conv2d": 2, "conv2d_transpose": 2,
         "keras_conv1d": 1, "keras_conv2d": 2}
FORWARD, DEPTHWISE, TRANSPOSE = "forward", "depthwise", "transpose"


class Unsupported(Exception):
    """The release's API cannot express the case."""


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


def channels_first(attrs):
    return attrs.get("data_format") not in CHANNELS_LAST


def per_dim(value, rank):
    """One int per spatial dimension from an int or a sequence."""
    return [int(value)] * rank if isinstance(value, int) else [int(v) for v in value]


def load_arrays(spec, np, job_dir):
    """The case's input arrays, written by the host as .npy files in the job folder."""
    return [np.load(os.path.join(job_dir, f)) for f in spec["inputs"]]


def tf_pads(sizes, kernel, strides, dilations, padding):
    """(low, high) per spatial dimension by TensorFlow's rules (as harness/reference.py)."""
    if not isinstance(padding, str):
        return [(int(lo), int(hi)) for lo, hi in padding]
    if padding == "VALID":
        return [(0, 0)] * len(sizes)
    out = []
    for n, k, s, d in zip(sizes, kernel, strides, dilations):
        total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
        out.append((total // 2, total - total // 2))
    return out


class Conv(object):
    """One op case in channels-first terms every adapter starts from.

    ``x``: input ``[N, C, *spatial]``.  ``w``: for forward and depthwise
    convolutions ``[c_out, c_in / groups, *kernel]`` (PyTorch's and
    Theano's OIHW; depthwise is grouped with one group per input channel,
    output channel ``c * multiplier + m``); for a transposed convolution
    ``[c_in, c_out, *kernel]`` (the forward conv's OIHW filter seen from its
    output).  ``pads``: (low, high) per spatial dimension.  A transposed
    convolution is computed to ``full`` (its uncropped size plus ``extra``
    trailing pixels that the forward padding rules leave) and cropped by
    ``crop``.
    """

    def __init__(self, spec, arrays, np):
        self.np = np
        attrs = spec.get("attrs", {})
        self.op = spec["op"]
        if self.op not in RANKS:
            raise Unsupported("no adapter for op %r" % self.op)
        self.kind = {"depthwise_conv2d": DEPTHWISE, "conv2d_transpose": TRANSPOSE}.get(self.op, FORWARD)
        self.rank = rank = RANKS[self.op]
        self.dtype = spec.get("dtype", str(arrays[0].dtype))
        self.channels_first = channels_first(attrs)
        self.strides = per_dim(attrs.get("strides", 1), rank)
        self.dilations = per_dim(attrs.get("dilations", 1) or 1, rank)
        x, w = arrays[0], arrays[1]
        self.x = x if self.channels_first else np.moveaxis(x, -1, 1)
        kernel = list(w.shape[:rank])
        order = (rank + 1, rank) + tuple(range(rank))  # [*k, a, b] -> [b, a, *k]
        if self.kind == DEPTHWISE:
            c_in, mult = w.shape[-2], w.shape[-1]
            self.w = np.transpose(w.reshape(tuple(kernel) + (1, c_in * mult)), order)
            self.groups = c_in
        elif self.kind == TRANSPOSE:
            self.w = np.transpose(w, order)  # [*k, c_out, c_in] -> [c_in, c_out, *k]
            self.groups = 1
        else:
            self.w = np.transpose(w, order)  # [*k, c_in/g, c_out] -> [c_out, c_in/g, *k]
            self.groups = self.x.shape[1] // w.shape[-2] if w.shape[-2] else 1
        self.kernel = kernel
        effective = [(k - 1) * d + 1 for k, d in zip(kernel, self.dilations)]
        if self.kind == TRANSPOSE:
            shape = list(attrs["output_shape"])
            self.out_spatial = shape[2:] if self.channels_first else shape[1:-1]
            self.c_out = shape[1] if self.channels_first else shape[-1]
            self.pads = tf_pads(self.out_spatial, kernel, self.strides, self.dilations,
                                attrs.get("padding", "VALID"))
            in_sizes = self.x.shape[2:]
            uncropped = [(n - 1) * s + e for n, s, e in zip(in_sizes, self.strides, effective)]
            self.full = [o + lo + hi for o, (lo, hi) in zip(self.out_spatial, self.pads)]
            self.extra = [f - u for f, u in zip(self.full, uncropped)]
            if any(e < 0 or e >= max(s, 1) for e, s in zip(self.extra, self.strides)):
                raise Unsupported("output_shape %s does not fit the input" % shape)
        else:
            self.pads = tf_pads(self.x.shape[2:], kernel, self.strides, self.dilations,
                                attrs.get("padding", "VALID"))

    @property
    def symmetric(self):
        return all(lo == hi for lo, hi in self.pads)

    def crop(self, out):
        """A transposed convolution's ``full``-sized result cut to the output size."""
        window = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.pads, self.out_spatial))
        return out[(slice(None), slice(None)) + window]

    def back(self, out):
        """Channels-first result -> the case's layout."""
        return out if self.channels_first else self.np.moveaxis(out, 1, -1)


class ArrayAdapter(object):
    """Base of the adapters whose ``build_op`` returns one numpy array (all but TensorFlow).

    They run op cases only: user cases are written against TensorFlow's API.
    """

    eager = True

    def __init__(self, module):
        self.tf = module
        self.version = getattr(module, "__version__", None)

    def outputs(self, case, job_dir):
        if case["kind"] != "op":
            raise Unsupported("user cases are written against TensorFlow's API")
        import numpy as np

        arr = np.asarray(self.build_op(case, np, job_dir))
        bf16 = case["spec"].get("dtype") == "bfloat16"
        return [(arr, "bfloat16" if bf16 else arr.dtype.name)]

    def build_op(self, case, np, job_dir):
        raise NotImplementedError
