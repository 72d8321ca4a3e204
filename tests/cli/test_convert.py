"""``convert-checkpoint``: TF1/tfv1compat optimizer state -> a Keras 3 optimizer checkpoint.

For each of the six convertible optimizers, a checkpoint written by tfv1compat (object-based,
a Keras 3 model: the migration guide's step 2) and one written by TF1's own optimizer and
``Saver`` (name-based, a legacy graph) are converted, restored into a fresh Keras model and
``keras.optimizers.X`` through ``tf.train.Checkpoint(model=..., optimizer=...)``, and checked:

1. right after restore, the Keras state equals the mapped TF1 state (variables, every slot,
   ``iterations``);
2. the next Keras step moves the variables as Keras's own update rule says (a float64 NumPy
   model of Keras's formula, fed the restored state);
3. that Keras step also equals the step TF1 would have taken next, to float32 rounding: the
   update rules agree for these configurations (see the guide's "what equivalent means").
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfv1compat import train
from tfv1compat.cli import convert
from tfv1compat.cli.main import run_command

X = np.random.default_rng(5).standard_normal((6, 3)).astype(np.float32)
Y = np.random.default_rng(6).standard_normal((6, 1)).astype(np.float32)
STEPS = 3


def build_model(seed: int = 1) -> keras.Model:
    """The model of every test: named layers, so name-based checkpoints can match them."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, name="hidden"), keras.layers.Dense(1, name="out")]
    )


def loss_of(model: keras.Model) -> tf.Tensor:
    return tf.reduce_mean(tf.square(model(X) - Y))


# ---------------------------------------------------------------------------- NumPy models of
# Keras 3's update rules (keras/src/optimizers/*.py), float64, one step from the given state.


def keras_adam(c, var, g, s, it):
    t = it + 1
    alpha = c["learning_rate"] * np.sqrt(1 - c["beta_2"] ** t) / (1 - c["beta_1"] ** t)
    m = s["momentum"] + (g - s["momentum"]) * (1 - c["beta_1"])
    v = s["velocity"] + (g * g - s["velocity"]) * (1 - c["beta_2"])
    return var - m * alpha / (np.sqrt(v) + c["epsilon"])


def keras_rmsprop(c, var, g, s, it):
    vel = c["rho"] * s["velocity"] + (1 - c["rho"]) * g * g
    if c.get("centered"):
        avg = c["rho"] * s["average_gradient"] + (1 - c["rho"]) * g
        den = vel - avg * avg + c["epsilon"]
    else:
        den = vel + c["epsilon"]
    increment = c["learning_rate"] * g / np.sqrt(den)
    if c.get("momentum", 0) > 0:
        return var - (c["momentum"] * s["momentum"] + increment)
    return var - increment


def keras_sgd(c, var, g, s, it):
    m = s["momentum"] * c["momentum"] - g * c["learning_rate"]
    if c.get("nesterov"):
        return var + m * c["momentum"] - g * c["learning_rate"]
    return var + m


def keras_adagrad(c, var, g, s, it):
    acc = s["accumulator"] + g * g
    return var - c["learning_rate"] * g / np.sqrt(acc + c["epsilon"])


def keras_ftrl(c, var, g, s, it):
    lr, power = c["learning_rate"], c.get("learning_rate_power", -0.5)
    l1, l2 = c["l1_regularization_strength"], c["l2_regularization_strength"]
    new_acc = s["accumulator"] + g * g
    linear = s["linear"] + g - (new_acc ** (-power) - s["accumulator"] ** (-power)) / lr * var
    quadratic = new_acc ** (-power) / lr + 2 * l2
    return (np.clip(linear, -l1, l1) - linear) / quadratic


def keras_adadelta(c, var, g, s, it):
    rho, eps = c["rho"], c["epsilon"]
    grad_avg = rho * s["accumulated_grad"] + (1 - rho) * g * g
    delta = -np.sqrt(s["accumulated_delta_var"] + eps) * g / np.sqrt(grad_avg + eps)
    return var + c["learning_rate"] * delta


