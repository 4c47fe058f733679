"""JAX's adapter: run inside the environment (Python 3.6, stdlib + numpy)."""

from adapter_common import DEPTHWISE, TRANSPOSE, ArrayAdapter, Conv, Unsupported, load_arrays


def make(module):
    return Jax(module)


class Jax(ArrayAdapter):
    """``jax.lax.conv_general_dilated`` with dimension numbers in the case's own
    layout (no conversion: NHWC/HWIO are native), ``SAME``/``VALID`` passed
    as JAX's own padding strings, explicit pads as pairs; the transposed
    convolution is the forward one over the stride-dilated input with the
    kernel flipped and its channels swapped.  float64 needs ``JAX_ENABLE_X64``
    (set by the harness for jax environments).
    """
    SPATIAL = {1: "W", 2: "HW", 3: "DHW"}

    def __init__(self, module):
        ArrayAdapter.__init__(self, module)
        import jax.lax  # noqa: F401
        import jax.numpy  # noqa: F401

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        arrays = load_arrays(spec, np, job_dir)
        c = Conv(spec, arrays, np)
        jnp, lax = self.tf.numpy, self.tf.lax
        dtype = getattr(jnp, c.dtype, None)
        if dtype is None:
            raise Unsupported("no jax.numpy.%s in this release" % c.dtype)
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
