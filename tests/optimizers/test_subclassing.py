"""Subclassing through TF1's hooks, as real projects do (``reference/real-clients.md``).

Each fixture below is a subclass modelled on a real client: BERT's ``AdamWeightDecayOptimizer``,
tensor2tensor's ``MultistepAdamOptimizer`` and ``AdafactorOptimizer``, tensorpack's
``ProxyOptimizer``/``AccumGradOptimizer``, tensorflow/privacy's DP optimizers, and optimizers
overriding the sparse-duplicates hook or only the ref-variable hooks. Every class body is
written once, inside a ``define_*(module)`` function, and defined twice: on
``tf.compat.v1.train`` (the oracle) and on ``tfv1compat.train``. The two twins are driven
through the same steps in the same mode and every variable, slot and non-slot variable is
compared exactly, step by step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tensorflow as tf
from optimizer_specs import SPECS

from tfv1compat import schedules
from tfv1compat import train as ours

TF1 = tf.compat.v1.train
MODULES = {"tf1": TF1, "ours": ours}
STEPS = 4

X = np.array([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0], [-2.0, 1.0, 0.5], [1.5, 0.5, -0.5]], np.float32)
Y = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.5], [2.0, 1.0]], np.float32)
W0 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], np.float32)
B0 = np.array([0.05, -0.05], np.float32)
EMB0 = np.arange(10, dtype=np.float32).reshape(5, 2) / 10.0
IDS = np.array([0, 2, 0, 4, 2, 0], np.int32)  # duplicates on purpose
COEF = np.linspace(-1.0, 1.5, 12, dtype=np.float32).reshape(6, 2)


def dense_loss(w, b) -> tf.Tensor:
    return tf.reduce_mean(tf.square(tf.matmul(X, w) + b - Y))


def sparse_loss(emb) -> tf.Tensor:
    return tf.reduce_sum(tf.gather(emb, IDS) * COEF) + 0.0


def decay(module) -> Callable:
    """The library's own ``polynomial_decay`` (tfv1compat ships its own schedules)."""
    return TF1.polynomial_decay if module is TF1 else schedules.polynomial_decay


# --------------------------------------------------------------------------- comparison helpers


def optimizer_state(opt, variables: dict[str, Any]) -> dict[str, Any]:
    """Model variables, every slot and every non-slot variable, under library-neutral keys."""
    state = dict(variables)
    for name, var in variables.items():
        for slot_name in opt.get_slot_names():
            slot = opt.get_slot(var, slot_name)
            if slot is not None:
                state["%s/slot:%s" % (name, slot_name)] = slot
    for (name, _), var in sorted(opt._non_slot_dict.items(), key=lambda kv: kv[0][0]):
        state["non_slot:" + name] = var
    return state


def assert_same_trajectories(tf1: list[dict], subject: list[dict]) -> None:
    assert len(tf1) == len(subject) > 0
    for step, (expected, actual) in enumerate(zip(tf1, subject)):
        assert sorted(actual) == sorted(expected), step
        for key in expected:
            np.testing.assert_array_equal(actual[key], expected[key], err_msg="%d %s" % (step, key))


def run_graph(build: Callable[[Any], Any], module, steps: int = STEPS) -> list[dict]:
    """``build(module)`` returns a train op; every global variable is recorded by name."""
    with tf.Graph().as_default():
        train_op = build(module)
        variables = {v.op.name: v for v in tf.compat.v1.global_variables()}
        trajectory = []
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(steps):
                sess.run(train_op)
                trajectory.append(sess.run(variables))
        return trajectory


def run_eager(build: Callable[[Any], tuple], module, steps: int = STEPS) -> list[dict]:
    """``build(module)`` returns ``(step_fn, state_fn)``; state is read after every step."""
    step_fn, state_fn = build(module)
    trajectory = []
    for _ in range(steps):
        step_fn()
        trajectory.append({k: np.asarray(v) for k, v in state_fn().items()})
    return trajectory


def compare_graph(build: Callable[[Any], Any], steps: int = STEPS) -> list[dict]:
    expected = run_graph(build, TF1, steps)
    actual = run_graph(build, ours, steps)
    assert_same_trajectories(expected, actual)
    return actual


def compare_eager(build: Callable[[Any], tuple], steps: int = STEPS) -> list[dict]:
    expected = run_eager(build, TF1, steps)
    actual = run_eager(build, ours, steps)
    assert_same_trajectories(expected, actual)
    return actual


def _moved(trajectory: list[dict], key: str) -> bool:
    return not np.array_equal(trajectory[0][key], trajectory[-1][key])


# --------------------------------------------------------------------------- (1) BERT