@dataclasses.dataclass(frozen=True)
class Case:
    """A TF1 optimizer configuration and the Keras 3 optimizer it converts to."""

    id: str
    tf1: str  # class name in tfv1compat.train / tf.compat.v1.train
    tf1_kwargs: dict
    keras: str  # name for convert_checkpoint and keras.optimizers
    config: dict  # Keras constructor arguments: TF1's hyperparameters in Keras's words
    keras_rule: Callable
    # TF1 slot -> (Keras variable suffix, transform of the TF1 value)
    mapping: dict

    def keras_optimizer(self) -> keras.optimizers.Optimizer:
        classes = {name.lower(): name for name in convert.CONVERSIONS}
        return getattr(keras.optimizers, classes[self.keras])(**self.config)


LR = 0.01


def _same(value: np.ndarray) -> np.ndarray:
    return value


def _times_minus_lr(value: np.ndarray) -> np.ndarray:
    # float32(-lr) * accum, rounded once to float32: what the converter stores.
    return (value.astype(np.float64) * -float(np.float32(LR))).astype(np.float32)


CASES = [
    Case(
        "adam",
        "AdamOptimizer",
        dict(learning_rate=LR, beta1=0.8, beta2=0.95, epsilon=1e-7),
        "adam",
        dict(learning_rate=LR, beta_1=0.8, beta_2=0.95, epsilon=1e-7),
        keras_adam,
        {"m": ("momentum", _same), "v": ("velocity", _same)},
    ),
    Case(
        "rmsprop-centered",
        "RMSPropOptimizer",
        dict(learning_rate=LR, decay=0.9, momentum=0.5, epsilon=1e-7, centered=True),
        "rmsprop",
        dict(learning_rate=LR, rho=0.9, momentum=0.5, epsilon=1e-7, centered=True),
        keras_rmsprop,
        {
            "rms": ("velocity", _same),
            "mg": ("average_gradient", _same),
            "momentum": ("momentum", _same),
        },
    ),
    Case(
        "rmsprop-no-momentum",
        "RMSPropOptimizer",
        dict(learning_rate=LR, decay=0.9, momentum=0.0, epsilon=1e-7),
        "rmsprop",
        dict(learning_rate=LR, rho=0.9, momentum=0.0, epsilon=1e-7),
        keras_rmsprop,
        {"rms": ("velocity", _same)},  # TF1's "momentum" slot only holds the last update
    ),
    Case(
        "momentum-nesterov",
        "MomentumOptimizer",
        dict(learning_rate=LR, momentum=0.9, use_nesterov=True),
        "sgd",
        dict(learning_rate=LR, momentum=0.9, nesterov=True),
        keras_sgd,
        {"momentum": ("momentum", _times_minus_lr)},
    ),
    Case(
        "adagrad",
        "AdagradOptimizer",
        dict(learning_rate=LR, initial_accumulator_value=0.2),
        "adagrad",
        dict(learning_rate=LR, initial_accumulator_value=0.2, epsilon=0.0),
        keras_adagrad,
        {"accumulator": ("accumulator", _same)},
    ),
    Case(
        "ftrl",
        "FtrlOptimizer",
        dict(learning_rate=LR, l1_regularization_strength=0.001, l2_regularization_strength=0.01),
        "ftrl",
        dict(learning_rate=LR, l1_regularization_strength=0.001, l2_regularization_strength=0.01),
        keras_ftrl,
        {"accum": ("accumulator", _same), "linear": ("linear", _same)},
    ),
    Case(
        "adadelta",
        "AdadeltaOptimizer",
        dict(learning_rate=1.0, rho=0.95, epsilon=1e-6),
        "adadelta",
        dict(learning_rate=1.0, rho=0.95, epsilon=1e-6),
        keras_adadelta,
        {"accum": ("accumulated_grad", _same), "accum_update": ("accumulated_delta_var", _same)},
    ),
]


def test_cases_cover_every_conversion():
    assert {c.keras for c in CASES} == {name.lower() for name in convert.CONVERSIONS}


def _keras_slot(optimizer, variable, suffix: str):
    name = "%s_%s" % (variable.path.replace("/", "_"), suffix)
    (found,) = [v for v in optimizer.variables if v.name == name]
    return found


def _restore(case: Case, path: str) -> tuple[keras.Model, keras.optimizers.Optimizer]:
    """A fresh model (other initial values) and Keras optimizer, restored from ``path``."""
    model = build_model(seed=99)
    optimizer = case.keras_optimizer()
    optimizer.build(model.trainable_variables)
    tf.train.Checkpoint(model=model, optimizer=optimizer).restore(path).assert_consumed()
    return model, optimizer


