"""MNIST for training: a local directory of the four canonical IDX files, or the Keras download."""

from __future__ import annotations

import os

from livedigits.errors import LivedigitsError
from livedigits.train.idx import load_split

__all__ = ["load_mnist", "load_split"]


def load_mnist(directory: str | os.PathLike | None = None):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays.

    With ``directory`` None, falls back to ``keras.datasets.mnist.load_data()`` (needs internet).
    """
    if directory is not None:
        return load_split(directory, "train"), load_split(directory, "test")
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as exc:  # the Keras downloader raises many types; all mean "no data"
        raise LivedigitsError(f"could not download MNIST ({exc}); pass --data DIR with the IDX files") from exc
