"""TF1's optimizer wrappers: loss scaling and synchronous replicas, on ``wrappers.base``."""
