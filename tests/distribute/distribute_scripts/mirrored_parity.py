"""tfv1compat vs ``tf.compat.v1.train`` under ``MirroredStrategy`` on 2 logical CPU devices.

Run as a subprocess (``tests/test_distribute.py``): logical devices can only be configured
before TensorFlow initializes its runtime, which the test process has long done. Usage::

    python tests/distribute_scripts/mirrored_parity.py parity [--optimizers A,B] [--full]
    python tests/distribute_scripts/mirrored_parity.py semantics

``parity``: for each optimizer of ``optimizer_specs.SPECS`` (its default config, every config
with ``--full``, else a chosen second config), in eager mode and inside ``tf.function``, with
``minimize`` (callable loss, ``var_list=None``), ``compute_gradients`` + ``apply_gradients``
(callable loss eagerly, tensor loss in ``tf.function``, plus a variable that gets no gradient)
and ``apply_gradients`` of given gradients, on a model with dense (``w``, ``b``) and sparse
(``emb``, ``IndexedSlices`` with a duplicate index) gradients: each replica's loss or gradient
is scaled by ``replica_id + 1``, so the replicas disagree and only a cross-replica SUM gives
the oracle's result. After every step it compares, bit for bit, every replica's copy of the
variables, of every slot (found through the container *and* through each per-replica
component), of the non-slot variables (Adam's beta powers) and of the global step, and checks
that slots are mirrored like their variables.

``semantics``: the summed gradient equals a single-device step on ``g0 + g1``; the
cross-replica ``RuntimeError``; ``skip_gradients_aggregation=True`` after a manual all-reduce;
bad gradients in a replica context raise TF1's exception types.

Prints one line per case and a report of every difference; exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from optimizer_specs import SPECS, SPECS_BY_NAME, oracle_lacks  # noqa: E402
from parity_helpers import (  # noqa: E402
    LAYOUTS,
    canonical_name,
    gradient,
    initial_values,
    loss_value,
    step_arrays,
)

from tfv1compat import train as ours  # noqa: E402

ORACLE = tf.compat.v1.train
MODULES = (("subject", ours), ("oracle", ORACLE))
LAYOUT = "mixed"  # w, b (dense gradients) and emb (IndexedSlices with a duplicate index)
MODES = ("eager", "function")
HOWS = ("minimize", "compute_apply", "apply")
STEPS = 3
REPLICAS = 2
MAX_REPORTED = 25  # differences printed in the final report (all cases are listed above it)
# The second config per optimizer covered without --full: the one with the most distinct path
# (then a fallback, where the first needs a TF1 argument the installed TF lacks).
SECOND_CONFIG = {
    "GradientDescentOptimizer": ("locking",),
    "MomentumOptimizer": ("nesterov",),
    "AdagradOptimizer": ("initial_accumulator",),
    "AdagradDAOptimizer": ("l1_l2",),
    "AdadeltaOptimizer": ("rho_epsilon",),
    "AdamOptimizer": ("own_namescope", "betas"),
    "FtrlOptimizer": ("shrinkage_v2",),
    "ProximalGradientDescentOptimizer": ("l1_l2",),
    "ProximalAdagradOptimizer": ("l1_l2",),
    "RMSPropOptimizer": ("centered_momentum",),
}
CROSS_REPLICA_MESSAGE = (
    "Use `_distributed_apply()` instead of `apply_gradients()` in a cross-replica context."
)


def configure_logical_cpus(count: int = REPLICAS) -> list[str]:
    """Split the one physical CPU into ``count`` logical devices; returns their names."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
    )
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == count, devices
    return devices