def _check_restored_state(case, model, optimizer, tf1_weights, tf1_slots, iterations):
    """Step 1: variables, every slot (mapped) and iterations equal the TF1 state."""
    assert int(optimizer.iterations) == iterations
    for variable, expected in zip(model.weights, tf1_weights):
        np.testing.assert_array_equal(variable.numpy(), expected)
    for slot, (suffix, transform) in case.mapping.items():
        for variable, value in zip(model.trainable_variables, tf1_slots[slot]):
            got = _keras_slot(optimizer, variable, suffix).numpy()
            if transform is _same:
                np.testing.assert_array_equal(got, value)
            else:  # one float32 rounding of the product on either side
                np.testing.assert_allclose(got, transform(value), rtol=1e-7)


def _keras_step_matches_its_formula(case, model, optimizer) -> list[np.ndarray]:
    """Step 2: one Keras step, against the NumPy model of Keras's rule on the restored state."""
    variables = model.trainable_variables
    before = [v.numpy().astype(np.float64) for v in variables]
    suffixes = sorted({suffix for suffix, _ in case.mapping.values()})
    state = [
        {s: _keras_slot(optimizer, v, s).numpy().astype(np.float64) for s in suffixes}
        for v in variables
    ]
    iterations = int(optimizer.iterations)
    with tf.GradientTape() as tape:
        loss = loss_of(model)
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables))
    after = [v.numpy() for v in variables]
    for var, g, s, got in zip(before, grads, state, after):
        expected = case.keras_rule(case.config, var, g.numpy().astype(np.float64), s, iterations)
        # float64 model vs Keras's float32 arithmetic: a few float32 ulps of the update.
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-7)
    assert int(optimizer.iterations) == iterations + 1
    return after


# ------------------------------------------------------------------------- object-based source


