"""The built-in case suite, as data.

``suite(np)`` returns a list of specs; each spec names a case, an op, its
host-generated input arrays, the op's attributes and the dtype it runs in.
The harness computes the expected output with its float64 reference
(``harness/reference.py``) and hands the inputs to every release as files.

The suite is the table in ``VARIANTS`` below: one row per case, expanded by
``expand``.  A case's name is derived from its row, so it says what it tests:

    <op>_<layout>_<padding>[_stride<s>][_dil<d>][_<shape tag>][_batch<n>]
        [_groups<g>][_mult<m>][_<values>]_<dtype>

e.g. ``conv2d_nhwc_same_stride2_f32``, ``conv1d_nwc_valid_batch0_f32``,
``depthwise_conv2d_nchw_same_stride2_f32``, ``conv2d_nhwc_same_nan_f16``.
Shape tags: ``kfull`` (filter exactly the input's size, like the seed),
``k1x1``, ``kbig`` (filter larger than the input), ``cin0``/``cout0`` (empty
channel dimension), ``ch<in>x<out>`` (many channels), ``out<h>x<w>``
(transposed convolution's output size).  Values: ``nan``, ``inf``,
``infmix`` (+inf and -inf in one window), ``large``, ``overflow``,
``denorm`` (subnormal inputs); plain normal random values otherwise.

Each case draws its inputs from its own ``RandomState`` seeded with a CRC of
its name, so adding a case never changes another case's bits.
"""

import zlib

# The arrays of the original report (StackOverflow, TF 1.0.0, March 2017):
# base = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]).T, a 4x3 array
# with three ones; conv2d(base, base, VALID) must be sum(base * base) = 3.
SEED_BASE = [[1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]]

DTYPES = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64", "i32": "int32"}
LARGEST = {"f16": 65504.0, "bf16": 3.38e38, "f32": 3.4028234e38, "f64": 1.79e308}
SMALLEST_NORMAL = {"f16": 2.0**-14, "bf16": 2.0**-126, "f32": 2.0**-126, "f64": 2.0**-1022}
FORMATS = {"nwc": "NWC", "ncw": "NCW", "nhwc": "NHWC", "nchw": "NCHW",
           "ndhwc": "NDHWC", "ncdhw": "NCDHW"}

# Per op: default input spatial size, kernel, input and output channels.
# conv2d_transpose's "x" is its *output* size (the forward conv's input).
DEFAULTS = {
    "conv1d": dict(x=(9,), k=(3,), cin=3, cout=4),
    "conv2d": dict(x=(7, 6), k=(3, 3), cin=3, cout=4),
    "conv3d": dict(x=(5, 6, 4), k=(2, 3, 2), cin=2, cout=3),
    "depthwise_conv2d": dict(x=(7, 6), k=(3, 3), cin=3, mult=2),
    "conv2d_transpose": dict(x=(7, 6), k=(3, 3), cin=4, cout=3),
    "keras_conv1d": dict(x=(9,), k=(3,), cin=3, cout=4),
    "keras_conv2d": dict(x=(7, 6), k=(3, 3), cin=3, cout=4),
}
BATCH = 2


def row(op, fmt, padding, dtype="f32", tag="", **options):
    """One case: options override DEFAULTS (x, k, cin, cout, mult, batch,
    stride, dil, groups, values); ``tag`` names a shape choice."""
    return dict(op=op, fmt=fmt, padding=padding, dtype=dtype, tag=tag, **options)


C1, C2, C3 = "conv1d", "conv2d", "conv3d"
DW, TR, K1, K2 = "depthwise_conv2d", "conv2d_transpose", "keras_conv1d", "keras_conv2d"
PADS2 = ((1, 2), (0, 1))  # explicit (low, high) per spatial dimension

