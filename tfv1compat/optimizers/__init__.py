"""One module per TF1 optimizer, on the shared engine in ``base``."""