def define_adam_weight_decay(module):
    """google-research/bert ``optimization.AdamWeightDecayOptimizer``, body as in BERT."""

    class AdamWeightDecayOptimizer(module.Optimizer):
        """A basic Adam optimizer that includes "correct" L2 weight decay."""

        def __init__(
            self,
            learning_rate,
            weight_decay_rate=0.0,
            beta_1=0.9,
            beta_2=0.999,
            epsilon=1e-6,
            exclude_from_weight_decay=None,
            name="AdamWeightDecayOptimizer",
        ):
            super().__init__(False, name)
            self.learning_rate = learning_rate
            self.weight_decay_rate = weight_decay_rate
            self.beta_1 = beta_1
            self.beta_2 = beta_2
            self.epsilon = epsilon
            self.exclude_from_weight_decay = exclude_from_weight_decay
            self._moments = {}  # eager: BERT's get_variable cannot re-find them

        def _moment(self, param_name, suffix, param):
            if not tf.executing_eagerly():
                return tf.compat.v1.get_variable(
                    name=param_name + suffix,
                    shape=param.shape.as_list(),
                    dtype=tf.float32,
                    trainable=False,
                    initializer=tf.compat.v1.zeros_initializer(),
                )
            key = param_name + suffix
            if key not in self._moments:
                self._moments[key] = tf.Variable(tf.zeros(param.shape), name=key, trainable=False)
            return self._moments[key]

        def apply_gradients(self, grads_and_vars, global_step=None, name=None):
            assignments = []
            for grad, param in grads_and_vars:
                if grad is None or param is None:
                    continue
                param_name = self._get_variable_name(param.name)
                m = self._moment(param_name, "/adam_m", param)
                v = self._moment(param_name, "/adam_v", param)
                next_m = tf.multiply(self.beta_1, m) + tf.multiply(1.0 - self.beta_1, grad)
                next_v = tf.multiply(self.beta_2, v) + tf.multiply(
                    1.0 - self.beta_2, tf.square(grad)
                )
                update = next_m / (tf.sqrt(next_v) + self.epsilon)
                if self._do_use_weight_decay(param_name):
                    update += self.weight_decay_rate * param
                update_with_lr = self.learning_rate * update
                next_param = param - update_with_lr
                assignments.extend([param.assign(next_param), m.assign(next_m), v.assign(next_v)])
            return tf.group(*assignments, name=name)

        def _do_use_weight_decay(self, param_name):
            if not self.weight_decay_rate:
                return False
            if self.exclude_from_weight_decay:
                for r in self.exclude_from_weight_decay:
                    if re.search(r, param_name) is not None:
                        return False
            return True

        def _get_variable_name(self, param_name):
            m = re.match("^(.*):\\d+$", param_name)
            if m is not None:
                param_name = m.group(1)
            return param_name

    return AdamWeightDecayOptimizer


def _bert_train_op(module):
    """BERT's ``create_optimizer``: decay, clip by global norm, apply, then step += 1."""
    w = tf.compat.v1.get_variable("kernel", initializer=W0)
    b = tf.compat.v1.get_variable("bias", initializer=B0)
    global_step = tf.compat.v1.train.get_or_create_global_step()
    learning_rate = decay(module)(0.05, global_step, 10, end_learning_rate=0.0, power=1.0)
    optimizer = define_adam_weight_decay(module)(
        learning_rate=learning_rate,
        weight_decay_rate=0.01,
        exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"],
    )
    assert optimizer.get_name() == "AdamWeightDecayOptimizer"
    tvars = tf.compat.v1.trainable_variables()
    # tensorflow/models' BERT variant goes through the base class's compute_gradients.
    grads = [g for g, _ in optimizer.compute_gradients(dense_loss(w, b), tvars)]
    grads, _ = tf.clip_by_global_norm(grads, clip_norm=1.0)
    train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)
    # BERT builds the increment without this dependency, so the learning rate's read of the
    # step races the increment; ordering it keeps both twins deterministic.
    with tf.control_dependencies([train_op]):
        new_global_step = global_step + 1
    return tf.group(train_op, [global_step.assign(new_global_step)])


def test_bert_adam_weight_decay_graph():
    """BERT's optimizer (``super().__init__(False, name)``, own ``apply_gradients``) in a graph."""
    trajectory = compare_graph(_bert_train_op)
    assert {"kernel/adam_m", "kernel/adam_v", "bias/adam_m", "global_step"} <= set(trajectory[0])
    assert trajectory[-1]["global_step"] == STEPS
    assert _moved(trajectory, "kernel")


def test_bert_adam_weight_decay_eager():
    """The same class in eager mode, gradients from the base class's tape path."""

    def build(module):
        w = tf.Variable(W0, name="kernel")
        b = tf.Variable(B0, name="bias")
        step = tf.Variable(0, dtype=tf.int64, trainable=False)
        lr = decay(module)(0.05, step, 10, end_learning_rate=0.0, power=1.0)
        opt = define_adam_weight_decay(module)(learning_rate=lr(), weight_decay_rate=0.01)

        def step_fn():
            grads_and_vars = opt.compute_gradients(lambda: dense_loss(w, b), [w, b])
            assert opt.apply_gradients(grads_and_vars, global_step=step) is None
            step.assign_add(1)

        return step_fn, lambda: dict({"w": w, "b": b, "step": step}, **opt._moments)

    trajectory = compare_eager(build)
    assert _moved(trajectory, "w")


