"""The model and data of steps 2 and 3: the TF1 model of ``legacy_train.py``, in Keras 3.

The layers are named like the TF1 variable scopes (``hidden/kernel``, ``out/bias``), so a TF1
``Saver`` checkpoint of ``legacy_train.py`` matches this model by name.
"""

import keras
import numpy as np


def build_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="tanh", name="hidden"),
            keras.layers.Dense(1, name="out"),
        ]
    )


def make_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
    return x, y
