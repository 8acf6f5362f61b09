"""What the small seeded benchmarks of MNIST-digit pages (``benchmarks.touching``,
``benchmarks.slanted``) share: their command line (``--seed``, ``--frames``, ``--model``) and
frames, and the glyphs they write."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import cv2
import numpy as np

from benchmarks.synth import DigitBank
from livedigits.recognizer import Recognizer


def seeded_run(description: str, argv: list[str] | None, make: Callable) -> tuple[argparse.Namespace, list, Recognizer]:
    """The parsed arguments, ``--frames`` frames from ``make(bank, rng)`` (the MNIST test digits,
    a generator seeded by ``--seed``), and a one-thread recogniser of ``--model``."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--seed", type=int, default=100, help="default 100")
    p.add_argument("--frames", type=int, default=30, help="default 30")
    p.add_argument("--model", default=None, help="ONNX model (default: the shipped one)")
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    bank = DigitBank.load()
    frames = [make(bank, rng) for _ in range(args.frames)]
    return args, frames, Recognizer(args.model, threads=1)


def glyph_ink(bank: DigitBank, rng: np.random.Generator, height: int) -> tuple[np.ndarray, int]:
    """A random MNIST test digit of ``bank`` cropped to its ink and scaled to ``height`` px tall,
    its aspect kept (float32 HxW, 0..1), and its label."""
    image, label = bank.draw(rng)
    ys, xs = np.nonzero(image > 30)
    glyph = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    w = max(3, round(glyph.shape[1] * height / glyph.shape[0]))
    return cv2.resize(glyph, (w, height), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255, label
