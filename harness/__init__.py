"""Version-bisection regression harness for ML frameworks (TensorFlow first)."""

__version__ = "0.1.0"
