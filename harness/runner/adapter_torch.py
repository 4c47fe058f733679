"""PyTorch's adapter: run inside the environment (Python 3.6, stdlib + numpy)."""

from adapter_common import TRANSPOSE, ArrayAdapter, Conv, Unsupported, load_arrays


def make(module):
    return Torch(module)


class Torch(ArrayAdapter):
    """``torch.nn.functional.conv{1,2,3}d`` / ``conv_transpose2d``: NC*, OI*, cross-correlation.

    Padding is symmetric integers only, so asymmetric (TensorFlow SAME with
    an odd total, explicit lists) pads the input with ``F.pad`` first.
    """

    def __init__(self, module):
        ArrayAdapter.__init__(self, module)

    def dtype(self, name):
        found = getattr(self.tf, name, None)
        if not isinstance(found, self.tf.dtype):
            raise Unsupported("no dtype torch.%s in this release" % name)
        return found

    def tensor(self, array, name, np):
        host = array.astype("float32" if name == "bfloat16" else name)
        return self.tf.from_numpy(np.ascontiguousarray(host)).to(self.dtype(name))

    def build_op(self, case, np, job_dir):
        spec = case["spec"]
        c = Conv(spec, load_arrays(spec, np, job_dir), np)
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