class Failures:
    """Collects readable descriptions of every difference found."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def check(self, case: str, condition: bool, message: str) -> None:
        if not condition:
            self.messages.append(f"{case}: {message}")

    def equal(self, case: str, what: str, subject: np.ndarray, oracle: np.ndarray) -> None:
        if subject.dtype != oracle.dtype or not np.array_equal(subject, oracle):
            self.messages.append(
                f"{case}: {what} differs\n    subject {subject.dtype} {subject.tolist()}\n"
                f"    oracle  {oracle.dtype} {oracle.tolist()}"
            )


# ---------------------------------------------------------------------------- one side


class Side:
    """One optimizer (subject or oracle) with mirrored variables and a mirrored global step."""

    def __init__(self, label: str, module, strategy, spec, config_id: str) -> None:
        self.label = label
        self.strategy = strategy
        with strategy.scope():
            self.variables = {
                name: tf.Variable(value, name=name)
                for name, value in initial_values(LAYOUT, tf.float32).items()
            }
            # Receives no gradient in "compute_apply": None gradients are dropped before
            # merge_call, so it must get no slot and no update.
            self.unused = tf.Variable([0.5, -0.5], name="unused")
            self.global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
            self.optimizer = spec.build(module, config_id, global_step=self.global_step)

    @property
    def var_list(self) -> list[tf.Variable]:
        return list(self.variables.values())

    def local(self, value) -> list:
        """The per-replica components of a distributed value."""
        return list(self.strategy.experimental_local_results(value))

    def replica_step(self, how: str, mode: str, step_input: dict[str, tf.Tensor]) -> None:
        """One replica's work: its loss or gradients scaled by ``replica_id + 1``."""
        context = tf.distribute.get_replica_context()
        scale = tf.cast(context.replica_id_in_sync_group + 1, tf.float32)
        optimizer, variables = self.optimizer, self.variables

        def loss() -> tf.Tensor:
            return scale * loss_value(LAYOUT, variables, step_input)

        if how == "minimize":
            optimizer.minimize(loss, global_step=self.global_step)
        elif how == "compute_apply":
            grads_and_vars = optimizer.compute_gradients(
                loss if mode == "eager" else loss(), var_list=self.var_list + [self.unused]
            )
            assert grads_and_vars[-1][0] is None, grads_and_vars[-1]
            optimizer.apply_gradients(grads_and_vars, global_step=self.global_step)
        elif how == "apply":
            grads = [scaled(gradient(v, step_input[v.name]), scale) for v in LAYOUTS[LAYOUT]]
            optimizer.apply_gradients(zip(grads, self.var_list), global_step=self.global_step)
        else:
            raise ValueError(how)

    def step_function(self, how: str, mode: str) -> Callable[[dict[str, tf.Tensor]], None]:
        """``strategy.run`` of one step, eagerly or as one ``tf.function`` (traced once)."""

        def step(step_input: dict[str, tf.Tensor]) -> None:
            self.strategy.run(self.replica_step, args=(how, mode, step_input))

        return step if mode == "eager" else tf.function(step, autograph=False)

    def state(self) -> dict[str, list[np.ndarray]]:
        """Every replica's copy of every piece of state, by role."""
        optimizer = self.optimizer
        values = {}
        for name, variable in self.variables.items():
            values[f"variable {name}"] = self.local(variable)
        for slot_name in optimizer.get_slot_names():
            for name, variable in self.variables.items():
                values[f"slot {slot_name} of {name}"] = self.local(
                    optimizer.get_slot(variable, slot_name)
                )
        for variable in optimizer._non_slot_variables():
            values[f"non-slot {canonical_name(variable.name)}"] = self.local(variable)
        values["global_step"] = self.local(self.global_step)
        return {key: [c.numpy() for c in components] for key, components in values.items()}

    def check_structure(self, case: str, failures: Failures, spec, config_id: str) -> None:
        """Slots are mirrored like their variables; a component finds its replica's slot."""
        optimizer = self.optimizer
        case = f"{case} [{self.label}]"
        failures.check(
            case,
            optimizer.get_slot_names() == list(spec.slots_for(config_id)),
            f"slot names {optimizer.get_slot_names()} != {list(spec.slots_for(config_id))}",
        )
        for slot_name in optimizer.get_slot_names():
            failures.check(
                case,
                optimizer.get_slot(self.unused, slot_name) is None,
                f"a {slot_name!r} slot for the variable that had no gradient",
            )
            for name, variable in self.variables.items():
                slot = optimizer.get_slot(variable, slot_name)
                if slot is None:
                    failures.check(case, False, f"no {slot_name!r} slot for {name}")
                    continue
                failures.check(
                    case,
                    isinstance(slot, tf.distribute.DistributedValues),
                    f"slot {slot_name!r} of {name} is not distributed: {type(slot).__name__}",
                )
                slot_components = self.local(slot)
                variable_components = self.local(variable)
                failures.check(
                    case,
                    [c.device for c in slot_components] == [c.device for c in variable_components],
                    f"slot {slot_name!r} of {name} is not on its variable's devices",
                )
                if self.label == "subject":
                    # TF1's get_slot(component) returns the slot's copy on the *current device*
                    # (its primary, replica 0, outside a replica context); tfv1compat returns the
                    # copy of the component's own replica. Only ours is checked here.
                    for index, component in enumerate(variable_components):
                        failures.check(
                            case,
                            optimizer.get_slot(component, slot_name) is slot_components[index],
                            f"get_slot(replica {index} of {name}, {slot_name!r}) is not the "
                            "slot's replica-%d component" % index,
                        )


