"""Shared fixtures: the MNIST test digits committed under tests/data, the shipped recogniser."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from livedigits.train.idx import load_split

DATA = Path(__file__).resolve().parent / "data"
MNIST_DIR = DATA / "mnist"
REPO = Path(__file__).resolve().parent.parent
EXAMPLE_VIDEO = REPO / "examples" / "digits.mp4"


@pytest.fixture(scope="session")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """MNIST's 10k test images uint8 [N,28,28] and labels uint8 [N]."""
    return load_split(MNIST_DIR, "test")


@pytest.fixture(scope="session")
def recognizer():
    from livedigits import Recognizer

    return Recognizer()


@pytest.fixture(scope="session")
def bank(mnist_test):
    from benchmarks.synth import DigitBank

    return DigitBank(*mnist_test)