# --------------------------------------------------------------------------- (2) tensor2tensor


def define_multistep_adam(module):
    """tensor2tensor ``utils/multistep_optimizer.MultistepAdamOptimizer``, body as in t2t."""

    class MultistepAdamOptimizer(module.AdamOptimizer):
        """Adam with SGD updates every n steps with accumulated gradients."""

        def __init__(
            self,
            learning_rate=0.001,
            beta1=0.9,
            beta2=0.999,
            epsilon=1e-8,
            use_locking=False,
            name="Adam",
            n=1,
        ):
            super().__init__(
                learning_rate=learning_rate,
                beta1=beta1,
                beta2=beta2,
                epsilon=epsilon,
                use_locking=use_locking,
                name=name,
            )
            self._n = n  # Call Adam optimizer every n batches with accumulated grads
            self._n_t = None  # n as tensor

        def _create_slots(self, var_list):
            super()._create_slots(var_list)
            first_var = min(var_list, key=lambda x: x.name)
            self._create_non_slot_variable(
                initial_value=0 if self._n == 1 else 1, name="iter", colocate_with=first_var
            )
            for v in var_list:
                self._zeros_slot(v, "grad_acc", self._name)

        def _get_iter_variable(self):
            graph = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
            return self._get_non_slot_variable("iter", graph=graph)

        def _prepare(self):
            super()._prepare()
            self._n_t = tf.convert_to_tensor(self._n, name="n")

        def _apply_cond(self, apply_fn, grad, var, *args, **kwargs):
            grad_acc = self.get_slot(var, "grad_acc")

            def apply_adam(grad_acc, apply_fn, grad, var, *args, **kwargs):
                total_grad = (grad_acc + grad) / tf.cast(self._n_t, grad.dtype)
                adam_op = apply_fn(total_grad, var, *args, **kwargs)
                with tf.control_dependencies([adam_op]):
                    grad_acc_to_zero_op = grad_acc.assign(
                        tf.zeros_like(grad_acc), use_locking=self._use_locking
                    )
                return tf.group(adam_op, grad_acc_to_zero_op)

            def accumulate_gradient(grad_acc, grad):
                assign_op = grad_acc.assign_add(grad, use_locking=self._use_locking)
                return tf.group(assign_op)  # Strip return value

            return tf.cond(
                tf.equal(self._get_iter_variable(), 0),
                lambda: apply_adam(grad_acc, apply_fn, grad, var, *args, **kwargs),
                lambda: accumulate_gradient(grad_acc, grad),
            )

        def _apply_dense(self, grad, var):
            return self._apply_cond(super()._apply_dense, grad, var)

        def _resource_apply_dense(self, grad, var):
            return self._apply_cond(super()._resource_apply_dense, grad, var)

        def _resource_apply_sparse_duplicate_indices(self, grad, var, indices):
            # Conversion to a dense Tensor sums duplicate indices.
            dense_grad = tf.convert_to_tensor(
                tf.IndexedSlices(values=grad, indices=indices, dense_shape=tf.shape(var))
            )
            return self._apply_cond(super()._resource_apply_dense, dense_grad, var)

        def _finish(self, update_ops, name_scope):
            """Updates beta_power variables every n batches and incrs counter."""
            iter_ = self._get_iter_variable()
            beta1_power, beta2_power = self._get_beta_accumulators()
            with tf.control_dependencies(update_ops):
                with tf.compat.v1.colocate_with(iter_):

                    def update_beta_op():
                        update_beta1 = beta1_power.assign(
                            beta1_power * self._beta1_t, use_locking=self._use_locking
                        )
                        update_beta2 = beta2_power.assign(
                            beta2_power * self._beta2_t, use_locking=self._use_locking
                        )
                        return tf.group(update_beta1, update_beta2)

                    maybe_update_beta = tf.cond(tf.equal(iter_, 0), update_beta_op, tf.no_op)
                    with tf.control_dependencies([maybe_update_beta]):
                        update_iter = iter_.assign(
                            tf.math.floormod(iter_ + 1, self._n_t), use_locking=self._use_locking
                        )
            return tf.group(*update_ops + [update_iter, maybe_update_beta], name=name_scope)

    return MultistepAdamOptimizer


