"""git bisect run style: exit 0 when tf.nn.conv2d accepts a bare integer stride, 1 when it refuses."""
import sys

import numpy as np
import tensorflow as tf

x = tf.constant(np.ones((1, 3, 3, 1), dtype="float32"))
w = tf.constant(np.ones((2, 2, 1, 1), dtype="float32"))
try:
    tf.nn.conv2d(x, w, 1, "VALID")
except (TypeError, ValueError) as exc:
    print("refused: %s" % str(exc).splitlines()[0])
    sys.exit(1)
print("accepted")
