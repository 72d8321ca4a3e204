"""Step 2: a Keras 3 model and a tf.function training loop, still on TF1's AdamOptimizer."""

import tensorflow as tf
from model import build_model, make_data

from tfv1compat import train

model = build_model()
x, y = make_data()
global_step = train.get_or_create_global_step()
optimizer = train.AdamOptimizer(learning_rate=0.01, epsilon=1e-7)


@tf.function
def train_step(x, y):
    def loss():
        return tf.reduce_mean(tf.square(model(x) - y))

    grads_and_vars = optimizer.compute_gradients(loss, var_list=model.trainable_variables)
    grads, variables = zip(*grads_and_vars)
    grads, _ = tf.clip_by_global_norm(grads, 5.0)
    optimizer.apply_gradients(zip(grads, variables), global_step=global_step)
    return loss()


for _ in range(5):
    loss = train_step(x, y)
print("step %d: loss %.4f" % (int(global_step), float(loss)))

checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, global_step=global_step)
print("saved", tf.train.CheckpointManager(checkpoint, "ckpt/step2", max_to_keep=1).save())