VARIANTS = [
    # conv2d: paddings, strides, dilations, filter shapes, layouts, groups
    row(C2, "nhwc", "VALID"),
    row(C2, "nhwc", "SAME"),
    row(C2, "nhwc", "VALID", stride=2),
    row(C2, "nhwc", "SAME", stride=2),
    row(C2, "nhwc", "SAME", stride=(2, 3)),
    row(C2, "nhwc", "VALID", dil=2),
    row(C2, "nhwc", "SAME", dil=2),
    row(C2, "nhwc", "SAME", stride=2, dil=2),
    row(C2, "nhwc", "VALID", tag="kfull", x=(4, 3), k=(4, 3), cin=2, cout=3),
    row(C2, "nhwc", "VALID", tag="k1x1", k=(1, 1)),
    row(C2, "nhwc", "SAME", stride=2, tag="k1x1", k=(1, 1)),
    row(C2, "nhwc", "SAME", tag="kbig", x=(3, 2), k=(5, 4)),
    row(C2, "nhwc", PADS2),
    row(C2, "nhwc", ((2, 0), (1, 1)), stride=2),
    row(C2, "nchw", PADS2),
    row(C2, "nchw", "VALID"),
    row(C2, "nchw", "SAME", stride=2),
    row(C2, "nchw", "VALID", dil=2),
    row(C2, "nchw", "VALID", batch=1),
    row(C2, "nhwc", "VALID", groups=3, cin=6, cout=6),
    row(C2, "nhwc", "SAME", groups=2, cin=4, cout=6),
    row(C2, "nhwc", "SAME", tag="ch16x32", x=(9, 9), cin=16, cout=32),
    # conv2d: dtypes
    row(C2, "nhwc", "SAME", "f16"),
    row(C2, "nhwc", "SAME", "f16", stride=2),
    row(C2, "nhwc", "SAME", "f16", tag="ch16x32", x=(9, 9), cin=16, cout=32),
    row(C2, "nhwc", "SAME", "bf16"),
    row(C2, "nhwc", "SAME", "f64"),
    row(C2, "nhwc", "VALID", "i32"),
    row(C2, "nhwc", "SAME", "i32", stride=2),
    # conv2d: special values and empty dimensions
    row(C2, "nhwc", "SAME", values="nan"),
    row(C2, "nhwc", "SAME", "f16", values="nan"),
    row(C2, "nhwc", "SAME", values="inf"),
    row(C2, "nhwc", "VALID", values="infmix"),
    row(C2, "nhwc", "VALID", values="large"),
    row(C2, "nhwc", "VALID", "f16", values="large"),
    row(C2, "nhwc", "VALID", values="overflow"),
    row(C2, "nhwc", "VALID", "f16", values="overflow"),
    row(C2, "nhwc", "SAME", values="denorm"),
    row(C2, "nhwc", "SAME", "f16", values="denorm"),
    row(C2, "nhwc", "VALID", batch=0),
    row(C2, "nhwc", "SAME", tag="cin0", cin=0),
    row(C2, "nhwc", "VALID", tag="cout0", cout=0),
    # conv1d
    row(C1, "nwc", "VALID"),
    row(C1, "nwc", "SAME"),
    row(C1, "nwc", "VALID", stride=2),
    row(C1, "nwc", "SAME", stride=3),
    row(C1, "nwc", "VALID", dil=2),
    row(C1, "nwc", "SAME", stride=2, dil=2),
    row(C1, "nwc", "VALID", tag="kfull", x=(4,), k=(4,), cout=2),
    row(C1, "nwc", "SAME", tag="k1", k=(1,)),
    row(C1, "nwc", "SAME", tag="kbig", x=(3,), k=(5,)),
    row(C1, "nwc", ((1, 2),)),
    row(C1, "ncw", "VALID"),
    row(C1, "ncw", "SAME", stride=2),
    row(C1, "ncw", "VALID", dil=2),
    row(C1, "nwc", "VALID", groups=3, cin=6, cout=6),
    row(C1, "nwc", "SAME", "f16"),
    row(C1, "nwc", "SAME", "bf16"),
    row(C1, "nwc", "SAME", "f64"),
    row(C1, "nwc", "VALID", "i32"),
    row(C1, "nwc", "SAME", values="nan"),
    row(C1, "nwc", "VALID", batch=0),
    row(C1, "nwc", "VALID", batch=1),
    # conv3d
    row(C3, "ndhwc", "VALID"),
    row(C3, "ndhwc", "SAME"),
    row(C3, "ndhwc", "SAME", stride=2),
    row(C3, "ndhwc", "VALID", dil=2),
    row(C3, "ndhwc", "SAME", stride=2, dil=2),
    row(C3, "ndhwc", "VALID", tag="kfull", x=(3, 3, 2), k=(3, 3, 2)),
    row(C3, "ndhwc", "SAME", stride=2, tag="k1x1x1", k=(1, 1, 1)),
    row(C3, "ncdhw", "VALID"),
    row(C3, "ncdhw", "SAME", stride=2),
    row(C3, "ndhwc", "VALID", groups=2, cin=4, cout=4),
    row(C3, "ndhwc", "SAME", "f16"),
    row(C3, "ndhwc", "SAME", "bf16"),
    row(C3, "ndhwc", "SAME", "f64"),
    row(C3, "ndhwc", "SAME", values="nan"),
    row(C3, "ndhwc", "VALID", batch=0),
    # depthwise_conv2d (filter [kh, kw, c_in, multiplier])
    row(DW, "nhwc", "VALID"),
    row(DW, "nhwc", "SAME"),
    row(DW, "nhwc", "SAME", stride=2),
    row(DW, "nhwc", "VALID", dil=2),
    row(DW, "nhwc", "SAME", stride=2, dil=2),
    row(DW, "nhwc", "VALID", mult=1),
    row(DW, "nhwc", "SAME", tag="k1x1", k=(1, 1)),
    row(DW, "nhwc", "SAME", tag="kbig", x=(3, 2), k=(5, 4)),
    row(DW, "nhwc", PADS2),
    row(DW, "nchw", "VALID"),
    row(DW, "nchw", "SAME", stride=2),
    row(DW, "nhwc", "SAME", "f16"),
    row(DW, "nhwc", "SAME", "bf16"),
    row(DW, "nhwc", "SAME", "f64"),
    row(DW, "nhwc", "SAME", values="nan"),
    row(DW, "nhwc", "VALID", batch=0),
    # conv2d_transpose (filter [kh, kw, c_out, c_in]; x is the output size)
    row(TR, "nhwc", "VALID"),
    row(TR, "nhwc", "SAME"),
    row(TR, "nhwc", "VALID", stride=2),
    row(TR, "nhwc", "SAME", stride=2),
    row(TR, "nhwc", "SAME", stride=2, tag="out8x6", x=(8, 6)),
    row(TR, "nhwc", "VALID", dil=2),
    row(TR, "nhwc", "VALID", tag="kfull", x=(4, 3), k=(4, 3)),
    row(TR, "nhwc", "SAME", stride=2, tag="k1x1", k=(1, 1)),
    row(TR, "nhwc", PADS2),
    row(TR, "nchw", "SAME", stride=2),
    row(TR, "nhwc", "SAME", "f16"),
    row(TR, "nhwc", "SAME", "bf16"),
    row(TR, "nhwc", "SAME", "f64"),
    row(TR, "nhwc", "SAME", values="nan"),
    row(TR, "nhwc", "SAME", batch=0),
    # Keras layers (no bias; the filter goes in through a constant initializer)
    row(K1, "nwc", "VALID"),
    row(K1, "nwc", "SAME", stride=2),
    row(K1, "nwc", "VALID", dil=2),
    row(K1, "ncw", "SAME"),
    row(K1, "nwc", "VALID", groups=3, cin=6, cout=6),
    row(K1, "nwc", "SAME", "f64"),
    row(K2, "nhwc", "VALID"),
    row(K2, "nhwc", "SAME", stride=2),
    row(K2, "nhwc", "VALID", dil=2),
    row(K2, "nchw", "SAME"),
    row(K2, "nhwc", "VALID", groups=3, cin=6, cout=6),
    row(K2, "nhwc", "SAME", "f16"),
    row(K2, "nhwc", "SAME", "f64"),
]


