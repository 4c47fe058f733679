"""The runner's adapters for frameworks other than TensorFlow: PyTorch, Theano, JAX.

Copied next to runner.py into each job folder and imported by it, never by
the harness at run time: Python 3.6, standard library + numpy at import time,
the framework module is handed in.  The suite's op cases are written in
TensorFlow's conventions (channels-last unless ``data_format`` says
otherwise; filters ``[*kernel, c_in / groups, c_out]``; cross-correlation;
``SAME`` puts the odd padding pixel at the end; a transposed convolution is
the adjoint of the forward one with the output size given).  Each adapter
converts explicitly to its framework's own conventions, calls the
framework's convolution, and returns numpy arrays in the case's declared
layout, so the host judges like with like.  ``keras_*`` cases run as the
framework's plain convolution with the same attributes (only TensorFlow has
Keras layers).  What a framework cannot express raises the runner's
``Unsupported``.
"""

CHANNELS_LAST = (None, "NWC", "NHWC", "NDHWC")
RANKS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "depthwise_conv2d": 2, "conv2d_transpose": 2,
         "keras_conv1d": 1, "keras_conv2d": 2}
FORWARD, DEPTHWISE, TRANSPOSE = "forward", "depthwise", "transpose"


def per_dim(value, rank):
    return [int(value)] * rank if isinstance(value, int) else [int(v) for v in value]


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

    def __init__(self, spec, arrays, np, unsupported):
        self.np = np
        attrs = spec.get("attrs", {})
        self.op = spec["op"]
        if self.op not in RANKS:
            raise unsupported("no adapter for op %r" % self.op)
        self.kind = {"depthwise_conv2d": DEPTHWISE, "conv2d_transpose": TRANSPOSE}.get(self.op, FORWARD)
        self.rank = rank = RANKS[self.op]
        self.dtype = spec.get("dtype", str(arrays[0].dtype))
        self.channels_first = attrs.get("data_format") not in CHANNELS_LAST
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
                raise unsupported("output_shape %s does not fit the input" % shape)
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


# ---------------------------------------------------------------- PyTorch

class Torch(object):
    """``torch.nn.functional.conv{1,2,3}d`` / ``conv_transpose2d``: NC*, OI*, cross-correlation.

    Padding is symmetric integers only, so asymmetric (TensorFlow SAME with
    an odd total, explicit lists) pads the input with ``F.pad`` first.
    """

    eager, has_graph = True, False

    def __init__(self, module, runner):
        self.tf, self.runner = module, runner

    def dtype(self, name):
        found = getattr(self.tf, name, None)
        if not isinstance(found, self.tf.dtype):
            raise self.runner.Unsupported("no dtype torch.%s in this release" % name)
        return found

    def tensor(self, array, name, np):
        host = array.astype("float32" if name == "bfloat16" else name)
        return self.tf.from_numpy(np.ascontiguousarray(host)).to(self.dtype(name))

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        c = Conv(spec, self.runner.load_arrays(spec, np, job_dir), np, self.runner.Unsupported)
        F = self.tf.nn.functional
        x, w = self.tensor(c.x, c.dtype, np), self.tensor(c.w, c.dtype, np)
        if c.kind == TRANSPOSE:
            fn = getattr(F, "conv_transpose%dd" % c.rank)
            out = fn(x, w, None, tuple(c.strides), 0, tuple(c.extra), 1, tuple(c.dilations))
            out = c.crop(out)
        else:
            padding = [lo for lo, _ in c.pads]
            if not c.symmetric:
                flat = []
                for lo, hi in reversed(c.pads):  # F.pad lists the last dimension first
                    flat += [lo, hi]
                x, padding = F.pad(x, flat), [0] * c.rank
            fn = getattr(F, "conv%dd" % c.rank)
            out = fn(x, w, None, tuple(c.strides), tuple(padding), tuple(c.dilations), c.groups)
        if c.dtype == "bfloat16":
            out = out.float()
        return c.back(out.detach().cpu().numpy())


# ---------------------------------------------------------------- Theano

