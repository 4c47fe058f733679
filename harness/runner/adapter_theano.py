"""Theano's adapter: run inside the environment (Python 3.6, stdlib + numpy)."""

from adapter_common import TRANSPOSE, ArrayAdapter, Conv, Unsupported, call, load_arrays


def make(module):
    return Theano(module)


class Theano(ArrayAdapter):
    """``theano.tensor.nnet.conv2d/conv3d`` with ``filter_flip=False`` (Theano's
    default flips the kernel: a true convolution), NCHW, OIHW; conv1d is
    conv2d over a height of 1; the transposed convolution is
    ``abstract_conv.conv2d_grad_wrt_inputs``.  Compiled with ``theano.function``.
    """

    def __init__(self, module):
        ArrayAdapter.__init__(self, module)
        import theano.tensor.nnet  # noqa: F401  (submodules are not imported by theano)
        import theano.tensor.nnet.abstract_conv  # noqa: F401

    def variable(self, array):
        tensor = self.tf.tensor
        return tensor.TensorType(str(array.dtype), (False,) * array.ndim)()

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        if spec.get("dtype") == "bfloat16":
            raise Unsupported("Theano has no bfloat16")
        c = Conv(spec, load_arrays(spec, np, job_dir), np)
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
            out = call(nnet.abstract_conv.conv2d_grad_wrt_inputs, [x, w],
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
            out = call(fn, [conv_input, w], keywords)
        result = self.tf.function([x, w], out)(x_host, w_host)
        result = np.asarray(result)
        if c.kind == TRANSPOSE:
            result = c.crop(result)
        if c.rank == 1:
            result = result[:, :, 0, :]
        return c.back(result)
