# ruff: noqa: B009, I001, UP008, UP009, UP010
# (Legacy TF1-era style on purpose: the scanner must handle real code as it was written.)
"""Generic training script that trains a model using a given dataset.

Scanner corpus, in the style of tf-models' ``research/slim/train_image_classifier.py``:
``import tensorflow.compat.v1 as tf``, flag-selected optimizers and learning-rate decays,
sync replicas, moving averages, and ``tf_slim``'s ``create_train_op`` / ``learning.train``.
Never executed. A trailing ``# scan: A, B`` comment lists the names the scanner must report on
that line.
"""

# fmt: off

from __future__ import absolute_import, division, print_function

import tensorflow.compat.v1 as tf
import tf_slim as slim

tf.app.flags.DEFINE_string("master", "", "The address of the TensorFlow master to use.")
tf.app.flags.DEFINE_string("train_dir", "/tmp/tfmodel/", "Directory for checkpoints.")
tf.app.flags.DEFINE_integer("task", 0, "Task id of the replica running the training.")
tf.app.flags.DEFINE_bool("sync_replicas", False, "Whether or not to synchronize replicas.")
tf.app.flags.DEFINE_integer("replicas_to_aggregate", 1, "Gradients to collect per update.")
tf.app.flags.DEFINE_integer("worker_replicas", 1, "Number of worker replicas.")
tf.app.flags.DEFINE_string(
    "optimizer",
    "rmsprop",
    'One of "adadelta", "adagrad", "adam", "ftrl", "momentum", "sgd" or "rmsprop".',
)
tf.app.flags.DEFINE_float("adadelta_rho", 0.95, "The decay rate for adadelta.")
tf.app.flags.DEFINE_float("adagrad_initial_accumulator_value", 0.1, "Adagrad start value.")
tf.app.flags.DEFINE_float("adam_beta1", 0.9, "Exponential decay rate for the 1st moment.")
tf.app.flags.DEFINE_float("adam_beta2", 0.999, "Exponential decay rate for the 2nd moment.")
tf.app.flags.DEFINE_float("opt_epsilon", 1.0, "Epsilon term for the optimizer.")
tf.app.flags.DEFINE_float("ftrl_learning_rate_power", -0.5, "The learning rate power.")
tf.app.flags.DEFINE_float("momentum", 0.9, "The momentum for the MomentumOptimizer.")
tf.app.flags.DEFINE_float("rmsprop_decay", 0.9, "Decay term for RMSProp.")
tf.app.flags.DEFINE_string("learning_rate_decay_type", "exponential", "How to decay.")
tf.app.flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
tf.app.flags.DEFINE_float("end_learning_rate", 0.0001, "Minimal polynomial-decay rate.")
tf.app.flags.DEFINE_float("learning_rate_decay_factor", 0.94, "Learning rate decay factor.")
tf.app.flags.DEFINE_float("num_epochs_per_decay", 2.0, "Epochs after which the rate decays.")
tf.app.flags.DEFINE_float("moving_average_decay", None, "The decay to use for the average.")
tf.app.flags.DEFINE_integer("batch_size", 32, "The number of samples in each batch.")
tf.app.flags.DEFINE_integer("max_number_of_steps", None, "The maximum number of steps.")

FLAGS = tf.app.flags.FLAGS


def _configure_learning_rate(num_samples_per_epoch, global_step):
    """Configures the learning rate."""
    decay_steps = int(num_samples_per_epoch * FLAGS.num_epochs_per_decay / FLAGS.batch_size)
    if FLAGS.sync_replicas:
        decay_steps /= FLAGS.replicas_to_aggregate

    if FLAGS.learning_rate_decay_type == "exponential":
        return tf.train.exponential_decay(  # scan: exponential_decay
            FLAGS.learning_rate,
            global_step,
            decay_steps,
            FLAGS.learning_rate_decay_factor,
            staircase=True,
            name="exponential_decay_learning_rate",
        )
    elif FLAGS.learning_rate_decay_type == "fixed":
        return tf.constant(FLAGS.learning_rate, name="fixed_learning_rate")
    elif FLAGS.learning_rate_decay_type == "polynomial":
        return tf.train.polynomial_decay(  # scan: polynomial_decay
            FLAGS.learning_rate,
            global_step,
            decay_steps,
            FLAGS.end_learning_rate,
            power=1.0,
            cycle=False,
            name="polynomial_decay_learning_rate",
        )
    else:
        raise ValueError(
            "learning_rate_decay_type [%s] was not recognized" % FLAGS.learning_rate_decay_type
        )