def scaled(grad: Any, scale: tf.Tensor) -> Any:
    """``grad * scale`` for a Tensor or IndexedSlices gradient."""
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * scale, grad.indices, grad.dense_shape)
    return grad * scale


# ---------------------------------------------------------------------------- parity


def run_parity_case(
    strategy, spec, config_id: str, mode: str, how: str, failures: Failures
) -> None:
    """Subject and oracle, 3 steps, compared after every step (all replicas, all state)."""
    case = f"{spec.name}-{config_id} {mode} {how}"
    started = time.perf_counter()
    sides = [Side(label, module, strategy, spec, config_id) for label, module in MODULES]
    steps = [side.step_function(how, mode) for side in sides]
    inputs = [
        {name: tf.constant(array) for name, array in arrays.items()}
        for arrays in step_arrays(LAYOUT, tf.float32, STEPS)
    ]
    initial = sides[1].state()
    before = len(failures.messages)
    for step, step_input in enumerate(inputs):
        for step_fn in steps:
            step_fn(step_input)
        subject, oracle = (side.state() for side in sides)
        where = f"{case} step {step}"
        failures.check(
            where,
            subject.keys() == oracle.keys(),
            f"state keys differ: {sorted(subject)} vs {sorted(oracle)}",
        )
        for key in sorted(subject.keys() & oracle.keys()):
            failures.check(
                where, len(subject[key]) == REPLICAS, f"{key}: {len(subject[key])} copies"
            )
            for index, (s, o) in enumerate(zip(subject[key], oracle[key])):
                failures.equal(where, f"{key} (replica {index})", s, o)
            for index in range(1, len(subject[key])):
                failures.equal(
                    where,
                    f"{key}: subject replica {index} vs 0",
                    subject[key][index],
                    subject[key][0],
                )
        for side, values in zip(sides, (subject, oracle)):
            failures.check(
                where,
                all(int(v) == step + 1 for v in values["global_step"]),
                f"[{side.label}] global step {values['global_step']} != {step + 1}",
            )
    for side in sides:
        side.check_structure(case, failures, spec, config_id)
        for index, component in enumerate(side.local(side.unused)):
            failures.equal(
                f"{case} [{side.label}]",
                f"variable without a gradient (replica {index})",
                component.numpy(),
                np.array([0.5, -0.5], np.float32),
            )
    final = sides[1].state()
    failures.check(
        case,
        any(
            not np.array_equal(final[k][0], initial[k][0])
            for k in initial
            if k.startswith("variable ")
        ),
        "training moved no variable (vacuous parity)",
    )
    if mode == "eager":
        # Both return the slots and non-slot variables, sorted by name. Inside tf.function
        # TF1's variables() drops slots created under a strategy (its private _graph_key check
        # against the function graph) while tfv1compat returns them: a deliberate difference,
        # so variables() is compared only eagerly.
        names = [[canonical_name(v.name) for v in side.optimizer.variables()] for side in sides]
        failures.check(case, names[0] == names[1], f"variables() {names[0]} != {names[1]}")
    status = "ok" if len(failures.messages) == before else "FAILED"
    print(f"{status:6} {case} ({time.perf_counter() - started:.1f} s)", flush=True)


