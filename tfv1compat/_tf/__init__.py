"""The two rooms that touch TensorFlow beyond its public TF2 API.

``legacy_graph``: the only user of ``tf.compat.v1`` (graph collections, variable scopes, ref
variables, ``Session``). ``internals``: the only reader of ``tf.__internal__`` and of private
attributes, each with its reason. ``requirement``: the TensorFlow version check (imports no TF).
"""
