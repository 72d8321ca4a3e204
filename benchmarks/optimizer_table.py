"""The optimizers the benchmarks time, with constructor arguments both libraries accept."""

# Learning rate first; AdagradDA's global step is added by each benchmark.
OPTIMIZERS: dict[str, dict] = {
    "GradientDescentOptimizer": {"learning_rate": 0.01},
    "MomentumOptimizer": {"learning_rate": 0.01, "momentum": 0.9},
    "AdagradOptimizer": {"learning_rate": 0.01},
    "AdagradDAOptimizer": {"learning_rate": 0.01},
    "AdadeltaOptimizer": {"learning_rate": 1.0},
    "AdamOptimizer": {"learning_rate": 0.001},
    "FtrlOptimizer": {"learning_rate": 0.01},
    "ProximalGradientDescentOptimizer": {"learning_rate": 0.01},
    "ProximalAdagradOptimizer": {"learning_rate": 0.01},
    "RMSPropOptimizer": {"learning_rate": 0.001},
}