def parity_cases(optimizers: list[str], full: bool, modes: tuple[str, ...]) -> list[tuple]:
    """(spec, config id, mode, how): every call form for the default config; for the second
    config (``--full``: every config) the ``tf.function`` path with ``minimize`` and ``apply``."""
    cases = []
    for name in optimizers:
        spec = SPECS_BY_NAME[name]
        # A config the installed TF1 cannot build (an argument of a later TF: Adam's
        # own_namescope before TF 2.19) has no oracle; the second config then falls back.
        candidates = list(spec.configs) if full else ["default", *SECOND_CONFIG[name]]
        buildable = [c for c in candidates if not oracle_lacks(name, spec.configs[c])]
        config_ids = buildable if full else buildable[:2]
        for config_id in config_ids:
            for mode in modes:
                for how in HOWS:
                    reduced = not full and config_id != "default"
                    if reduced and (mode != "function" or how == "compute_apply"):
                        continue
                    cases.append((spec, config_id, mode, how))
    return cases


def parity(strategy, optimizers: list[str], full: bool, modes: tuple[str, ...]) -> Failures:
    failures = Failures()
    for spec, config_id, mode, how in parity_cases(optimizers, full, modes):
        try:
            run_parity_case(strategy, spec, config_id, mode, how, failures)
        except Exception:  # report every case, then fail
            case = f"{spec.name}-{config_id} {mode} {how}"
            failures.check(case, False, traceback.format_exc())
            print(f"ERROR  {case}", flush=True)
    return failures


# ---------------------------------------------------------------------------- semantics


def check_sum(strategy, failures: Failures) -> None:
    """Replica gradients g and 2g move a variable exactly as one single-device step on 3g
    (computed ``g + 2g``, the same float additions the all-reduce does): the replica
    gradients are summed, not averaged, by both libraries."""
    g = tf.constant([[0.25, -1.5], [3.0, 0.125]])
    start = np.array([[1.0, 2.0], [-3.0, 4.0]], np.float32)
    single = tf.Variable(start)
    ORACLE.GradientDescentOptimizer(0.1).apply_gradients([(g * 1.0 + g * 2.0, single)])
    for mode in MODES:
        for label, module in MODULES:
            case = f"sum {label} {mode}"
            before = len(failures.messages)
            with strategy.scope():
                variable = tf.Variable(start)
                optimizer = module.GradientDescentOptimizer(0.1)

            def replica_fn(variable=variable, optimizer=optimizer) -> None:
                context = tf.distribute.get_replica_context()
                scale = tf.cast(context.replica_id_in_sync_group + 1, tf.float32)
                optimizer.apply_gradients([(g * scale, variable)])

            def step(replica_fn=replica_fn) -> None:
                strategy.run(replica_fn)

            (step if mode == "eager" else tf.function(step, autograph=False))()
            for index, component in enumerate(strategy.experimental_local_results(variable)):
                failures.equal(case, f"replica {index}", component.numpy(), single.numpy())
            print(f"{'ok' if len(failures.messages) == before else 'FAILED':6} {case}", flush=True)