def _train_tfv1compat(case: Case, directory) -> tuple[str, keras.Model, object, tf.Variable]:
    """The guide's step 2: a Keras model trained by a tfv1compat optimizer, checkpointed."""
    model = build_model()
    optimizer = getattr(train, case.tf1)(**case.tf1_kwargs)
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    for _ in range(STEPS):
        optimizer.minimize(
            lambda: loss_of(model), var_list=model.trainable_variables, global_step=step
        )
    path = tf.train.Checkpoint(model=model, optimizer=optimizer, global_step=step).save(
        str(directory / "tf1" / "ckpt")
    )
    return path, model, optimizer, step


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_tfv1compat_checkpoint_converts_restores_and_steps(case, tmp_path):
    """Object-based: state equal after restore; the next Keras step follows Keras's formula and
    equals TF1's next step to float32 rounding."""
    path, tf1_model, tf1_opt, step = _train_tfv1compat(case, tmp_path)
    result = convert.convert_checkpoint(
        path,
        tmp_path / "keras",
        model=build_model(seed=7),
        optimizer=case.keras,
        config=case.config,
    )
    assert result.source_format == "object-based" and result.iterations == STEPS
    assert result.path == tf.train.latest_checkpoint(str(tmp_path / "keras"))
    model, optimizer = _restore(case, result.path)
    tf1_slots = {
        slot: [tf1_opt.get_slot(v, slot).numpy() for v in tf1_model.trainable_variables]
        for slot in case.mapping
    }
    _check_restored_state(
        case, model, optimizer, [w.numpy() for w in tf1_model.weights], tf1_slots, STEPS
    )
    keras_next = _keras_step_matches_its_formula(case, model, optimizer)

    tf1_opt.minimize(lambda: loss_of(tf1_model), var_list=tf1_model.trainable_variables)
    for got, tf1_next in zip(keras_next, tf1_model.trainable_variables):
        # Same rule, different float32 evaluation order (and, for Adam, Keras's pow(beta, t)
        # against TF1's float32 running product): agreement to a few ulps of the values.
        np.testing.assert_allclose(got, tf1_next.numpy(), rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------- name-based source


def _train_tf1_graph(case: Case, directory) -> tuple[str, list, dict]:
    """TF1 itself: tf.compat.v1.train's optimizer in a Graph + Session, saved by ``Saver``."""
    initial = [w.numpy() for w in build_model().weights]
    with tf.Graph().as_default():
        x = tf.constant(X)
        names = ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
        variables = [
            tf.compat.v1.get_variable(name, initializer=value)
            for name, value in zip(names, initial)
        ]
        hidden = tf.matmul(x, variables[0]) + variables[1]
        out = tf.matmul(hidden, variables[2]) + variables[3]
        loss = tf.reduce_mean(tf.square(out - Y))
        step = tf.compat.v1.train.get_or_create_global_step()
        optimizer = getattr(tf.compat.v1.train, case.tf1)(**case.tf1_kwargs)
        train_op = optimizer.minimize(loss, global_step=step)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(STEPS):
                sess.run(train_op)
            path = saver.save(sess, str(directory / "tf1" / "model.ckpt"), global_step=step)
            weights = sess.run(variables)
            slots = {
                slot: sess.run([optimizer.get_slot(v, slot) for v in variables])
                for slot in case.mapping
            }
    return path, weights, slots


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_tf1_saver_checkpoint_converts_restores_and_steps(case, tmp_path):
    """Name-based (``w``, ``w/Adam``, ``w/Adam_1``, ``beta1_power``, ``global_step``), written by
    TF1's own optimizer: matched by name to the Keras model, state equal, Keras step as Keras."""
    path, weights, slots = _train_tf1_graph(case, tmp_path)
    result = convert.convert_checkpoint(
        path,
        tmp_path / "keras",
        model=build_model(seed=7),
        optimizer=case.keras,
        config=case.config,
    )
    assert result.source_format == "name-based" and result.iterations == STEPS
    model, optimizer = _restore(case, result.path)
    _check_restored_state(case, model, optimizer, weights, slots, STEPS)
    _keras_step_matches_its_formula(case, model, optimizer)


def test_name_map_maps_differently_named_variables(tmp_path):
    """TF1 names that share nothing with the Keras paths are matched through ``name_map``."""
    case = CASES[0]
    values = [w.numpy() for w in build_model().weights]
    with tf.Graph().as_default():
        variables = [
            tf.compat.v1.get_variable(n, initializer=v)
            for n, v in zip(["l1/w", "l1/b", "l2/w", "l2/b"], values)
        ]
        loss = tf.reduce_sum(
            tf.square(tf.matmul(tf.matmul(X, variables[0]) + variables[1], variables[2]))
        )
        optimizer = tf.compat.v1.train.AdamOptimizer(**case.tf1_kwargs)
        train_op = optimizer.minimize(loss)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train_op)
            path = tf.compat.v1.train.Saver().save(sess, str(tmp_path / "tf1" / "ckpt"))
            m_values = sess.run([optimizer.get_slot(v, "m") for v in variables[:3]])
    model = build_model(seed=7)
    initial = [w.numpy() for w in model.weights]
    with pytest.raises(ValueError, match="not in"):
        convert.convert_checkpoint(path, tmp_path / "k0", model=model, config=case.config)
    name_map = dict(zip([w.path for w in model.weights], ["l1/w", "l1/b", "l2/w", "l2/b"]))
    # out/bias got no gradient in TF1 (it is not in the loss), so it has no slots to convert.
    keras_optimizer = keras.optimizers.Adam(**case.config)
    with pytest.raises(ValueError, match="l2/b/Adam"):
        convert.convert_checkpoint(
            path, tmp_path / "k1", model=model, optimizer=keras_optimizer, name_map=name_map
        )
    # Refused before anything was assigned: the model and optimizer are untouched.
    for weight, value in zip(model.weights, initial):
        np.testing.assert_array_equal(weight.numpy(), value)
    assert int(keras_optimizer.iterations) == 0
    assert not any(np.any(v.numpy()) for v in keras_optimizer.variables[2:])
    assert not (tmp_path / "k1").exists()
    result = convert.convert_checkpoint(
        path,
        tmp_path / "k2",
        model=model,
        config=case.config,
        name_map=name_map,
        var_list=model.trainable_variables[:3],
    )
    assert result.iterations == 1
    optimizer = keras.optimizers.Adam(**case.config)
    restored = build_model(seed=8)
    optimizer.build(restored.trainable_variables[:3])
    tf.train.Checkpoint(model=restored, optimizer=optimizer).restore(result.path).assert_consumed()
    for variable, m in zip(restored.trainable_variables[:3], m_values):
        np.testing.assert_array_equal(_keras_slot(optimizer, variable, "momentum").numpy(), m)


