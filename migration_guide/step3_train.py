"""Step 3: the converted checkpoint in keras.optimizers.Adam; Keras trains from there."""

import sys

import keras
import tensorflow as tf
from model import build_model, make_data

model = build_model()
optimizer = keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-7)
optimizer.build(model.trainable_variables)
checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
checkpoint.restore(tf.train.latest_checkpoint(sys.argv[1])).assert_consumed()
print("restored: iterations =", int(optimizer.iterations))

x, y = make_data()
model.compile(optimizer=optimizer, loss="mse")
history = model.fit(x, y, batch_size=64, epochs=2, verbose=0)
print(
    "after fit: iterations = %d, loss %.4f"
    % (int(optimizer.iterations), history.history["loss"][-1])
)
