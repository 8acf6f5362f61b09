"""TensorFlow and Keras, imported without their start-up noise.

Importing TensorFlow prints about ten lines to stderr (oneDNN, CUDA drivers, CPU instructions)
from C++ before its logging is initialised, so neither ``TF_CPP_MIN_LOG_LEVEL`` nor any other
setting hides them (tensorflow/tensorflow#100442). The import therefore runs with file descriptor 2
pointed at /dev/null; errors still surface as Python exceptions. Later C++ logs obey
``TF_CPP_MIN_LOG_LEVEL``, set to 3 (errors hidden too: a CPU-only machine logs a CUDA "error").

Setting ``TF_CPP_MIN_LOG_LEVEL`` yourself (``livedigits -v`` sets it to 0) shows everything.
Modules of ``livedigits.train`` that need TensorFlow import it from here: ``from
livedigits.train.backend import keras``.
"""

from __future__ import annotations

import contextlib
import os

LOG_LEVEL_VAR = "TF_CPP_MIN_LOG_LEVEL"


@contextlib.contextmanager
def _stderr_silenced():
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


if LOG_LEVEL_VAR in os.environ:  # the user (or -v) asked for TensorFlow's own logging
    import keras
    import tensorflow as tf
else:
    os.environ[LOG_LEVEL_VAR] = "3"
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    with _stderr_silenced():
        import keras
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")

__all__ = ["keras", "tf"]