def seed_cases(np):
    base = np.array(SEED_BASE, dtype=np.float32)
    return [
        dict(
            name="seed_conv2d",
            description="the report: 4x3 input, the same 4x3 filter, NHWC, VALID -> [[[[3]]]]",
            op="conv2d",
            inputs=[base[np.newaxis, :, :, np.newaxis], base[:, :, np.newaxis, np.newaxis]],
            attrs=dict(strides=1, padding="VALID", data_format="NHWC"),
            dtype="float32",
            feed=True,  # the report fed placeholders through feed_dict
        ),
        dict(
            name="seed_conv1d",
            description="the report's data as conv1d: width 4, 3 channels, filter 4x3x1 -> 3",
            op="conv1d",
            inputs=[base[np.newaxis, :, :], base[:, :, np.newaxis]],
            attrs=dict(strides=1, padding="VALID", data_format="NWC"),
            dtype="float32",
            feed=True,
        ),
    ]


# ---------------------------------------------------------------- expansion

def _dims(value):
    value = value if isinstance(value, (tuple, list)) else (value,)
    return "x".join(str(v) for v in value)


def case_name(r):
    opt = r.get
    padding = r["padding"].lower() if isinstance(r["padding"], str) else "explicit"
    parts = [r["op"], r["fmt"], padding]
    parts += ["stride" + _dims(opt("stride"))] if opt("stride", 1) != 1 else []
    parts += ["dil" + _dims(opt("dil"))] if opt("dil", 1) != 1 else []
    parts += [r["tag"]] if r["tag"] else []
    parts += ["batch%d" % opt("batch")] if opt("batch", BATCH) != BATCH else []
    parts += ["groups%d" % opt("groups")] if opt("groups", 1) != 1 else []
    parts += ["mult%d" % opt("mult")] if "mult" in r else []
    parts += [opt("values")] if opt("values") else []
    return "_".join(parts + [r["dtype"]])


