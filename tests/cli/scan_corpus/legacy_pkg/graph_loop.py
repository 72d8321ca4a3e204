"""A Graph + Session training loop with queue inputs, written as TF1 scripts were.

Scanner corpus (in a sub-directory, to check that directories are walked): TF1 spelled as
``import tensorflow.compat.v1 as tf`` after ``disable_v2_behavior()``, as ``tf_upgrade_v2`` and
most hand migrations leave it. Never executed. A trailing ``# scan: A, B`` comment lists the
names the scanner must report on that line.
"""

# fmt: off

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def train(filenames, steps, logdir):
    queue = tf.train.string_input_producer(filenames, num_epochs=None)  # scan: string_input_producer
    _, serialized = tf.TFRecordReader().read(queue)
    example = tf.parse_single_example(serialized, {"x": tf.FixedLenFeature([4], tf.float32)})
    batch = tf.train.shuffle_batch(  # scan: shuffle_batch
        [example["x"]], batch_size=8, capacity=64, min_after_dequeue=16
    )
    w = tf.get_variable("w", [4, 1])
    loss = tf.reduce_mean(tf.square(tf.matmul(batch, w)))
    global_step = tf.train.get_or_create_global_step()  # scan: get_or_create_global_step
    optimizer = tf.train.AdamOptimizer(1e-3)  # scan: AdamOptimizer
    train_op = optimizer.minimize(loss, global_step=global_step)
    saver = tf.train.Saver()  # scan: Saver
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()  # scan: Coordinator
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)  # scan: start_queue_runners
        for _ in range(steps):
            sess.run(train_op)
        saver.save(sess, logdir + "/model.ckpt", global_step=global_step)
        coord.request_stop()
        coord.join(threads)
