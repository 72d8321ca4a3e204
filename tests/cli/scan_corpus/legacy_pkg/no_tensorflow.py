"""A helper module that does not use TensorFlow: the scanner reports nothing here.

Its words mention tf.train.AdamOptimizer only in this docstring and in a comment, which are
not uses.
"""


def moving_average(values, decay=0.9):
    # Like tf.train.ExponentialMovingAverage, for plain floats.
    average = None
    for value in values:
        average = value if average is None else decay * average + (1 - decay) * value
    return average
