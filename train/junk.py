"""Non-digits for training: symbols, letters, scribbles, box corners, ruling fragments, and
halves of two touching digits, all things a page also shows.

A softmax over ten digits has no way to say "none of these", so a crop of a "+" comes out as a
confident 4. Training on such shapes with a flat target (0.1 for every digit) teaches the model
to answer them with low confidence, which the runtime's confidence bar then rejects, while the
model keeps its [N, 10] interface. Letters that are written like digits (O, l, I, S, Z, B, G, b,
g, q, T, a, c, e, A, ...) are left out, and so are short random strokes (a stroke is too often a
1 or a 7): scribbles here are long tangles and hatching, rulings are horizontal (a vertical one is
a 1), and touching pairs never involve a narrow digit (half of a 1 is still a 1). The model must
stay sure about real digits.

Pure numpy/OpenCV, rendered as 28x28 uint8 ink-on-black like MNIST, before augmentation.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.train.pen import PenStyle, render_strokes, to_mnist_box

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


SCRIBBLE_PEN = PenStyle(height=(40.0, 90.0), width=(0.03, 0.14), slant=(0.0, 0.0), jitter=0.0)
PRINTED = PenStyle(height=(40.0, 90.0), width=(0.02, 0.1), slant=(0.0, 0.0), jitter=0.0, wobble=0.0, pressure=0.0)


def _scribble(rng: np.random.Generator) -> np.ndarray:
    kind = rng.integers(3)
    if kind == 0:  # a tangle: many random turns in a box
        points = rng.uniform(0, 1, (int(rng.integers(8, 14)), 2)) * [rng.uniform(0.6, 1.4), 1.0]
        strokes = [points]
    elif kind == 1:  # crossing-out hatch, back and forth
        n = int(rng.integers(5, 10))  # fewer turns read as a Z or a 2
        ys = np.linspace(0, 1, n) + rng.normal(0, 0.03, n)
        xs = np.where(np.arange(n) % 2 == 0, 0.0, 1.0) * rng.uniform(0.8, 1.5)
        strokes = [np.stack([xs, ys], 1)]
    else:  # a coil running sideways, like a cursive scribble
        t = np.linspace(0, 2 * np.pi * rng.uniform(3, 5), 60)
        r = rng.uniform(0.25, 0.45)
        strokes = [np.stack([0.25 * t / np.pi + r * np.cos(t), 0.5 + r * np.sin(t)], 1)]
    return render_strokes(strokes, rng, SCRIBBLE_PEN)


def _box_corner(rng: np.random.Generator) -> np.ndarray:
    """A corner, T or cross of a printed table's lines, arms of random length."""
    a, b = rng.uniform(0.5, 1.0, 2)
    corner = [np.array([[0.0, 0.0], [a, 0.0]]), np.array([[0.0, 0.0], [0.0, b]])]
    kind = rng.integers(3)
    if kind == 1:  # T: the bar runs on past the stem
        corner[0][0, 0] = -a
    elif kind == 2:  # one arm carries on through: a cross with unequal arms
        corner = [np.array([[-a, 0.0], [a, 0.0]]), np.array([[0.0, -b * 0.4], [0.0, b]])]
    flip = rng.choice([-1.0, 1.0], 2)
    return render_strokes([c * flip for c in corner], rng, PRINTED)


def _ruling(rng: np.random.Generator) -> np.ndarray:
    """A fragment of ruled line: one or two near-horizontal lines, sometimes with a tick."""
    length = rng.uniform(0.8, 2.0)
    tilt = rng.uniform(-0.08, 0.08)
    strokes = [np.array([[0.0, 0.0], [length, tilt * length]])]
    if rng.random() < 0.3:
        gap = rng.uniform(0.3, 0.6)
        strokes.append(strokes[0] + [0.0, gap])
    return render_strokes(strokes, rng, PRINTED)


def _tight(img: np.ndarray) -> np.ndarray:
    x, y, w, h = cv2.boundingRect(img)
    return img[y : y + h, x : x + w]


def touching_pair(digits: np.ndarray, rng: np.random.Generator, half: bool) -> np.ndarray | None:
    """Two MNIST digits side by side, touching; with ``half``, only a digit-wide window over the
    joint (the right half of one and the left half of the other). None if a digit is too narrow."""
    a, b = (_tight(digits[i]) for i in rng.integers(len(digits), size=2))
    if min(a.shape[1] / a.shape[0], b.shape[1] / b.shape[0]) < 0.6:  # a 1, even slanted
        return None
    h = max(a.shape[0], b.shape[0])
    overlap = int(rng.integers(1, 4))
    canvas = np.zeros((h + 4, a.shape[1] + b.shape[1] - overlap + 4), np.uint8)
    ya, yb = (h - a.shape[0]) // 2 + 2, (h - b.shape[0]) // 2 + 2
    canvas[ya : ya + a.shape[0], 2 : 2 + a.shape[1]] = a
    x = 2 + a.shape[1] - overlap
    region = canvas[yb : yb + b.shape[0], x : x + b.shape[1]]
    np.maximum(region, b, out=region)
    if half:
        joint = 2 + a.shape[1] - overlap // 2
        span = int(0.5 * (a.shape[1] + b.shape[1]) * rng.uniform(0.45, 0.6))
        canvas = canvas[:, max(0, joint - span) : joint + span].copy()
        canvas[:, :1] = 0
        canvas[:, -1:] = 0
    return canvas


KINDS = {"glyph": 0.5, "scribble": 0.15, "corner": 0.08, "ruling": 0.07, "pair": 0.2}
"""Share of each kind of non-digit in the pool ("pair" needs digits; otherwise glyphs take it)."""


def render_junk(rng: np.random.Generator, digits: np.ndarray | None = None, kind: str | None = None) -> np.ndarray:
    """One non-digit, 28x28 uint8, ink bright on black (drawn large, then shrunk like MNIST).

    ``digits`` (uint8 [N, 28, 28], training digits only) feed the touching pairs.
    """
    if kind is None:
        names = list(KINDS)
        kind = names[int(rng.choice(len(names), p=list(KINDS.values())))]
    if kind == "pair" and digits is not None:
        for _ in range(10):
            pair = touching_pair(digits, rng, half=rng.random() < 0.7)
            if pair is not None and pair.max() > 0:
                return to_mnist_box(pair)
    if kind == "scribble":
        return to_mnist_box(_scribble(rng))
    if kind == "corner":
        return to_mnist_box(_box_corner(rng))
    if kind == "ruling":
        return to_mnist_box(_ruling(rng))
    return cv2.resize(_glyph(rng, 112), (28, 28), interpolation=cv2.INTER_AREA)


def junk_pool(n: int, seed: int = 0, digits: np.ndarray | None = None) -> np.ndarray:
    """``n`` non-digits, uint8 [n, 28, 28] (pairs of ``digits`` among them when given)."""
    rng = np.random.default_rng(seed)
    return np.stack([render_junk(rng, digits) for _ in range(n)])
