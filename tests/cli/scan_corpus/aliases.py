# ruff: noqa: B009, I001, UP008, UP009, UP010
# (Legacy TF1-era style on purpose: the scanner must handle real code as it was written.)
"""Every way a script can spell the TF1 training namespace.

Scanner corpus: import aliases, assignment aliases, names imported from the namespace,
``try``/``except`` imports, ``getattr``, a sub-namespace, and ``colocate_gradients_with_ops`` on
``compute_gradients``, TF2's ``tf.gradients`` and TF1's ``tf.compat.v1.gradients``. Never
executed. A trailing ``# scan: A, B`` comment lists the names the scanner must report on that
line (``(dynamic)`` for a use the scanner cannot resolve).
"""

# fmt: off

import tensorflow as tf
import tensorflow.compat.v1 as tf1
from tensorflow.compat.v1 import train
from tensorflow.compat.v1 import train as v1_train
from tensorflow.compat.v1.train import AdamOptimizer as Adam, Saver  # scan: AdamOptimizer, Saver
from tensorflow.compat.v1.train import (  # the names below are reported one by one
    Coordinator,  # scan: Coordinator
    GradientDescentOptimizer,  # scan: GradientDescentOptimizer
)

try:
    import tensorflow.compat.v1 as tfx
except ImportError:  # TensorFlow 1.x
    import tensorflow as tfx

tf_v1 = tf.compat.v1
v1_train_alias = tf_v1.train


def build(loss, var_list, name):
    """One use of each spelling."""
    opt = tf1.train.RMSPropOptimizer(0.01, momentum=0.9)  # scan: RMSPropOptimizer
    opt2 = train.AdagradOptimizer(0.1)  # scan: AdagradOptimizer
    opt3 = v1_train.FtrlOptimizer(0.1)  # scan: FtrlOptimizer
    opt4 = Adam(1e-3)  # scan: AdamOptimizer
    opt5 = tfx.train.AdamOptimizer(1e-3)  # scan: AdamOptimizer
    opt6 = tf_v1.train.ProximalAdagradOptimizer(0.1)  # scan: ProximalAdagradOptimizer
    opt7 = v1_train_alias.AdadeltaOptimizer()  # scan: AdadeltaOptimizer
    opt8 = getattr(tf.compat.v1.train, "MomentumOptimizer")(0.1, 0.9)  # scan: MomentumOptimizer
    opt_class = getattr(tf1.train, name)  # scan: (dynamic)
    scaled = tf.compat.v1.train.experimental.MixedPrecisionLossScaleOptimizer(opt, "dynamic")  # scan: experimental.MixedPrecisionLossScaleOptimizer
    grads = opt.compute_gradients(loss, var_list, colocate_gradients_with_ops=True)  # scan: colocate_gradients_with_ops
    more = tf.gradients(loss, var_list, colocate_gradients_with_ops=True)  # scan: colocate_gradients_with_ops
    same = tf1.gradients(loss, var_list, colocate_gradients_with_ops=True)  # scan: colocate_gradients_with_ops
    print(GradientDescentOptimizer.GATE_GRAPH)  # scan: GradientDescentOptimizer
    print(Coordinator(), Saver())  # scan: Coordinator, Saver
    print(isinstance(opt, tf.compat.v1.train.Optimizer))  # scan: Optimizer
    print(tf.train.Checkpoint(optimizer=opt))  # scan: Checkpoint
    return [opt2, opt3, opt4, opt5, opt6, opt7, opt8, opt_class, scaled, grads, more, same]
