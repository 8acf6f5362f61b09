"""Shared fixtures: the MNIST test digits committed under tests/data, the shipped recogniser, a
virtual display for window tests.

Tests that take more than a few seconds are marked ``@pytest.mark.slow``; ``pytest -m "not slow"``
is the fast lane, CI runs everything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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


@pytest.fixture
def xvfb_display():
    """A virtual X display (Xvfb is installed by .ci/run), 1024x768."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is required for the window tests: apt-get install xvfb"
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = f.readline().strip()
    yield f":{display}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def display_env(xvfb_display) -> dict[str, str]:
    """The environment of a subprocess that opens its windows on the virtual display."""
    return {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"}