def check_cross_replica_error(strategy, failures: Failures) -> None:
    """``apply_gradients`` in cross-replica context: TF1's RuntimeError, nothing touched."""
    for label, module in MODULES:
        case = f"cross-replica {label}"
        before = len(failures.messages)
        with strategy.scope():
            variable = tf.Variable([1.0, 2.0])
            optimizer = module.AdamOptimizer(0.1)
            try:
                optimizer.apply_gradients([(tf.constant([1.0, 1.0]), variable)])
            except RuntimeError as error:
                failures.check(
                    case,
                    str(error).startswith(CROSS_REPLICA_MESSAGE),
                    f"message {str(error)!r} does not start with {CROSS_REPLICA_MESSAGE!r}",
                )
            else:
                failures.check(case, False, "no RuntimeError")
        failures.check(case, optimizer.get_slot_names() == [], "slots were created")
        failures.check(case, list(optimizer.variables()) == [], "variables were created")
        failures.equal(case, "variable", variable.numpy(), np.array([1.0, 2.0], np.float32))
        print(f"{'ok' if len(failures.messages) == before else 'FAILED':6} {case}", flush=True)


def check_skip_aggregation(strategy, failures: Failures) -> None:
    """``skip_gradients_aggregation=True``: each replica applies the gradients it holds (here
    already summed with ``all_reduce``), without a merge; subject equals oracle.

    With a global step, subject and oracle are compared only eagerly: inside ``tf.function``
    TF1 itself fails there (``OperatorNotAllowedInGraphError``: ``assign_add`` on a mirrored
    global step returns a value that its TRAIN_OP bookkeeping tests with ``in``), while
    tfv1compat increments every replica's copy once per step, as TF1 does eagerly; that run
    is checked against tfv1compat's run without a global step.
    """
    for mode in MODES:
        before = len(failures.messages)
        if mode == "eager":
            runs = [("subject", ours, True), ("oracle", ORACLE, True)]
        else:
            runs = [("subject", ours, False), ("oracle", ORACLE, False)]
            runs.append(("subject with global step", ours, True))
        results = {}
        for label, module, use_global_step in runs:
            with strategy.scope():
                variable = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="x")
                global_step = tf.Variable(0, dtype=tf.int64, trainable=False)
                optimizer = module.AdamOptimizer(0.1)

            def replica_fn(
                variable=variable,
                optimizer=optimizer,
                gs=global_step if use_global_step else None,
            ) -> None:
                context = tf.distribute.get_replica_context()
                scale = tf.cast(context.replica_id_in_sync_group + 1, tf.float32)
                grads_and_vars = optimizer.compute_gradients(
                    lambda: scale * tf.reduce_sum(variable * variable * variable),
                    var_list=[variable],
                )
                (grad,) = context.all_reduce(
                    tf.distribute.ReduceOp.SUM, [g for g, _ in grads_and_vars]
                )
                optimizer.apply_gradients(
                    [(grad, variable)], global_step=gs, skip_gradients_aggregation=True
                )

            def step(replica_fn=replica_fn) -> None:
                strategy.run(replica_fn)

            step_fn = step if mode == "eager" else tf.function(step, autograph=False)
            for _ in range(STEPS):
                step_fn()
            local = strategy.experimental_local_results
            (beta1_power,) = [
                v
                for v in optimizer._non_slot_variables()
                if canonical_name(v.name) == "beta1_power"
            ]
            results[label] = {
                "variable": [c.numpy() for c in local(variable)],
                "m": [c.numpy() for c in local(optimizer.get_slot(variable, "m"))],
                "beta1_power": [c.numpy() for c in local(beta1_power)],
            }
            for index, copy in enumerate(local(global_step)):
                expected = STEPS if use_global_step else 0
                failures.check(
                    f"skip_gradients_aggregation {mode} [{label}]",
                    int(copy) == expected,
                    f"global step (replica {index}) is {int(copy)}, expected {expected}",
                )
        case = f"skip_gradients_aggregation {mode}"
        for other in results:
            if other == "subject":
                continue
            for key, subject in results["subject"].items():
                failures.check(case, len(subject) == REPLICAS, f"{key}: {len(subject)} copies")
                for index, (s, o) in enumerate(zip(subject, results[other][key])):
                    failures.equal(case, f"{key} (replica {index}) vs {other}", s, o)
        status = "ok" if len(failures.messages) == before else "FAILED"
        print(f"{status:6} {case}", flush=True)