# ------------------------------------------------------------------------------------ errors


@pytest.fixture(scope="module")
def adam_checkpoint(tmp_path_factory):
    directory = tmp_path_factory.mktemp("adam")
    path, *_ = _train_tfv1compat(CASES[0], directory)
    return path


def test_adam_betas_must_match_tf1s(adam_checkpoint, tmp_path):
    """beta1_power = 0.8^4 is not a power of Keras's default beta_1=0.9: refuse, say why."""
    with pytest.raises(ValueError, match="beta1_power is not a power"):
        convert.convert_checkpoint(adam_checkpoint, tmp_path, model=build_model(), optimizer="adam")


def test_slots_of_another_optimizer_are_refused(adam_checkpoint, tmp_path):
    with pytest.raises(ValueError, match=r"has slots \['m', 'v'\], not those of TF1's Momentum"):
        convert.convert_checkpoint(
            adam_checkpoint,
            tmp_path,
            model=build_model(),
            optimizer="sgd",
            config={"momentum": 0.9},
        )


def test_a_model_that_does_not_match_is_refused(adam_checkpoint, tmp_path):
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(
        ValueError, match=r"shape \(3, 2\) in the checkpoint, \(3, 1\) in the model"
    ):
        convert.convert_checkpoint(adam_checkpoint, tmp_path, model=other, config=CASES[0].config)


def test_variables_the_optimizer_does_not_train_may_be_missing(adam_checkpoint, tmp_path):
    """A frozen layer the TF1 model did not have keeps its values, and the result says so."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(2, name="hidden"),
            keras.layers.Dense(1, name="out"),
            keras.layers.BatchNormalization(name="frozen"),
        ]
    )
    model.layers[-1].trainable = False
    frozen = [v.numpy() for v in model.layers[-1].weights]
    result = convert.convert_checkpoint(
        adam_checkpoint, tmp_path, model=model, config=CASES[0].config
    )
    assert result.iterations == STEPS
    assert sum("kept the model's value" in note for note in result.notes) == len(frozen) == 4
    for variable, value in zip(model.layers[-1].weights, frozen):
        np.testing.assert_array_equal(variable.numpy(), value)


def test_explicit_iterations_win(adam_checkpoint, tmp_path):
    result = convert.convert_checkpoint(
        adam_checkpoint, tmp_path, model=build_model(), config=CASES[0].config, iterations=10
    )
    assert result.iterations == 10 and result.path.endswith("ckpt-10")


def test_unsupported_optimizer_is_refused(adam_checkpoint, tmp_path):
    with pytest.raises(ValueError, match="Unsupported optimizer 'lion'"):
        convert.convert_checkpoint(adam_checkpoint, tmp_path, model=build_model(), optimizer="lion")


# ------------------------------------------------------------------------------- command line


def test_cli_converts_and_reports(adam_checkpoint, tmp_path, capsys):
    """``cli`` (as ``python -m tfv1compat convert-checkpoint``): --model FILE.py:FUNCTION."""
    factory = tmp_path / "my_model.py"
    factory.write_text(
        textwrap.dedent(
            """
            import keras

            def build():
                return keras.Sequential([
                    keras.Input((3,)),
                    keras.layers.Dense(2, name="hidden"),
                    keras.layers.Dense(1, name="out"),
                ])
            """
        )
    )
    config = json.dumps(CASES[0].config)
    argv = [adam_checkpoint, str(tmp_path / "out"), "--model", "%s:build" % factory]
    assert (
        run_command("convert-checkpoint", argv + ["--optimizer", "adam", "--config", config]) == 0
    )
    out = capsys.readouterr().out
    assert "to keras.optimizers.Adam, iterations=3" in out
    assert "m            -> momentum" in out and "v            -> velocity" in out
    assert tf.train.latest_checkpoint(str(tmp_path / "out")).endswith("ckpt-3")

    assert (
        run_command("convert-checkpoint", argv + ["--optimizer", "adam"]) == 1
    )  # Keras's default betas
    assert "beta1_power is not a power" in capsys.readouterr().err
