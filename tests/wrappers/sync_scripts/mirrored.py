"""``SyncReplicasOptimizer`` and ``MixedPrecisionLossScaleOptimizer`` under ``MirroredStrategy``.

Run as a subprocess (``tests/test_sync_replicas.py``, ``tests/test_loss_scale.py``): the 2
logical CPU devices can only be configured before TensorFlow initializes its runtime. Usage::

    python tests/sync_scripts/mirrored.py sync
    python tests/sync_scripts/mirrored.py loss_scale

``sync``: for every optimizer of ``optimizer_specs.SPECS`` (default config), inside
``tf.function`` (and eagerly for GradientDescent and Adam), ``SyncReplicasOptimizer(opt, 2)``
applies gradients that differ per replica (dense, and ``IndexedSlices`` with a duplicate index)
for ``STEPS`` steps; the reference is the same tfv1compat optimizer without a strategy, applied
to the explicitly averaged gradients ``(g0 + g1) / 2`` (sparse: both replicas' slices,
concatenated, halved). After every step every replica's copy of the variables, slots, non-slot
variables and global step must equal the reference bit for bit, and the global step must have
moved by one. Also: ``minimize`` (per-replica losses, eagerly) against explicitly averaged
``compute_gradients``, and ``variable_averages`` against an ``ExponentialMovingAverage``
applied after the reference step.

``loss_scale``: ``MixedPrecisionLossScaleOptimizer`` with a dynamic loss scale (period 2) over
Adam and Momentum, eagerly and in ``tf.function``, against ``tf.compat.v1.train``'s under the
same strategy; replica 1 gets an inf gradient at step 2 and replica 0 a nan at step 4, so every
replica must skip those steps. Compares variables, slots, beta powers, the global step,
``current_loss_scale`` and ``good_steps`` on every replica after every step.

Prints one line per case; exits 1 if anything differs.
"""

from __future__ import annotations

import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from optimizer_specs import SPECS, SPECS_BY_NAME  # noqa: E402
from parity_helpers import LAYOUTS, canonical_name, initial_values, loss_value  # noqa: E402

from tfv1compat import train as ours  # noqa: E402
from tfv1compat.train.experimental import (  # noqa: E402
    DynamicLossScale,
    MixedPrecisionLossScaleOptimizer,
)
from tfv1compat.wrappers.sync_replicas import SyncReplicasOptimizer  # noqa: E402

ORACLE = tf.compat.v1.train
LAYOUT = "mixed"  # w, b (dense gradients) and emb (IndexedSlices with a duplicate index)
REPLICAS = 2
STEPS = 3
EAGER_TOO = ("GradientDescentOptimizer", "AdamOptimizer")


def configure_logical_cpus() -> list[str]:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(REPLICAS)]
    )
    return [d.name for d in tf.config.list_logical_devices("CPU")]


class Failures:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def equal(self, case: str, what: str, subject, reference) -> None:
        subject, reference = np.asarray(subject), np.asarray(reference)
        if subject.dtype != reference.dtype or not np.array_equal(
            subject, reference, equal_nan=subject.dtype.kind == "f"
        ):
            self.messages.append(
                f"{case}: {what} differs\n    subject   {subject.tolist()}\n"
                f"    reference {reference.tolist()}"
            )


def per_replica_arrays(step: int, powers_of_two: bool = False) -> dict[str, np.ndarray]:
    """Per variable, a (replicas, ...) array: each replica's own gradient (or coefficient).

    ``powers_of_two``: loss coefficients drawn from +-{1/2, 1, 2}, so that the gradient of
    ``c * v * v`` (``2 * c * v``) is exact whatever order a graph multiplies in: the per-replica
    gradients then cannot differ from the reference's by rounding.
    """
    rng = np.random.default_rng(1000 + step)
    arrays = {}
    for v in LAYOUTS[LAYOUT]:
        shape = (REPLICAS,) + v.gradient_shape
        if powers_of_two:
            arrays[v.name] = rng.choice(np.float32([-2, -1, -0.5, 0.5, 1, 2]), shape)
        else:
            arrays[v.name] = rng.standard_normal(shape).astype(np.float32)
    return arrays


