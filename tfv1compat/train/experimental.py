"""``tf.compat.v1.train.experimental``: TF1's loss scaling (``tfv1compat.train.experimental``)."""

from tfv1compat.wrappers.loss_scale import DynamicLossScale, FixedLossScale, LossScale
from tfv1compat.wrappers.loss_scale_optimizer import MixedPrecisionLossScaleOptimizer

__all__ = ["DynamicLossScale", "FixedLossScale", "LossScale", "MixedPrecisionLossScaleOptimizer"]