def _multistep_graph(module):
    w = tf.compat.v1.get_variable("w", initializer=W0)
    b = tf.compat.v1.get_variable("b", initializer=B0)
    emb = tf.compat.v1.get_variable("emb", initializer=EMB0)
    opt = define_multistep_adam(module)(learning_rate=0.1, n=2)
    loss = dense_loss(w, b) + sparse_loss(emb)
    step = tf.compat.v1.train.get_or_create_global_step()
    train_op = opt.minimize(loss, global_step=step)
    assert opt._lr_t is not None and opt._beta1_t is not None and opt._name == "Adam"
    assert opt.get_slot_names() == ["grad_acc", "m", "v"]
    return train_op


def test_multistep_adam_graph():
    """t2t's MultistepAdam (slot + non-slot ``iter``, tf.cond around super's kernel) in a graph.

    The dense variables go through ``_resource_apply_dense``; the embedding's IndexedSlices go
    through the overridden ``_resource_apply_sparse_duplicate_indices``.
    """
    trajectory = compare_graph(_multistep_graph)
    # Names match TF1's too (compare_graph compares the keys): slots, beta powers and iter.
    assert {"w/Adam", "w/Adam_1", "w/Adam_2", "beta1_power", "iter"} <= set(trajectory[0])
    # n=2: the variables move only on every second step, and iter cycles 1, 0, 1, 0.
    assert [int(s["iter"]) for s in trajectory] == [0, 1, 0, 1]
    np.testing.assert_array_equal(trajectory[0]["w"], W0)
    assert not np.array_equal(trajectory[1]["w"], W0)
    np.testing.assert_array_equal(trajectory[2]["w"], trajectory[1]["w"])


def test_multistep_adam_eager():
    """The same MultistepAdam in eager mode: tape gradients, tf.cond run eagerly."""

    def build(module):
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        emb = tf.Variable(EMB0, name="emb")
        opt = define_multistep_adam(module)(learning_rate=0.1, n=2)
        variables = {"w": w, "b": b, "emb": emb}

        def step_fn():
            opt.minimize(lambda: dense_loss(w, b) + sparse_loss(emb), var_list=[w, b, emb])

        return step_fn, lambda: optimizer_state(opt, variables)

    trajectory = compare_eager(build)
    assert [int(s["non_slot:iter"]) for s in trajectory] == [0, 1, 0, 1]
    assert _moved(trajectory, "emb/slot:m")


# --------------------------------------------------------------------------- (3) Adafactor


def define_adafactor(module):
    """A tensor2tensor ``AdafactorOptimizer``-like subclass of the base class."""

    class AdafactorOptimizer(module.Optimizer):
        def __init__(self, learning_rate=0.1, decay_rate=0.8, epsilon1=1e-30, name="Adafactor"):
            super().__init__(False, name)
            self._learning_rate = learning_rate
            self._decay_rate = decay_rate
            self._epsilon1 = epsilon1

        def _factored(self, shape):
            return len(shape) >= 2

        def _create_slots(self, var_list):
            for var in var_list:
                shape = var.get_shape().as_list()
                with tf.compat.v1.colocate_with(var):
                    if self._factored(shape):
                        r_val = tf.zeros(shape[:-1], dtype=tf.float32)
                        c_val = tf.zeros(shape[:-2] + shape[-1:], dtype=tf.float32)
                        self._get_or_make_slot(var, r_val, "vr", self._name)
                        self._get_or_make_slot(var, c_val, "vc", self._name)
                    else:
                        self._zeros_slot(var, "v", self._name)

        def _prepare(self):
            self._lr_t = tf.convert_to_tensor(self._call_if_callable(self._learning_rate))
            self._decay_t = tf.convert_to_tensor(self._call_if_callable(self._decay_rate))

        def _resource_apply_sparse(self, grad, handle, indices):
            return self._resource_apply_dense(
                tf.convert_to_tensor(tf.IndexedSlices(grad, indices, tf.shape(handle))), handle
            )

        def _resource_apply_dense(self, grad, handle):
            var = handle
            grad_squared = tf.square(grad) + self._epsilon1
            decay_rate = self._decay_t
            mixing_rate = 1.0 - decay_rate
            updates = []
            if self._factored(var.get_shape().as_list()):
                vr = self.get_slot(var, "vr")
                vc = self.get_slot(var, "vc")
                new_vr = decay_rate * vr + mixing_rate * tf.reduce_mean(grad_squared, -1)
                new_vc = decay_rate * vc + mixing_rate * tf.reduce_mean(grad_squared, -2)
                updates += [vr.assign(new_vr), vc.assign(new_vc)]
                long_term_mean = tf.reduce_mean(new_vr, -1, keepdims=True)
                r_factor = tf.math.rsqrt(new_vr / long_term_mean)
                c_factor = tf.math.rsqrt(new_vc)
                x = grad * tf.expand_dims(r_factor, -1) * tf.expand_dims(c_factor, -2)
            else:
                v = self.get_slot(var, "v")
                new_v = decay_rate * v + mixing_rate * grad_squared
                updates.append(v.assign(new_v))
                x = grad * tf.math.rsqrt(new_v)
            subtrahend = self._lr_t * x
            # t2t updates through the raw handle, as TF1 hooks receive the variable object.
            var_update = tf.raw_ops.AssignSubVariableOp(resource=handle.handle, value=subtrahend)
            return tf.group(*updates + [var_update])

    return AdafactorOptimizer


