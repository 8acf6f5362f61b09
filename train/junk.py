"""Non-digits for training: symbols and letters that a page also shows.

A softmax over ten digits has no way to say "none of these", so a crop of a "+" comes out as a
confident 4. Training on such shapes with a flat target (0.1 for every digit) teaches the model
to answer them with low confidence, which the runtime's confidence bar then rejects, while the
model keeps its [N, 10] interface. Letters that are written like digits (O, l, I, S, Z, B, G, b,
g, q, T, a, c, e, A, ...) are left out, and so are random strokes (a stroke is too often a 1 or
a 7): the model must stay sure about real digits.

Pure numpy/OpenCV, rendered as 28x28 uint8 ink-on-black like MNIST, before augmentation.
"""

from __future__ import annotations

import cv2
import numpy as np

SYMBOLS = list("+-=x*#?%&@<>~") + list("hkmnrvwEFHKMNRVWX") + ["+-", "=="]
FONTS = [
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
]
FLAT_TARGET = np.full(10, 0.1, np.float32)
"""The training target for a non-digit: no digit more likely than another."""


def _glyph(rng: np.random.Generator, canvas: int) -> np.ndarray:
    img = np.zeros((canvas, canvas), np.uint8)
    text = SYMBOLS[int(rng.integers(len(SYMBOLS)))]
    font = FONTS[int(rng.integers(len(FONTS)))]
    thickness = int(rng.integers(1, 4)) * canvas // 28 or 1
    scale = cv2.getFontScaleFromHeight(font, int(canvas * 0.6), thickness)
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    org = ((canvas - tw) // 2, (canvas + th) // 2)
    cv2.putText(img, text, org, font, scale, 255, thickness, cv2.LINE_AA)
    return img


def render_junk(rng: np.random.Generator) -> np.ndarray:
    """One non-digit, 28x28 uint8, ink bright on black (drawn large, then shrunk like MNIST)."""
    return cv2.resize(_glyph(rng, 112), (28, 28), interpolation=cv2.INTER_AREA)


def junk_pool(n: int, seed: int = 0) -> np.ndarray:
    """``n`` non-digits, uint8 [n, 28, 28]."""
    rng = np.random.default_rng(seed)
    return np.stack([render_junk(rng) for _ in range(n)])
