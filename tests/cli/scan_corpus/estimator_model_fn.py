"""An Estimator ``model_fn`` and its training driver, TF1 style.

Scanner corpus: ``import tensorflow as tf`` (TF1), a ``model_fn`` that builds its train op with
``optimizer.minimize(..., colocate_gradients_with_ops=True)`` (as the official TF1 ResNet and
Transformer models did), a logging hook, and a ``MonitoredTrainingSession`` loop. Never
executed. A trailing ``# scan: A, B`` comment lists the names the scanner must report on that
line.
"""

import tensorflow as tf


def model_fn(features, labels, mode, params):
    """The model_fn argument for creating an Estimator."""
    net = tf.layers.dense(features["x"], 64, activation=tf.nn.relu)
    logits = tf.layers.dense(net, params["num_classes"])
    predictions = {"classes": tf.argmax(logits, axis=1)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions)

    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)

    if mode == tf.estimator.ModeKeys.TRAIN:
        global_step = tf.train.get_or_create_global_step()  # scan: get_or_create_global_step
        learning_rate = tf.train.piecewise_constant(  # scan: piecewise_constant
            global_step, params["boundaries"], params["values"]
        )
        optimizer = tf.train.MomentumOptimizer(  # scan: MomentumOptimizer
            learning_rate=learning_rate, momentum=0.9, use_nesterov=True
        )
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = optimizer.minimize(
                loss,
                global_step=tf.train.get_global_step(),  # scan: get_global_step
                colocate_gradients_with_ops=True,  # scan: colocate_gradients_with_ops
            )
        logging_hook = tf.train.LoggingTensorHook(  # scan: LoggingTensorHook
            {"loss": loss, "step": global_step}, every_n_iter=100
        )
        return tf.estimator.EstimatorSpec(
            mode=mode, loss=loss, train_op=train_op, training_hooks=[logging_hook]
        )

    accuracy = tf.metrics.accuracy(labels=labels, predictions=predictions["classes"])
    return tf.estimator.EstimatorSpec(mode=mode, loss=loss, eval_metric_ops={"acc": accuracy})


def train_with_session(features, labels, params, checkpoint_dir):
    """The same model trained without Estimator, in a MonitoredTrainingSession."""
    spec = model_fn(features, labels, tf.estimator.ModeKeys.TRAIN, params)
    hooks = [
        tf.train.StopAtStepHook(last_step=params["steps"]),  # scan: StopAtStepHook
        tf.train.NanTensorHook(spec.loss),  # scan: NanTensorHook
    ]
    with tf.train.MonitoredTrainingSession(  # scan: MonitoredTrainingSession
        checkpoint_dir=checkpoint_dir, hooks=hooks
    ) as sess:
        while not sess.should_stop():
            sess.run(spec.train_op)