def _configure_optimizer(learning_rate):
    """Configures the optimizer used for training."""
    if FLAGS.optimizer == "adadelta":
        optimizer = tf.train.AdadeltaOptimizer(  # scan: AdadeltaOptimizer
            learning_rate, rho=FLAGS.adadelta_rho, epsilon=FLAGS.opt_epsilon
        )
    elif FLAGS.optimizer == "adagrad":
        optimizer = tf.train.AdagradOptimizer(  # scan: AdagradOptimizer
            learning_rate, initial_accumulator_value=FLAGS.adagrad_initial_accumulator_value
        )
    elif FLAGS.optimizer == "adam":
        optimizer = tf.train.AdamOptimizer(  # scan: AdamOptimizer
            learning_rate, beta1=FLAGS.adam_beta1, beta2=FLAGS.adam_beta2, epsilon=FLAGS.opt_epsilon
        )
    elif FLAGS.optimizer == "ftrl":
        optimizer = tf.train.FtrlOptimizer(  # scan: FtrlOptimizer
            learning_rate, learning_rate_power=FLAGS.ftrl_learning_rate_power
        )
    elif FLAGS.optimizer == "momentum":
        optimizer = tf.train.MomentumOptimizer(  # scan: MomentumOptimizer
            learning_rate, momentum=FLAGS.momentum, name="Momentum"
        )
    elif FLAGS.optimizer == "rmsprop":
        optimizer = tf.train.RMSPropOptimizer(  # scan: RMSPropOptimizer
            learning_rate,
            decay=FLAGS.rmsprop_decay,
            momentum=FLAGS.momentum,
            epsilon=FLAGS.opt_epsilon,
        )
    elif FLAGS.optimizer == "sgd":
        optimizer = tf.train.GradientDescentOptimizer(learning_rate)  # scan: GradientDescentOptimizer
    else:
        raise ValueError("Optimizer [%s] was not recognized" % FLAGS.optimizer)
    return optimizer


def _get_init_fn():
    """Returns a function run by the chief worker to warm-start the training."""
    if tf.train.latest_checkpoint(FLAGS.train_dir):  # scan: latest_checkpoint
        tf.logging.info("Ignoring --checkpoint_path because a checkpoint already exists")
        return None
    return None


def _build_loss(images, labels, num_classes):
    logits = slim.fully_connected(slim.flatten(images), num_classes, activation_fn=None)
    tf.losses.softmax_cross_entropy(labels, logits)
    return tf.losses.get_total_loss()


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    with tf.Graph().as_default():
        global_step = slim.create_global_step()
        images = tf.random.uniform([FLAGS.batch_size, 8, 8, 3])
        labels = tf.one_hot(tf.zeros([FLAGS.batch_size], tf.int32), 10)
        total_loss = _build_loss(images, labels, 10)

        if FLAGS.moving_average_decay:
            variable_averages = tf.train.ExponentialMovingAverage(  # scan: ExponentialMovingAverage
                FLAGS.moving_average_decay, global_step
            )
            moving_average_variables = slim.get_model_variables()
        else:
            variable_averages, moving_average_variables = None, None

        learning_rate = _configure_learning_rate(1000, global_step)
        optimizer = _configure_optimizer(learning_rate)
        if FLAGS.sync_replicas:
            # If sync_replicas is enabled, the averaging will be done in the chief queue runner.
            optimizer = tf.train.SyncReplicasOptimizer(  # scan: SyncReplicasOptimizer
                opt=optimizer,
                replicas_to_aggregate=FLAGS.replicas_to_aggregate,
                total_num_replicas=FLAGS.worker_replicas,
                variable_averages=variable_averages,
                variables_to_average=moving_average_variables,
            )

        train_op = slim.learning.create_train_op(
            total_loss,
            optimizer,
            colocate_gradients_with_ops=True,  # scan: colocate_gradients_with_ops
        )
        saver = tf.train.Saver(max_to_keep=5)  # scan: Saver

        slim.learning.train(
            train_op,
            logdir=FLAGS.train_dir,
            master=FLAGS.master,
            is_chief=(FLAGS.task == 0),
            init_fn=_get_init_fn(),
            number_of_steps=FLAGS.max_number_of_steps,
            saver=saver,
            sync_optimizer=optimizer if FLAGS.sync_replicas else None,
        )


if __name__ == "__main__":
    tf.app.run()
