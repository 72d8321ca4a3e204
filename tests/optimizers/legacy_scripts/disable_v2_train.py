"""A TF1-style training script: ``disable_v2_behavior()``, ref variables, a Session.

For each of the ten optimizers in ``tests/optimizer_specs.py`` (default configuration) it builds
one small model twice in one graph with ``tf.compat.v1.get_variable`` (ref ``VariableV2``
variables, since v2 behaviour is disabled): a dense part and an embedding read with
``tf.gather`` (sparse gradients with duplicate ids), a mean-squared loss and an int64 global
step per twin. One twin is trained by ``tfv1compat.train.X(...).minimize(loss,
global_step=...)``, the other by ``tf.compat.v1.train.X(...)``. After every Session step it
compares every variable, every slot, the non-slot variables (Adam's beta powers) and the global
step exactly, and checks that slots are ref variables named like TF1's. It also builds each side
alone in a fresh graph and compares the graphs node for node (name, op type, inputs).

Prints one table row per optimizer and exits 1 if anything differs. Run it in its own process:
``disable_v2_behavior()`` is process-global.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# tests/ holds optimizer_specs.py, the table of optimizers every test iterates over.
sys.path[:0] = [
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
]

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_v2_behavior()

from optimizer_specs import SPECS  # noqa: E402

from tfv1compat import train as ours  # noqa: E402

TF1 = tf.compat.v1.train
STEPS = 3
_rng = np.random.default_rng(11)
INPUTS = _rng.standard_normal((5, 4)).astype(np.float32)
TARGETS = _rng.standard_normal((5, 2)).astype(np.float32)
W0 = _rng.standard_normal((4, 2)).astype(np.float32)
B0 = _rng.standard_normal((2,)).astype(np.float32)
E0 = _rng.standard_normal((6, 2)).astype(np.float32)
IDS = np.array([0, 4, 0, 2, 4, 4], dtype=np.int32)


def build_twin(scope: str, module, spec):
    """Variables, loss and train op of one twin; returns (optimizer, variables, step, op)."""
    with tf.compat.v1.variable_scope(scope):
        w = tf.compat.v1.get_variable("w", initializer=W0)
        b = tf.compat.v1.get_variable("b", initializer=B0)
        emb = tf.compat.v1.get_variable("emb", initializer=E0)
        step = tf.compat.v1.get_variable(
            "global_step",
            shape=[],
            dtype=tf.int64,
            initializer=tf.compat.v1.zeros_initializer(),
            trainable=False,
        )
        prediction = tf.matmul(INPUTS, w) + b
        loss = tf.reduce_mean(tf.square(prediction - TARGETS)) + 0.5 * tf.reduce_sum(
            tf.square(tf.gather(emb, IDS))
        )
    opt = spec.build(module, "default", global_step=step)
    train_op = opt.minimize(loss, global_step=step)
    return opt, [w, b, emb], step, train_op


def state_tensors(opt, variables, step, scope: str) -> dict:
    """``{key: tensor}`` for variables, slots, non-slot variables and the step; keys are equal
    for the two twins. Also checks that everything is a ref variable named like TF1's."""
    tensors = {"global_step": step}
    slot_refs = set()
    for variable in variables:
        name = variable.op.name[len(scope) + 1 :]
        tensors[name] = variable
        for slot_name in opt.get_slot_names():
            slot = opt.get_slot(variable, slot_name)
            if slot is None:
                raise AssertionError("%s: no %s slot for %s" % (scope, slot_name, variable.name))
            # the slot's own variable name without the twin's scope, e.g. "w/Adam_1"
            tensors["%s [%s] %s" % (name, slot_name, slot.op.name[len(scope) + 1 :])] = slot
            slot_refs.add(id(slot))
    non_slot = [v for v in opt.variables() if id(v) not in slot_refs]
    for i, variable in enumerate(sorted(non_slot, key=lambda v: v.name)):
        tensors["non_slot_%d" % i] = variable
    for key, variable in tensors.items():
        if variable.op.type != "VariableV2":
            raise AssertionError(
                "%s %s is a %s, not a ref variable" % (scope, key, variable.op.type)
            )
    return tensors


def graph_nodes(module, spec) -> list:
    """Every node of a fresh graph holding one twin: (name, op type, inputs)."""
    with tf.Graph().as_default() as graph:
        build_twin("model", module, spec)
        return [(n.name, n.op, list(n.input)) for n in graph.as_graph_def().node]


def check(spec) -> tuple[int, float, bool, list[str]]:
    """Train both twins; returns (tensors compared, max |diff|, same graph, problems)."""
    problems = []
    with tf.Graph().as_default() as graph:
        ours_opt, ours_vars, ours_step, ours_train = build_twin("ours", ours, spec)
        tf1_opt, tf1_vars, tf1_step, tf1_train = build_twin("tf1", TF1, spec)
        if ours_opt.get_slot_names() != tf1_opt.get_slot_names():
            problems.append(
                "slot names %s vs %s" % (ours_opt.get_slot_names(), tf1_opt.get_slot_names())
            )
        ours_tensors = state_tensors(ours_opt, ours_vars, ours_step, "ours")
        tf1_tensors = state_tensors(tf1_opt, tf1_vars, tf1_step, "tf1")
        if sorted(ours_tensors) != sorted(tf1_tensors):
            problems.append("state keys %s vs %s" % (sorted(ours_tensors), sorted(tf1_tensors)))
            return 0, float("nan"), False, problems
        max_diff = 0.0
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for step in range(1, STEPS + 1):
                sess.run(ours_train)
                sess.run(tf1_train)
                got, expected = sess.run((ours_tensors, tf1_tensors))
                for key in sorted(expected):
                    a, e = np.asarray(got[key]), np.asarray(expected[key])
                    if a.dtype != e.dtype or a.shape != e.shape:
                        problems.append(
                            "step %d %s: %s%s vs %s%s"
                            % (step, key, a.dtype, a.shape, e.dtype, e.shape)
                        )
                        continue
                    diff = float(np.max(np.abs(a.astype(np.float64) - e.astype(np.float64))))
                    max_diff = max(max_diff, diff)
                    if not np.array_equal(a, e):
                        problems.append("step %d %s differs by %g" % (step, key, diff))
            if sess.run(ours_step) != STEPS:
                problems.append("global step %d after %d steps" % (sess.run(ours_step), STEPS))
    same_graph = graph_nodes(ours, spec) == graph_nodes(TF1, spec)
    if not same_graph:
        problems.append("minimize built a different graph than TF1")
    return len(ours_tensors), max_diff, same_graph, problems


def main() -> int:
    header = "%-34s %5s %7s %10s %6s  %s" % (
        "optimizer",
        "steps",
        "tensors",
        "max|diff|",
        "graph",
        "status",
    )
    print("TF %s, v2 behaviour disabled (ref variables), Session" % tf.__version__)
    print(header)
    print("-" * len(header))
    failures = []
    for spec in SPECS:
        count, max_diff, same_graph, problems = check(spec)
        status = "ok" if not problems else "MISMATCH"
        print(
            "%-34s %5d %7d %10.3g %6s  %s"
            % (spec.name, STEPS, count, max_diff, "same" if same_graph else "DIFF", status)
        )
        failures.extend("%s: %s" % (spec.name, problem) for problem in problems)
    for failure in failures:
        print(failure)
    print("ALL OK" if not failures else "%d PROBLEMS" % len(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
