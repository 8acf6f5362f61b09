"""MNIST for training and evaluation: loading, the validation split, and model input.

Pure numpy (TensorFlow only for the Keras download fallback), so evaluating an ONNX model needs
no TensorFlow.
"""

from __future__ import annotations

import os

import numpy as np

from livedigits.errors import LivedigitsError
from livedigits.mnist import normalize_batch
from livedigits.train.idx import load_split

__all__ = [
    "VALIDATION",
    "as_model_input",
    "load_eval_split",
    "load_mnist",
    "load_split",
    "load_train",
    "split_validation",
]

VALIDATION = 10_000
"""The last this-many MNIST training digits are held out for epoch choice (as Keras' examples do)."""


def load_mnist(directory: str | os.PathLike | None = None):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays.

    With ``directory`` None, falls back to ``keras.datasets.mnist.load_data()`` (needs internet).
    """
    if directory is not None:
        return load_split(directory, "train"), load_split(directory, "test")
    try:
        from livedigits.train.backend import keras
    except ImportError as exc:
        raise LivedigitsError(
            "without --data, MNIST is downloaded through Keras, which needs TensorFlow: "
            "pip install 'livedigits[train]' (or pass --data DIR with the four IDX files)"
        ) from exc

    try:
        return keras.datasets.mnist.load_data()
    except Exception as exc:  # the Keras downloader raises many types; all mean "no data"
        raise LivedigitsError(f"could not download MNIST ({exc}); pass --data DIR with the IDX files") from exc


def load_train(directory: str | os.PathLike | None):
    """MNIST-train (images, labels) alone: training never reads the test files."""
    return load_split(directory, "train") if directory is not None else load_mnist(None)[0]


def load_eval_split(directory: str | os.PathLike | None, split: str):
    """(images, labels) of "test" (read alone: a directory may hold only the test files) or
    "validation" (the held-out end of MNIST-train)."""
    if split == "test":
        return load_split(directory, "test") if directory is not None else load_mnist(None)[1]
    if split == "validation":
        return split_validation(*load_train(directory))[1]
    raise LivedigitsError(f"split must be 'test' or 'validation', got {split!r}")


def split_validation(images: np.ndarray, labels: np.ndarray, size: int = VALIDATION):
    """Split MNIST-train into (train, validation): the validation part is the last ``size`` digits.

    A training file smaller than 2 x ``size`` (a test fixture) keeps its last sixth for validation.
    Returns ((x_fit, y_fit), (x_val, y_val)); the two never share an index.
    """
    if len(images) != len(labels):
        raise LivedigitsError(f"{len(images)} images but {len(labels)} labels")
    if len(images) < 2 * size:
        size = len(images) // 6
    if size < 1:
        raise LivedigitsError(f"too few training digits to hold out a validation split: {len(images)}")
    cut = len(images) - size
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] MNIST digits -> float32 [N, 28, 28, 1], through the shared normalisation."""
    return normalize_batch(images)