def test_adafactor_graph_and_slot_shapes():
    """Slots whose shapes differ from the variable's, ``handle.handle`` updates, sparse → dense."""

    def build(module):
        w = tf.compat.v1.get_variable("w", initializer=W0)
        b = tf.compat.v1.get_variable("b", initializer=B0)
        emb = tf.compat.v1.get_variable("emb", initializer=EMB0)
        opt = define_adafactor(module)(learning_rate=lambda: 0.1)
        train_op = opt.minimize(dense_loss(w, b) + sparse_loss(emb))
        assert opt.get_slot(w, "vr").shape == (3,)
        assert opt.get_slot(w, "vc").shape == (2,)
        assert opt.get_slot(emb, "vr").shape == (5,)
        assert opt.get_slot(b, "v").shape == (2,)
        assert opt.get_slot(b, "vr") is None
        assert opt.get_slot_names() == ["v", "vc", "vr"]
        return train_op

    trajectory = compare_graph(build)
    assert {"w/Adafactor", "w/Adafactor_1", "b/Adafactor"} <= set(trajectory[0])
    assert _moved(trajectory, "emb")


def test_adafactor_eager():
    """The Adafactor-like subclass in eager mode, with a callable learning rate."""

    def build(module):
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        emb = tf.Variable(EMB0, name="emb")
        opt = define_adafactor(module)(learning_rate=lambda: 0.1)
        variables = {"w": w, "b": b, "emb": emb}

        def step_fn():
            opt.minimize(lambda: dense_loss(w, b) + sparse_loss(emb), var_list=[w, b, emb])

        return step_fn, lambda: optimizer_state(opt, variables)

    trajectory = compare_eager(build)
    assert trajectory[0]["w/slot:vr"].shape == (3,)
    assert _moved(trajectory, "w")


def test_adafactor_in_tf_function():
    """The Adafactor-like subclass inside one ``tf.function`` (tensor loss, ``tf.gradients``)."""

    def build(module):
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        emb = tf.Variable(EMB0, name="emb")
        opt = define_adafactor(module)(learning_rate=0.1)

        @tf.function
        def step_fn():
            opt.minimize(dense_loss(w, b) + sparse_loss(emb), var_list=[w, b, emb])

        return step_fn, lambda: optimizer_state(opt, {"w": w, "b": b, "emb": emb})

    trajectory = compare_eager(build)
    assert _moved(trajectory, "emb/slot:vc")


# --------------------------------------------------------------------------- (4) tensorpack


def define_proxy_optimizers(module):
    """tensorpack ``tfutils/optimizer.ProxyOptimizer`` and ``AccumGradOptimizer``."""

    class ProxyOptimizer(module.Optimizer):
        """A transparent proxy which delegates all methods of :class:`tf.train.Optimizer`."""

        def __init__(self, opt, name="ProxyOptimizer"):
            assert isinstance(opt, module.Optimizer), opt
            super().__init__(False, name)
            self._opt = opt

        def compute_gradients(self, *args, **kwargs):
            return self._opt.compute_gradients(*args, **kwargs)

        def get_slot(self, *args, **kwargs):
            return self._opt.get_slot(*args, **kwargs)

        def get_slot_names(self, *args, **kwargs):
            return self._opt.get_slot_names(*args, **kwargs)

        def apply_gradients(self, *args, **kwargs):
            return self._opt.apply_gradients(*args, **kwargs)

    class AccumGradOptimizer(ProxyOptimizer):
        """Accumulate gradients over ``niter`` steps, then apply them (graph mode only)."""

        def __init__(self, opt, niter):
            super().__init__(opt, "AccumGrad")
            self._niter = int(niter)

        def _create_accum_slots(self, var_list):
            return [self._zeros_slot(v, "accum", self._name) for v in var_list]

        def apply_gradients(self, grads_and_vars, global_step=None, name=None):
            grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
            vs = [v for _, v in grads_and_vars]
            with tf.control_dependencies(None):
                slots = self._create_accum_slots(vs)
                slots_and_vars = [(s, gv[1]) for s, gv in zip(slots, grads_and_vars)]
                with tf.compat.v1.variable_scope(self._name), tf.device("/cpu:0"):
                    counter = tf.Variable(0, name="counter", trainable=False, dtype=tf.int32)
            with tf.name_scope("AccumGradOptimizer"):
                ops = [s.assign_add(g) for s, (g, _) in zip(slots, grads_and_vars)]
                update_counter = counter.assign_add(1, name="update_counter")
                update_slot_op = tf.group(update_counter, *ops, name="update_slot")

                def update_grad():
                    update_op = self._opt.apply_gradients(slots_and_vars)
                    with tf.control_dependencies([update_op]):
                        clear_ops = [s.assign(tf.zeros_like(s)) for s in slots]
                    return tf.group(*clear_ops, name="update_grad")

                with tf.control_dependencies([update_slot_op]):
                    # tensorpack builds ``pred`` before this block, so its read of ``counter``
                    # races the increment; reading it after the increment keeps both twins
                    # deterministic.
                    pred = tf.equal(tf.math.floormod(counter.read_value(), self._niter), 0)
                    op = tf.cond(pred, update_grad, tf.no_op)
                if global_step is not None:
                    op = tf.group(op, global_step.assign_add(1), name=name or "AccumGrad")
            return op

    return ProxyOptimizer, AccumGradOptimizer


