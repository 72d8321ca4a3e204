"""tfv1compat: TF1's ``tf.train`` optimizers and helpers, bit-exact, on TensorFlow 2.

``from tfv1compat import train`` gives the ``tf.compat.v1.train``-shaped namespace.
"""

__version__ = "0.1.0"

from tfv1compat import train  # noqa: E402

__all__ = ["train", "__version__"]