def _round_bfloat16(np, a):
    """float32 values rounded to the nearest bfloat16 (ties to even)."""
    bits = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def _values(np, rng, kind, dtype, x_shape, w_shape):
    """Input and filter arrays (float64) for one kind of values."""
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    terms = max(int(np.prod(w_shape[:-1])), 1)
    if dtype == "i32":
        return np.round(x * 2), np.round(w * 2)
    if kind == "large":  # sums stay below LARGEST / 16 whatever the order
        return x * LARGEST[dtype] / 16, w / (16 * terms)
    if kind == "overflow":  # every product positive and >= LARGEST / 8: any order overflows
        return (rng.uniform(0.5, 1.0, x_shape) * LARGEST[dtype] / 2,
                rng.uniform(0.5, 1.0, w_shape))
    if kind == "denorm":
        return x * SMALLEST_NORMAL[dtype] / 8, w
    if kind in ("nan", "inf", "infmix"):
        w = np.abs(w) + 0.25  # no zero weights: the special value reaches every window
        x.flat[x.size // 2] = np.nan if kind == "nan" else np.inf
        if kind == "infmix":
            x.flat[x.size // 2 + x_shape[-1]] = -np.inf  # next pixel: windows with both give nan
    return x, w


def _cast(np, a, dtype):
    if dtype == "bf16":
        return _round_bfloat16(np, a)
    return np.asarray(a).astype(DTYPES[dtype])


def expand(np, r):
    """Spec dict for one VARIANTS row."""
    d = dict(DEFAULTS[r["op"]], **r)
    name = case_name(r)
    op, rank = d["op"], len(d["x"])
    fmt = FORMATS[d["fmt"]]
    batch = d.get("batch", BATCH)
    k, cin = tuple(d["k"]), d["cin"]
    attrs = dict(strides=d.get("stride", 1), dilations=d.get("dil", 1),
                 padding=[list(p) for p in d["padding"]] if not isinstance(d["padding"], str)
                 else d["padding"], data_format=fmt)
    if op == "depthwise_conv2d":
        w_shape = k + (cin, d["mult"])
    elif op == "conv2d_transpose":
        w_shape = k + (d["cout"], cin)
    else:
        w_shape = k + (cin // d.get("groups", 1), d["cout"])
    if op == "conv2d_transpose":
        # the input is the forward convolution's output over an x-sized image
        spatial = _forward_sizes(d["x"], k, attrs)
        out_spatial = (batch,) + tuple(d["x"]) + (d["cout"],)
        attrs["output_shape"] = list(_layout(np, out_spatial, fmt))
    else:
        spatial = tuple(d["x"])
    rng = np.random.RandomState(zlib.crc32(name.encode()))
    x, w = _values(np, rng, d.get("values"), d["dtype"], (batch,) + spatial + (cin,), w_shape)
    x = _layout(np, x, fmt)
    assert rank == len(k), name
    return dict(
        name=name,
        description="%s %s, padding %s, %s, x %s, filter %s" % (
            op, fmt, attrs["padding"], DTYPES[d["dtype"]], list(np.shape(x)), list(w_shape)),
        op=op,
        inputs=[_cast(np, x, d["dtype"]), _cast(np, w, d["dtype"])],
        attrs=attrs,
        dtype=DTYPES[d["dtype"]],
        feed=True,
    )


def _layout(np, value, fmt):
    """Channels-last array or shape tuple -> the layout ``fmt`` names."""
    if fmt in ("NWC", "NHWC", "NDHWC"):
        return value
    if isinstance(value, tuple):
        return (value[0], value[-1]) + value[1:-1]
    return np.moveaxis(value, -1, 1)


def _forward_sizes(sizes, k, attrs):
    """Spatial output size of the forward convolution (TensorFlow's rules)."""
    rank = len(sizes)
    stride = attrs["strides"] if isinstance(attrs["strides"], tuple) else (attrs["strides"],) * rank
    dil = attrs["dilations"] if isinstance(attrs["dilations"], tuple) else (attrs["dilations"],) * rank
    out = []
    for i, (n, kk, s, dd) in enumerate(zip(sizes, k, stride, dil)):
        effective = (kk - 1) * dd + 1
        if attrs["padding"] == "SAME":
            out.append(-(-n // s))
        else:
            lo, hi = attrs["padding"][i] if not isinstance(attrs["padding"], str) else (0, 0)
            out.append((n + lo + hi - effective) // s + 1)
    return tuple(out)


def suite(np):
    return seed_cases(np) + [expand(np, r) for r in VARIANTS]