def test_proxy_optimizer_forwards_everything():
    """A tensorpack ProxyOptimizer around a Momentum optimizer: isinstance, slots, values."""
    proxy_cls, _ = define_proxy_optimizers(ours)
    inner = ours.MomentumOptimizer(0.1, 0.9)
    assert isinstance(inner, ours.Optimizer)
    assert isinstance(proxy_cls(inner), ours.Optimizer)
    with pytest.raises(AssertionError):
        proxy_cls(object())

    def build(module):
        proxy_cls, _ = define_proxy_optimizers(module)
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        opt = proxy_cls(module.MomentumOptimizer(0.1, 0.9, use_nesterov=True))
        step = tf.Variable(0, dtype=tf.int64, trainable=False)

        def step_fn():
            grads_and_vars = opt.compute_gradients(lambda: dense_loss(w, b), [w, b])
            opt.apply_gradients(grads_and_vars, global_step=step)
            assert opt.get_slot_names() == ["momentum"]

        return step_fn, lambda: dict(optimizer_state(opt, {"w": w, "b": b}), step=step)

    trajectory = compare_eager(build)
    assert int(trajectory[-1]["step"]) == STEPS
    assert _moved(trajectory, "w/slot:momentum")


def test_accum_grad_optimizer_graph():
    """tensorpack's AccumGradOptimizer: its own ``_zeros_slot`` slots, the inner apply in a cond."""

    def build(module):
        _, accum_cls = define_proxy_optimizers(module)
        w = tf.compat.v1.get_variable("w", initializer=W0)
        b = tf.compat.v1.get_variable("b", initializer=B0)
        step = tf.compat.v1.train.get_or_create_global_step()
        opt = accum_cls(module.AdamOptimizer(0.1), niter=2)
        grads_and_vars = opt.compute_gradients(dense_loss(w, b), [w, b])
        return opt.apply_gradients(grads_and_vars, global_step=step)

    trajectory = compare_graph(build)
    assert {"w/AccumGrad", "w/Adam", "w/Adam_1", "AccumGrad/counter"} <= set(trajectory[0])
    np.testing.assert_array_equal(trajectory[0]["w"], W0)
    assert not np.array_equal(trajectory[1]["w"], W0)


# --------------------------------------------------------------------------- (5) privacy