# Bad gradients in a replica context, by what TF1 does with them: its merge hands them to the
# strategy's reduction, which fails on anything that is not a tensor (AttributeError, also for
# "no gradient at all": the reduction of an empty list); a wrong shape reaches the kernel.
BAD_GRADIENTS: dict[str, Callable[[tf.Variable], list]] = {
    "list": lambda v: [([1.0, 1.0], v)],
    "float": lambda v: [(1.0, v)],
    "object": lambda v: [(object(), v)],
    "SparseTensor": lambda v: [(tf.sparse.from_dense(tf.constant([1.0, 0.0])), v)],
    "all None": lambda v: [(None, v)],
    "empty": lambda v: [],
    "wrong shape": lambda v: [(tf.constant([1.0, 1.0, 1.0]), v)],
}


def check_gradient_errors(strategy, failures: Failures) -> None:
    """Bad gradients in a replica context: the subject raises an instance of the oracle's
    exception type, eagerly and in ``tf.function``, and leaves no slot behind. (A gradient of
    the wrong dtype is left out: TF1 aborts the process there; tfv1compat raises TypeError.)"""
    for name, make in BAD_GRADIENTS.items():
        for mode in MODES:
            case = f"bad gradient {name} {mode}"
            before = len(failures.messages)
            errors = {}
            for label, module in MODULES:
                with strategy.scope():
                    variable = tf.Variable([1.0, 2.0])
                    optimizer = module.MomentumOptimizer(0.1, momentum=0.9)

                def replica_fn(variable=variable, optimizer=optimizer, make=make) -> None:
                    optimizer.apply_gradients(make(variable))

                def step(replica_fn=replica_fn) -> None:
                    strategy.run(replica_fn)

                try:
                    (step if mode == "eager" else tf.function(step, autograph=False))()
                except Exception as error:  # the oracle's type is what we compare with
                    errors[label] = error
                else:
                    errors[label] = None
                if label == "subject":
                    failures.check(case, optimizer.get_slot_names() == [], "slots were created")
            subject, oracle = errors["subject"], errors["oracle"]
            failures.check(case, oracle is not None, "the oracle raised nothing")
            failures.check(
                case,
                oracle is None or isinstance(subject, type(oracle)),
                f"subject raised {subject!r}, oracle {oracle!r}",
            )
            status = "ok" if len(failures.messages) == before else "FAILED"
            print(f"{status:6} {case} ({type(oracle).__name__})", flush=True)


def semantics(strategy) -> Failures:
    failures = Failures()
    for check in (
        check_sum,
        check_cross_replica_error,
        check_skip_aggregation,
        check_gradient_errors,
    ):
        try:
            check(strategy, failures)
        except Exception:
            failures.check(check.__name__, False, traceback.format_exc())
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("parity", "semantics"))
    parser.add_argument("--optimizers", default=",".join(spec.name for spec in SPECS))
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--full", action="store_true", help="every config, mode and call form")
    args = parser.parse_args(argv)
    devices = configure_logical_cpus()
    strategy = tf.distribute.MirroredStrategy(devices)
    assert strategy.num_replicas_in_sync == REPLICAS
    if args.what == "parity":
        failures = parity(
            strategy, args.optimizers.split(","), args.full, tuple(args.modes.split(","))
        )
    else:
        failures = semantics(strategy)
    if failures.messages:
        print(f"\n{len(failures.messages)} difference(s); the first {MAX_REPORTED}:")
        for message in failures.messages[:MAX_REPORTED]:
            print("  - " + message)
        return 1
    print("\nall equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
