"""``tf.compat.v1.train.experimental``: TF1's loss scaling (``tfv1compat.train.experimental``)."""

from tfv1compat.optimizers.loss_scale import (
    DynamicLossScale,
    FixedLossScale,
    LossScale,
    MixedPrecisionLossScaleOptimizer,
)

__all__ = ["DynamicLossScale", "FixedLossScale", "LossScale", "MixedPrecisionLossScaleOptimizer"]
