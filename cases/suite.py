"""The built-in case suite, as data.

``suite(np)`` returns a list of specs; each spec names a case, an op, its
host-generated input arrays, the op's attributes and the dtype it runs in.
The harness computes the expected output with its float64 reference
(``harness/reference.py``) and hands the inputs to every release as files.
"""

# The arrays of the original report (StackOverflow, TF 1.0.0, March 2017):
# base = np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]).T, a 4x3 array
# with three ones; conv2d(base, base, VALID) must be sum(base * base) = 3.
SEED_BASE = [[1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]]


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


def suite(np):
    return seed_cases(np)