def as_gradient(spec_variable, values):
    if spec_variable.sparse_indices is None:
        return values
    return tf.IndexedSlices(
        values,
        tf.constant(spec_variable.sparse_indices, tf.int32),
        tf.constant(spec_variable.shape, tf.int32),
    )


def mean_gradient(spec_variable, values: tf.Tensor):
    """The reference's gradient from the explicit mean's values (see ``explicit_means``)."""
    if spec_variable.sparse_indices is None:
        return values
    indices = np.concatenate([spec_variable.sparse_indices] * REPLICAS).astype(np.int32)
    return tf.IndexedSlices(
        values, tf.constant(indices), tf.constant(spec_variable.shape, tf.int32)
    )


def explicit_means(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``(g0 + g1) / 2`` per dense variable; sparse: both replicas' slices, concatenated, halved."""
    means = {}
    for v in LAYOUTS[LAYOUT]:
        a = arrays[v.name]
        if v.sparse_indices is None:
            means[v.name] = (a[0] + a[1]) / np.float32(REPLICAS)
        else:
            means[v.name] = np.concatenate(list(a)) / np.float32(REPLICAS)
    return means


def local(strategy, value) -> list[np.ndarray]:
    return [c.numpy() for c in strategy.experimental_local_results(value)]


def optimizer_state(optimizer, variables: dict[str, tf.Variable], owner) -> dict[str, object]:
    """Slots (asked of ``optimizer``) and non-slot variables (of ``owner``), by role."""
    state = {}
    for slot_name in optimizer.get_slot_names():
        for name, variable in variables.items():
            state[f"slot {slot_name} of {name}"] = optimizer.get_slot(variable, slot_name)
    for variable in owner._non_slot_variables():
        state[f"non-slot {canonical_name(variable.name)}"] = variable
    return state


# ---------------------------------------------------------------------------- sync


def sync_case(strategy, spec, mode: str, how: str, failures: Failures) -> str:
    """One SyncReplicasOptimizer run under ``strategy`` against the no-strategy reference.

    ``how``: ``apply`` (per-replica gradients), ``minimize`` (per-replica losses), or
    ``averages`` (``apply`` with ``variable_averages`` maintaining ``w``).
    """
    case = f"sync {spec.name} {mode} {how}"
    averages = ref_averages = None
    with strategy.scope():
        variables = {
            n: tf.Variable(v, name=n) for n, v in initial_values(LAYOUT, tf.float32).items()
        }
        global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
        inner = spec.build(ours, "default", global_step=global_step)
        if how == "averages":
            averages = tf.train.ExponentialMovingAverage(0.5)
        sync = SyncReplicasOptimizer(
            inner,
            replicas_to_aggregate=REPLICAS,
            variable_averages=averages,
            variables_to_average=[variables["w"]] if averages is not None else None,
        )
    ref_variables = {
        n: tf.Variable(v, name=n) for n, v in initial_values(LAYOUT, tf.float32).items()
    }
    ref_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
    reference = spec.build(ours, "default", global_step=ref_step)
    if averages is not None:
        ref_averages = tf.train.ExponentialMovingAverage(0.5)

    def replica_step(arrays):
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        mine = {name: tf.gather(values, replica) for name, values in arrays.items()}
        if how == "minimize":
            sync.minimize(
                lambda: loss_value(LAYOUT, variables, mine),
                global_step=global_step,
                var_list=list(variables.values()),
            )
        else:
            grads = [as_gradient(v, mine[v.name]) for v in LAYOUTS[LAYOUT]]
            sync.apply_gradients(zip(grads, variables.values()), global_step=global_step)

    def step(arrays):
        strategy.run(replica_step, args=(arrays,))

    def reference_gradients(arrays, means):
        if how != "minimize":
            return [mean_gradient(v, means[v.name]) for v in LAYOUTS[LAYOUT]]
        per_replica = [
            reference.compute_gradients(
                lambda r=r: loss_value(LAYOUT, ref_variables, {n: a[r] for n, a in arrays.items()}),
                var_list=list(ref_variables.values()),
            )
            for r in range(REPLICAS)
        ]
        return [
            mean_of(v, [pairs[i][0] for pairs in per_replica])
            for i, v in enumerate(LAYOUTS[LAYOUT])
        ]

    def reference_apply(grads):
        reference.apply_gradients(zip(grads, ref_variables.values()), global_step=ref_step)
        if ref_averages is not None:
            ref_averages.apply([ref_variables["w"]])

    if mode == "function":
        step = tf.function(step)
        reference_gradients = tf.function(reference_gradients)
        reference_apply = tf.function(reference_apply)

    def reference_step(arrays, means):
        reference_apply(reference_gradients(arrays, means))

    for index in range(STEPS):
        arrays = per_replica_arrays(index, powers_of_two=how == "minimize")
        tensors = {n: tf.constant(a) for n, a in arrays.items()}
        step(tensors)
        reference_step(tensors, {n: tf.constant(a) for n, a in explicit_means(arrays).items()})
        where = f"{case} step {index + 1}"
        subject_state = {f"variable {n}": v for n, v in variables.items()}
        subject_state.update(optimizer_state(sync, variables, inner))
        subject_state["global_step"] = global_step
        reference_state = {f"variable {n}": v for n, v in ref_variables.items()}
        reference_state.update(optimizer_state(reference, ref_variables, reference))
        reference_state["global_step"] = ref_step
        if averages is not None:
            subject_state["average of w"] = averages.average(variables["w"])
            reference_state["average of w"] = ref_averages.average(ref_variables["w"])
        if subject_state.keys() != reference_state.keys():
            failures.messages.append(
                f"{where}: state {sorted(subject_state)} != {sorted(reference_state)}"
            )
            continue
        for key, value in subject_state.items():
            expected = reference_state[key].numpy()
            for replica, component in enumerate(local(strategy, value)):
                failures.equal(where, f"{key} (replica {replica})", component, expected)
        for replica, component in enumerate(local(strategy, global_step)):
            if component != index + 1:
                failures.messages.append(f"{where}: global step {component} on replica {replica}")
    return case


def mean_of(spec_variable, grads):
    """The explicit mean of per-replica gradients (Tensors or IndexedSlices)."""
    if spec_variable.sparse_indices is None:
        return (grads[0] + grads[1]) / REPLICAS
    return tf.IndexedSlices(
        tf.concat([g.values for g in grads], 0) / REPLICAS,
        tf.concat([g.indices for g in grads], 0),
        grads[0].dense_shape,
    )


def run_sync(strategy, failures: Failures) -> list[str]:
    cases = []
    for spec in SPECS:
        modes = ("function", "eager") if spec.name in EAGER_TOO else ("function",)
        for mode in modes:
            cases.append(sync_case(strategy, spec, mode, "apply", failures))
    # minimize eagerly only: inside tf.function grappler rewrites the strategy's graph (gradient
    # and update in one function) differently from the reference's, which moves Adam's v by an
    # ulp; eagerly both run the same kernels on the same values.
    adam = SPECS_BY_NAME["AdamOptimizer"]
    cases.append(sync_case(strategy, adam, "eager", "minimize", failures))
    for mode in ("function", "eager"):
        cases.append(
            sync_case(
                strategy, SPECS_BY_NAME["GradientDescentOptimizer"], mode, "averages", failures
            )
        )
    return cases


# ---------------------------------------------------------------------------- loss scale

# (steps, replicas): replica 1's coefficient is inf at step 2, replica 0's nan at step 4.
COEFFICIENTS = np.array(
    [[1.0, 0.5], [2.0, np.inf], [0.3, 0.2], [np.nan, 1.0], [0.7, 0.4]], np.float32
)


def loss_scale_case(strategy, optimizer_name: str, mode: str, failures) -> str:
    case = f"loss_scale {optimizer_name} {mode}"
    results = {}
    for label in ("subject", "oracle"):
        with strategy.scope():
            x = tf.Variable([1.0, -2.0, 0.5], name="x")
            global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
            if label == "subject":
                inner = getattr(ours, optimizer_name)(0.1, **extra_args(optimizer_name))
                lso = MixedPrecisionLossScaleOptimizer(inner, DynamicLossScale(4, 2, 2.0))
            else:
                inner = getattr(ORACLE, optimizer_name)(0.1, **extra_args(optimizer_name))
                lso = ORACLE.experimental.MixedPrecisionLossScaleOptimizer(
                    inner, tf.compat.v1.mixed_precision.DynamicLossScale(4, 2, 2.0)
                )

        def replica_step(coefficients, x=x, lso=lso, global_step=global_step):
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            k = tf.gather(coefficients, replica)
            lso.minimize(lambda: tf.reduce_sum(k * x * x), global_step=global_step, var_list=[x])

        def step(coefficients, replica_step=replica_step):
            strategy.run(replica_step, args=(coefficients,))

        if mode == "function":
            step = tf.function(step)
        history = []
        for coefficients in COEFFICIENTS:
            step(tf.constant(coefficients))
            state = {"variable x": x, "global_step": global_step}
            state.update(optimizer_state(inner, {"x": x}, inner))
            for (name, _), weight in lso._loss_scale._weights.items():
                state[name] = weight
            history.append({k: local(strategy, v) for k, v in state.items()})
        results[label] = history
    for index, (subject, oracle) in enumerate(zip(results["subject"], results["oracle"])):
        where = f"{case} step {index + 1}"
        if subject.keys() != oracle.keys():
            failures.messages.append(f"{where}: keys {sorted(subject)} != {sorted(oracle)}")
            continue
        for key in subject:
            for replica, (s, o) in enumerate(zip(subject[key], oracle[key])):
                failures.equal(where, f"{key} (replica {replica})", s, o)
    # The non-finite steps (2 and 4) changed neither the variable nor the global step.
    for bad in (1, 3):
        failures.equal(
            f"{case} step {bad + 1}",
            "skipped step's variable",
            results["subject"][bad]["variable x"][0],
            results["subject"][bad - 1]["variable x"][0],
        )
        failures.equal(
            f"{case} step {bad + 1}",
            "skipped step's global step",
            results["subject"][bad]["global_step"][0],
            results["subject"][bad - 1]["global_step"][0],
        )
    return case


def extra_args(optimizer_name: str) -> dict:
    return {"momentum": 0.9} if optimizer_name == "MomentumOptimizer" else {}


def run_loss_scale(strategy, failures: Failures) -> list[str]:
    return [
        loss_scale_case(strategy, name, mode, failures)
        for name in ("AdamOptimizer", "MomentumOptimizer")
        for mode in ("function", "eager")
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("sync", "loss_scale"):
        print(__doc__)
        return 2
    devices = configure_logical_cpus()
    strategy = tf.distribute.MirroredStrategy(devices)
    failures = Failures()
    try:
        cases = (run_sync if argv[1] == "sync" else run_loss_scale)(strategy, failures)
    except Exception:  # noqa: BLE001 - report the traceback and fail
        traceback.print_exc()
        return 1
    for case in cases:
        bad = [m for m in failures.messages if m.startswith(case + " ")]
        print(f"{case}: {'DIFFERS' if bad else 'ok'}")
    for message in failures.messages[:25]:
        print(message)
    return 1 if failures.messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
