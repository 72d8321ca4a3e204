"""A TF1 training script, written for TensorFlow 1.x. The guide never modifies it."""

import argparse
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--logdir", default="ckpt/legacy")
args = parser.parse_args()

rng = np.random.default_rng(0)
x_data = rng.standard_normal((64, 4)).astype(np.float32)
y_data = x_data @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
with tf.variable_scope("hidden"):
    w1 = tf.get_variable("kernel", [4, 8], initializer=tf.glorot_uniform_initializer(seed=1))
    b1 = tf.get_variable("bias", [8], initializer=tf.zeros_initializer())
with tf.variable_scope("out"):
    w2 = tf.get_variable("kernel", [8, 1], initializer=tf.glorot_uniform_initializer(seed=2))
    b2 = tf.get_variable("bias", [1], initializer=tf.zeros_initializer())
prediction = tf.matmul(tf.tanh(tf.matmul(x, w1) + b1), w2) + b2
loss = tf.reduce_mean(tf.square(prediction - y))

global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.exponential_decay(0.01, global_step, decay_steps=100, decay_rate=0.9)
optimizer = tf.train.AdamOptimizer(learning_rate)
grads_and_vars = optimizer.compute_gradients(loss, colocate_gradients_with_ops=True)
train_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
saver = tf.train.Saver()

os.makedirs(args.logdir, exist_ok=True)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(args.steps):
        _, loss_value = sess.run([train_op, loss], {x: x_data, y: y_data})
    print("step %d: loss %.4f" % (sess.run(global_step), loss_value))
    print("optimizer:", type(optimizer).__module__)
    print("saved", saver.save(sess, args.logdir + "/model.ckpt", global_step=global_step))