class Theano(object):
    """``theano.tensor.nnet.conv2d/conv3d`` with ``filter_flip=False`` (Theano's
    default flips the kernel: a true convolution), NCHW, OIHW; conv1d is
    conv2d over a height of 1; the transposed convolution is
    ``abstract_conv.conv2d_grad_wrt_inputs``.  Compiled with ``theano.function``.
    """

    eager, has_graph = True, False

    def __init__(self, module, runner):
        self.tf, self.runner = module, runner
        import theano.tensor.nnet  # noqa: F401  (submodules are not imported by theano)
        import theano.tensor.nnet.abstract_conv  # noqa: F401

    def variable(self, array):
        tensor = self.tf.tensor
        return tensor.TensorType(str(array.dtype), (False,) * array.ndim)()

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        if spec.get("dtype") == "bfloat16":
            raise self.runner.Unsupported("Theano has no bfloat16")
        c = Conv(spec, self.runner.load_arrays(spec, np, job_dir), np, self.runner.Unsupported)
        x_host, w_host = c.x.astype(c.dtype), c.w.astype(c.dtype)
        if c.rank == 1:  # Theano has no conv1d: a height of 1
            x_host, w_host = x_host[:, :, np.newaxis, :], w_host[:, :, np.newaxis, :]
        one = [1] if c.rank == 1 else []
        strides, dilations = tuple(one + c.strides), tuple(one + c.dilations)
        pads = [(0, 0)] * len(one) + list(c.pads)
        x, w = self.variable(x_host), self.variable(w_host)
        nnet = self.tf.tensor.nnet
        if c.kind == TRANSPOSE:
            shape = (x_host.shape[0], c.c_out) + tuple(c.full)
            out = self.runner.call(nnet.abstract_conv.conv2d_grad_wrt_inputs, [x, w],
                                   {"input_shape": shape, "filter_shape": w_host.shape,
                                    "border_mode": "valid", "subsample": strides,
                                    "filter_flip": False, "filter_dilation": dilations})
        else:
            conv_input = x
            if all(lo == hi for lo, hi in pads):
                border = tuple(lo for lo, _ in pads)
            else:  # asymmetric: zero-pad in the graph, then a valid convolution
                padded = (x_host.shape[0], x_host.shape[1]) + tuple(
                    n + lo + hi for n, (lo, hi) in zip(x_host.shape[2:], pads))
                window = tuple(slice(lo, lo + n) for n, (lo, _) in zip(x_host.shape[2:], pads))
                conv_input = self.tf.tensor.set_subtensor(
                    self.tf.tensor.zeros(padded, dtype=x.dtype)[(slice(None), slice(None)) + window], x)
                border = (0,) * len(pads)
            fn = nnet.conv3d if c.rank == 3 else nnet.conv2d
            keywords = {"border_mode": border, "subsample": strides, "filter_flip": False,
                        "filter_dilation": dilations,
                        "num_groups": c.groups if c.groups != 1 else None}
            out = self.runner.call(fn, [conv_input, w], keywords)
        result = self.tf.function([x, w], out)(x_host, w_host)
        result = np.asarray(result)
        if c.kind == TRANSPOSE:
            result = c.crop(result)
        if c.rank == 1:
            result = result[:, :, 0, :]
        return c.back(result)


# ---------------------------------------------------------------- JAX

class Jax(object):
    """``jax.lax.conv_general_dilated`` with dimension numbers in the case's own
    layout (no conversion: NHWC/HWIO are native), ``SAME``/``VALID`` passed
    as JAX's own padding strings, explicit pads as pairs; the transposed
    convolution is the forward one over the stride-dilated input with the
    kernel flipped and its channels swapped.  float64 needs ``JAX_ENABLE_X64``
    (set by the harness for jax environments).
    """

    eager, has_graph = True, False
    SPATIAL = {1: "W", 2: "HW", 3: "DHW"}

    def __init__(self, module, runner):
        self.tf, self.runner = module, runner
        import jax.lax  # noqa: F401
        import jax.numpy  # noqa: F401

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        arrays = self.runner.load_arrays(spec, np, job_dir)
        c = Conv(spec, arrays, np, self.runner.Unsupported)
        jnp, lax = self.tf.numpy, self.tf.lax
        dtype = getattr(jnp, c.dtype, None)
        if dtype is None:
            raise self.runner.Unsupported("no jax.numpy.%s in this release" % c.dtype)
        attrs = spec.get("attrs", {})
        sp = self.SPATIAL[c.rank]
        host = "float32" if c.dtype == "bfloat16" else c.dtype
        if c.kind == TRANSPOSE:  # forward conv over the dilated input, in NC*/OI* terms
            x = jnp.asarray(c.x.astype(host), dtype=dtype)
            flipped = np.flip(c.w, axis=tuple(range(2, 2 + c.rank))).swapaxes(0, 1)
            w = jnp.asarray(np.ascontiguousarray(flipped).astype(host), dtype=dtype)
            pads = [((k - 1) * d, (k - 1) * d + e) for k, d, e in zip(c.kernel, c.dilations, c.extra)]
            out = lax.conv_general_dilated(x, w, (1,) * c.rank, pads, lhs_dilation=tuple(c.strides),
                                           rhs_dilation=tuple(c.dilations),
                                           dimension_numbers=("NC" + sp, "OI" + sp, "NC" + sp))
            if c.dtype == "bfloat16":
                out = out.astype(jnp.float32)
            return c.back(c.crop(np.asarray(out)))
        fmt = attrs.get("data_format") or ("N" + sp + "C")
        x_host, w_host = arrays[0], arrays[1]
        if c.kind == DEPTHWISE:
            w_host = w_host.reshape(tuple(c.kernel) + (1, w_host.shape[-2] * w_host.shape[-1]))
        x = jnp.asarray(x_host.astype(host), dtype=dtype)
        w = jnp.asarray(w_host.astype(host), dtype=dtype)
        padding = attrs.get("padding", "VALID")
        if not isinstance(padding, str):
            padding = [tuple(p) for p in c.pads]
        out = lax.conv_general_dilated(x, w, tuple(c.strides), padding,
                                       rhs_dilation=tuple(c.dilations),
                                       dimension_numbers=(fmt, sp + "IO", fmt),
                                       feature_group_count=c.groups)
        if c.dtype == "bfloat16":
            out = out.astype(jnp.float32)
        return np.asarray(out)


ADAPTERS = {"torch": Torch, "theano": Theano, "jax": Jax}