def define_dp_optimizer(cls):
    """tensorflow/privacy ``make_optimizer_class``: positional call of the parent's method.

    Gradients are clipped per microbatch and averaged; the Gaussian noise is left out so that
    the two twins are deterministic (it never touches the optimizer API).
    """
    GATE_OP = cls.GATE_OP  # read from the class, as privacy does

    class DPOptimizerClass(cls):
        def __init__(self, l2_norm_clip, num_microbatches, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._l2_norm_clip = l2_norm_clip
            self._num_microbatches = num_microbatches

        def compute_gradients(
            self,
            loss,
            var_list,
            gate_gradients=GATE_OP,
            aggregation_method=None,
            colocate_gradients_with_ops=False,
            grad_loss=None,
            gradient_tape=None,
        ):
            if callable(loss):
                if not gradient_tape:
                    raise ValueError("When in Eager mode, a tape needs to be passed.")
                vector_loss = loss()
                microbatches_losses = tf.reshape(vector_loss, [self._num_microbatches, -1])
                sums = None
                for i in range(self._num_microbatches):
                    microbatch_loss = tf.reduce_mean(tf.gather(microbatches_losses, [i]))
                    with gradient_tape.stop_recording():
                        grads = gradient_tape.gradient(microbatch_loss, var_list)
                    sums = self._accumulate(sums, grads)
            else:
                microbatches_losses = tf.reshape(loss, [self._num_microbatches, -1])
                sums = None
                for i in range(self._num_microbatches):
                    mean_loss = tf.reduce_mean(tf.gather(microbatches_losses, [i]))
                    grads, _ = zip(
                        *super().compute_gradients(
                            mean_loss,
                            var_list,
                            gate_gradients,
                            aggregation_method,
                            colocate_gradients_with_ops,
                            grad_loss,
                        )
                    )
                    sums = self._accumulate(sums, list(grads))
            final_grads = [s / float(self._num_microbatches) for s in sums]
            return list(zip(final_grads, var_list))

        def _accumulate(self, sums, grads):
            clipped, _ = tf.clip_by_global_norm(grads, self._l2_norm_clip)
            return clipped if sums is None else [s + c for s, c in zip(sums, clipped)]

    return DPOptimizerClass


def per_example_loss(w, b) -> tf.Tensor:
    return tf.reduce_sum(tf.square(tf.matmul(X, w) + b - Y), axis=1)


@pytest.mark.parametrize("parent", ["GradientDescentOptimizer", "AdamOptimizer"])
def test_dp_optimizer_graph(parent: str):
    """privacy's DP subclass calls ``compute_gradients`` with six positional arguments."""

    def build(module):
        w = tf.compat.v1.get_variable("w", initializer=W0)
        b = tf.compat.v1.get_variable("b", initializer=B0)
        opt = define_dp_optimizer(getattr(module, parent))(0.5, 2, learning_rate=0.1)
        step = tf.compat.v1.train.get_or_create_global_step()
        return opt.minimize(per_example_loss(w, b), global_step=step, var_list=[w, b])

    trajectory = compare_graph(build)
    assert _moved(trajectory, "w")


@pytest.mark.parametrize("parent", ["GradientDescentOptimizer", "AdamOptimizer"])
def test_dp_optimizer_eager_with_user_tape(parent: str):
    """The eager path: a persistent user tape passed as ``gradient_tape``, then the base apply."""

    def build(module):
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        opt = define_dp_optimizer(getattr(module, parent))(0.5, 2, learning_rate=0.1)

        def step_fn():
            with tf.GradientTape(persistent=True) as tape:
                grads_and_vars = opt.compute_gradients(
                    lambda: per_example_loss(w, b), [w, b], gradient_tape=tape
                )
            opt.apply_gradients(grads_and_vars)

        return step_fn, lambda: optimizer_state(opt, {"w": w, "b": b})

    trajectory = compare_eager(build)
    assert _moved(trajectory, "b")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_compute_gradients_is_inherited_like_tf1(spec):
    """privacy compares ``cls.compute_gradients.__code__`` with the base class's: as in TF1,
    no built-in optimizer overrides ``compute_gradients``, and ``GATE_OP`` is 1 on the class."""
    tf1_overrides = (
        spec.oracle.compute_gradients.__code__ is not TF1.Optimizer.compute_gradients.__code__
    )
    ours_overrides = (
        spec.ours.compute_gradients.__code__ is not ours.Optimizer.compute_gradients.__code__
    )
    assert ours_overrides == tf1_overrides
    assert spec.ours.GATE_OP == spec.oracle.GATE_OP == 1


# --------------------------------------------------------------------------- (6) hooks


def define_densifying_momentum(module, seen: list):
    """Overrides ``_resource_apply_sparse_duplicate_indices``; records the indices it gets."""

    class DensifyingMomentum(module.MomentumOptimizer):
        def _resource_apply_sparse_duplicate_indices(self, grad, handle, indices):
            seen.append(tuple(indices.shape))
            dense = tf.convert_to_tensor(tf.IndexedSlices(grad, indices, tf.shape(handle)))
            return self._resource_apply_dense(dense * 0.5, handle)

    return DensifyingMomentum


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_sparse_duplicate_indices_hook(mode: str):
    """The hook receives the raw (duplicated) indices, in TF1 and in ours."""
    seen = {"tf1": [], "ours": []}

    def opt_for(module):
        key = "tf1" if module is TF1 else "ours"
        return define_densifying_momentum(module, seen[key])(0.1, 0.9)

    if mode == "graph":

        def build_graph(module):
            emb = tf.compat.v1.get_variable("emb", initializer=EMB0)
            return opt_for(module).minimize(sparse_loss(emb))

        compare_graph(build_graph)
    else:

        def build_eager(module):
            emb = tf.Variable(EMB0, name="emb")
            opt = opt_for(module)

            def step_fn():
                opt.minimize(lambda: sparse_loss(emb), var_list=[emb])

            return step_fn, lambda: optimizer_state(opt, {"emb": emb})

        compare_eager(build_eager)
    assert seen["ours"] == seen["tf1"]
    assert seen["ours"][0] == (len(IDS),)


def define_ref_sgd_momentum(module, seen: list):
    """A base-class subclass overriding only TF1's ref-variable hooks."""

    class RefMomentum(module.Optimizer):
        def __init__(self, learning_rate, momentum, name="RefMomentum"):
            super().__init__(False, name)
            self._learning_rate = learning_rate
            self._momentum = momentum

        def _create_slots(self, var_list):
            for v in var_list:
                self._zeros_slot(v, "acc", self._name)

        def _prepare(self):
            self._lr_t = tf.convert_to_tensor(self._learning_rate, name="learning_rate")
            self._momentum_t = tf.convert_to_tensor(self._momentum, name="momentum")

        def _apply_dense(self, grad, var):
            acc = self.get_slot(var, "acc")
            acc_t = tf.compat.v1.assign(acc, acc * self._momentum_t + grad)
            return tf.group(tf.compat.v1.assign_sub(var, self._lr_t * acc_t))

        def _apply_sparse(self, grad, var):
            seen.append(tuple(grad.indices.shape))
            acc = self.get_slot(var, "acc")
            acc_t = tf.compat.v1.scatter_add(acc, grad.indices, grad.values)
            var_t = tf.compat.v1.scatter_sub(
                var, grad.indices, self._lr_t * tf.gather(acc_t, grad.indices)
            )
            return tf.group(acc_t, var_t)

    return RefMomentum


def test_ref_variable_hooks_graph():
    """``_apply_dense``/``_apply_sparse`` on ref variables (``use_resource=False``) in a graph.

    ``_apply_sparse`` receives de-duplicated indices (3 unique of 6), in TF1 and in ours, and
    the slot of a ref variable is a ref variable.
    """
    seen = {"tf1": [], "ours": []}

    def build(module):
        w = tf.compat.v1.get_variable("w", initializer=W0, use_resource=False)
        b = tf.compat.v1.get_variable("b", initializer=B0, use_resource=False)
        emb = tf.compat.v1.get_variable("emb", initializer=EMB0, use_resource=False)
        assert not hasattr(w, "handle")  # a ref variable
        opt = define_ref_sgd_momentum(module, seen["tf1" if module is TF1 else "ours"])(0.1, 0.9)
        train_op = opt.minimize(dense_loss(w, b) + sparse_loss(emb))
        assert not hasattr(opt.get_slot(w, "acc"), "handle")
        return train_op

    trajectory = compare_graph(build)
    assert {"w/RefMomentum", "emb/RefMomentum"} <= set(trajectory[0])
    assert seen["ours"] == seen["tf1"] != []
    assert _moved(trajectory, "emb")


def define_tracing_adam(module, log: list):
    """Adam that logs every hook TF1 calls, to compare the call order."""

    class TracingAdam(module.AdamOptimizer):
        def _create_slots(self, var_list):
            log.append(("_create_slots", tuple(v.name for v in var_list)))
            return super()._create_slots(var_list)

        def _prepare(self):
            log.append(("_prepare",))
            return super()._prepare()

        def _resource_apply_dense(self, grad, handle):
            log.append(("_resource_apply_dense", handle.name))
            return super()._resource_apply_dense(grad, handle)

        def _resource_apply_sparse_duplicate_indices(self, grad, handle, indices):
            log.append(("_resource_apply_sparse_duplicate_indices", handle.name))
            return super()._resource_apply_sparse_duplicate_indices(grad, handle, indices)

        def _resource_apply_sparse(self, grad, handle, indices):
            log.append(("_resource_apply_sparse", handle.name))
            return super()._resource_apply_sparse(grad, handle, indices)

        def _finish(self, update_ops, name_scope):
            log.append(("_finish", len(update_ops), name_scope))
            return super()._finish(update_ops, name_scope)

    return TracingAdam


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_hook_call_order_matches_tf1(mode: str):
    """The hooks are called in TF1's order with TF1's arguments (a None gradient skipped)."""
    logs = {"tf1": [], "ours": []}

    def apply(module):
        opt = define_tracing_adam(module, logs["tf1" if module is TF1 else "ours"])(0.1)
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        emb = tf.Variable(EMB0, name="emb")
        unused = tf.Variable(B0, name="unused")
        step = tf.Variable(0, dtype=tf.int64, name="step", trainable=False)
        if mode == "graph":
            loss = dense_loss(w, b) + sparse_loss(emb)
            return opt.minimize(loss, global_step=step, var_list=[w, unused, b, emb])
        loss = lambda: dense_loss(w, b) + sparse_loss(emb)  # noqa: E731
        return opt.minimize(loss, global_step=step, var_list=[w, unused, b, emb])

    for module in (TF1, ours):
        if mode == "graph":
            with tf.Graph().as_default():
                apply(module)
        else:
            apply(module)
    assert logs["ours"] == logs["tf1"]
    assert [entry[0] for entry in logs["ours"]] == [
        "_create_slots",
        "_prepare",
        "_resource_apply_dense",
        "_resource_apply_dense",
        "_resource_apply_sparse_duplicate_indices",
        "_resource_apply_sparse",
        "_finish",
    ]
