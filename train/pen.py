"""A pen model of handwritten digits: stroke paths drawn with a varying pen, slanted and jittered.

MNIST's writers were mostly American students and staff; real pages also hold European 1s (a long
flag) and 7s (a cross-bar), open-topped 4s, open and closed 9s, script-like loops, and strokes from
a hairline pencil to a thick marker. Each digit here is one or more stroke paths (control points in
a unit box, y down, the digit 1 tall) for several written forms (``VARIANTS``). A render picks a
form, jitters its control points, slants, squashes and rotates it, smooths each path with a
Catmull-Rom spline, wobbles it like a hand, and draws it as a chain of discs whose radius follows
a slowly varying pen pressure, supersampled for anti-aliasing.

Pure numpy/OpenCV (no TensorFlow): training mixes these into each batch, and the evaluation and
the benchmarks draw held-out crops from the same model with other seeds and settings.

    from livedigits.train.pen import PenStyle, render_digit
    ink = render_digit(7, np.random.default_rng(0), PenStyle(variants=("7-cross",)))
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Stroke = np.ndarray
"""float64 [K, 2] control points (x, y) in the unit box: x right, y down, digit height 1."""


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 0) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` in degrees (y down, so increasing
    angles turn clockwise on the page: 270 is the top, 0 the right, 90 the bottom, 180 the left)."""
    n = n or max(4, int(abs(end - start) / 20) + 1)
    t = np.radians(np.linspace(start, end, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _pts(*xy: tuple[float, float]) -> Stroke:
    return np.array(xy, np.float64)


def _chain(*parts: Stroke) -> Stroke:
    """One stroke through several pieces drawn without lifting the pen."""
    return np.concatenate(parts, 0)


def _figure_eight(top: float, bottom: float) -> Stroke:
    # Lemniscate of Gerono (x = sin t cos t, y = sin t): one pen stroke crossing at the waist,
    # with the lower lobe wider than the upper one, as most hands draw it.
    t = np.linspace(-0.75 * math.pi, 1.3 * math.pi, 40)
    s = np.sin(t)
    width = np.where(s < 0, top, bottom)
    return np.stack([0.32 + width * s * np.cos(t), 0.5 + 0.5 * s], 1)


VARIANTS: dict[int, dict[str, list[Stroke]]] = {
    0: {
        "0-oval": [_arc(0.32, 0.5, 0.3, 0.5, 255, 640)],
        "0-narrow": [_arc(0.25, 0.5, 0.2, 0.5, 280, 650)],
        "0-slashed": [_arc(0.3, 0.5, 0.28, 0.5, 260, 630), _pts((0.58, 0.08), (0.02, 0.92))],
    },
    1: {
        "1-stick": [_pts((0.3, 0.0), (0.3, 0.5), (0.3, 1.0))],
        "1-flag": [_pts((0.02, 0.38), (0.2, 0.17), (0.38, 0.0), (0.37, 0.5), (0.36, 1.0))],
        "1-flag-base": [_pts((0.05, 0.3), (0.35, 0.0), (0.35, 0.5), (0.35, 1.0)), _pts((0.08, 1.0), (0.62, 1.0))],
        "1-serif": [_pts((0.15, 0.15), (0.32, 0.0), (0.32, 0.5), (0.32, 1.0))],
    },
    2: {
        "2-plain": [
            _chain(_arc(0.3, 0.28, 0.27, 0.27, 195, 385), _pts((0.3, 0.7), (0.0, 1.0), (0.32, 1.0), (0.65, 1.0)))
        ],
        "2-loop": [
            _chain(
                _arc(0.32, 0.27, 0.27, 0.27, 195, 380),
                _pts((0.35, 0.72), (0.08, 0.98)),
                _arc(0.14, 0.9, 0.1, 0.09, 120, -90),
                _pts((0.4, 0.94), (0.66, 1.0)),
            )
        ],
        "2-curly": [
            _chain(_arc(0.32, 0.28, 0.27, 0.27, 190, 385), _pts((0.38, 0.65), (0.05, 0.98), (0.35, 0.9), (0.68, 0.98)))
        ],
    },
    3: {
        "3-round": [_chain(_arc(0.3, 0.25, 0.25, 0.24, 205, 445), _arc(0.3, 0.74, 0.28, 0.26, 275, 525))],
        "3-flat-top": [
            _chain(_pts((0.05, 0.0), (0.3, 0.0), (0.58, 0.0), (0.24, 0.4)), _arc(0.3, 0.7, 0.28, 0.3, 245, 520))
        ],
        "3-pointed": [
            _chain(_arc(0.3, 0.24, 0.24, 0.24, 200, 400), _pts((0.25, 0.5)), _arc(0.3, 0.75, 0.28, 0.25, 290, 520))
        ],
    },
    4: {
        "4-closed": [
            _pts((0.46, 0.0), (0.2, 0.38), (0.0, 0.68), (0.66, 0.68)),
            _pts((0.47, 0.0), (0.47, 0.5), (0.47, 1.0)),
        ],
        "4-open": [
            _pts((0.1, 0.0), (0.05, 0.35), (0.03, 0.62), (0.66, 0.6)),
            _pts((0.5, 0.08), (0.5, 0.55), (0.5, 1.0)),
        ],
        "4-open-slant": [
            _pts((0.18, 0.0), (0.0, 0.6), (0.35, 0.6), (0.68, 0.58)),
            _pts((0.52, 0.2), (0.5, 0.6), (0.46, 1.0)),
        ],
    },
    5: {
        "5-plain": [
            _chain(_pts((0.12, 0.0), (0.08, 0.45)), _arc(0.3, 0.7, 0.28, 0.29, 215, 505)),
            _pts((0.1, 0.0), (0.62, 0.0)),
        ],
        "5-one-stroke": [_chain(_pts((0.62, 0.0), (0.12, 0.0), (0.08, 0.45)), _arc(0.3, 0.7, 0.28, 0.29, 215, 510))],
        "5-tall-bowl": [
            _chain(_pts((0.15, 0.0), (0.1, 0.35)), _arc(0.3, 0.65, 0.28, 0.34, 220, 500)),
            _pts((0.14, 0.0), (0.6, 0.02)),
        ],
    },
    6: {
        "6-plain": [
            _chain(_pts((0.56, 0.0), (0.3, 0.15), (0.1, 0.42), (0.03, 0.7)), _arc(0.3, 0.72, 0.27, 0.27, 180, 530)),
        ],
        "6-big-loop": [
            _chain(_pts((0.62, 0.06), (0.45, 0.0), (0.2, 0.2), (0.04, 0.5)), _arc(0.32, 0.66, 0.3, 0.34, 170, 525))
        ],
        "6-straight": [_chain(_pts((0.5, 0.0), (0.25, 0.3), (0.05, 0.68)), _arc(0.3, 0.74, 0.26, 0.26, 175, 520))],
    },
    7: {
        "7-plain": [_pts((0.0, 0.02), (0.35, 0.0), (0.64, 0.0), (0.4, 0.5), (0.2, 1.0))],
        "7-cross": [
            _pts((0.0, 0.02), (0.35, 0.0), (0.64, 0.0), (0.4, 0.5), (0.2, 1.0)),
            _pts((0.18, 0.5), (0.64, 0.48)),
        ],
        "7-serif-cross": [
            _pts((0.02, 0.16), (0.02, 0.0), (0.35, 0.0), (0.64, 0.0), (0.42, 0.5), (0.25, 1.0)),
            _pts((0.2, 0.52), (0.66, 0.5)),
        ],
        "7-curved": [_pts((0.0, 0.04), (0.62, 0.0), (0.45, 0.35), (0.33, 0.7), (0.3, 1.0))],
    },
    8: {
        "8-figure": [_figure_eight(0.44, 0.58)],
        "8-two-loops": [_arc(0.32, 0.24, 0.21, 0.24, 90, 460), _arc(0.32, 0.74, 0.28, 0.26, 270, 640)],
        "8-snowman": [_figure_eight(0.36, 0.66)],
    },
    9: {
        "9-closed": [_chain(_arc(0.3, 0.28, 0.27, 0.28, 0, -360), _pts((0.57, 0.3), (0.56, 0.65), (0.55, 1.0)))],
        "9-open": [_arc(0.3, 0.3, 0.27, 0.28, -10, -305), _pts((0.56, 0.05), (0.56, 0.55), (0.54, 1.0))],
        "9-curved-tail": [
            _chain(_arc(0.3, 0.28, 0.27, 0.28, 0, -360), _pts((0.57, 0.35), (0.55, 0.75), (0.42, 0.96), (0.15, 0.98)))
        ],
        "9-script": [_chain(_arc(0.32, 0.28, 0.28, 0.28, 10, -355), _pts((0.6, 0.25), (0.5, 0.65), (0.3, 1.0)))],
    },
}
"""Written forms of each digit, by name ("<digit>-<form>"), each a list of pen strokes."""

ALL_VARIANTS = tuple(name for forms in VARIANTS.values() for name in forms)


@dataclass(frozen=True)
class PenStyle:
    """Ranges a render draws its pen and hand from (each (low, high) is sampled uniformly).

    Stroke width is relative to the digit's height: 0.02 is a hairline pencil on a large digit,
    0.25 a thick marker on a small one. The defaults cover the whole range; the evaluation's
    held-out styles narrow them (and use seeds training never used).
    """

    height: tuple[float, float] = (28.0, 90.0)
    """Digit height in output pixels."""
    width: tuple[float, float] = (0.02, 0.24)
    """Pen width as a fraction of the digit height: hairline pencil to thick marker."""
    pressure: float = 0.35
    """Relative swing of the width along a stroke (0 = constant pen)."""
    slant: tuple[float, float] = (-0.25, 0.4)
    """Horizontal shear per unit height; positive leans the top to the right (italic)."""
    rotation_deg: float = 6.0
    aspect: tuple[float, float] = (0.75, 1.25)
    """Width stretch of the written form."""
    jitter: float = 0.035
    """Standard deviation of each control point's offset, relative to the height."""
    wobble: float = 0.012
    """Amplitude of the hand's slow tremor along each stroke, relative to the height."""
    intensity: tuple[float, float] = (0.55, 1.0)
    """Peak ink level (a soft pencil is grey, a marker full)."""
    variants: tuple[str, ...] | None = None
    """Written forms to draw from (names in ``VARIANTS``); None = all forms of the digit."""
    margin: float = 0.15
    """Blank border around the digit, relative to its height."""

    def forms(self, digit: int) -> list[str]:
        """The variant names this style may draw for ``digit``."""
        names = list(VARIANTS[digit])
        if self.variants is None:
            return names
        chosen = [name for name in names if name in self.variants]
        return chosen or names  # a style restricted to other digits' forms draws this digit's all


def _catmull_rom(points: Stroke, step: float) -> Stroke:
    """A smooth path through ``points`` (already in pixels), sampled every ~``step`` pixels."""
    if len(points) < 2:
        return points
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    out = [points[:1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        n = max(2, int(np.linalg.norm(p2 - p1) / step) + 1)
        t = np.linspace(0, 1, n)[1:, None]
        out.append(
            0.5
            * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    return np.vstack(out)


def _smooth_noise(n: int, rng: np.random.Generator, knots: int = 4) -> np.ndarray:
    """``n`` values of a slow random curve in about -1..1 (linear between a few random knots)."""
    values = rng.uniform(-1, 1, knots)
    return np.interp(np.linspace(0, knots - 1, n), np.arange(knots), values)


def _place(strokes: list[Stroke], digit_h: float, style: PenStyle, rng: np.random.Generator) -> list[Stroke]:
    """Jitter, stretch, slant and rotate the form's control points; return them in pixels."""
    aspect = rng.uniform(*style.aspect)
    slant = rng.uniform(*style.slant)
    angle = math.radians(rng.uniform(-style.rotation_deg, style.rotation_deg))
    cos, sin = math.cos(angle), math.sin(angle)
    placed = []
    for stroke in strokes:
        p = stroke + rng.normal(0.0, style.jitter, stroke.shape)
        x = (p[:, 0] - 0.32) * aspect + slant * (0.5 - p[:, 1])
        y = p[:, 1] - 0.5
        placed.append(np.stack([cos * x - sin * y, sin * x + cos * y], 1) * digit_h)
    return placed


def render_digit(digit: int, rng: np.random.Generator, style: PenStyle = PenStyle()) -> np.ndarray:
    """Draw one handwritten ``digit`` (0-9).

    Returns:
        uint8 HxW image, ink bright on black, the digit about ``style.height`` pixels tall with a
        blank margin around it (H and W depend on the draw).
    """
    if not 0 <= int(digit) <= 9:
        raise ValueError(f"digit must be 0-9, got {digit}")
    forms = style.forms(int(digit))
    form = forms[int(rng.integers(len(forms)))]
    return render_strokes(VARIANTS[int(digit)][form], rng, style)


def render_strokes(strokes: list[Stroke], rng: np.random.Generator, style: PenStyle = PenStyle()) -> np.ndarray:
    """Draw any pen strokes (control points in the unit box, see ``Stroke``) with ``style``'s pen
    and hand: uint8 HxW, ink bright on black. Also used for the non-digits of ``train/junk.py``."""
    digit_h = rng.uniform(*style.height)
    width = rng.uniform(*style.width) * digit_h
    # Supersample small renders so a hairline still comes out anti-aliased, not as a broken line.
    ss = int(np.clip(np.ceil(96 / digit_h), 2, 4))
    paths = []
    for placed in _place(strokes, digit_h * ss, style, rng):
        path = _catmull_rom(placed, step=max(0.5 * ss, width * ss / 3))  # ~half an output pixel
        tremor = style.wobble * digit_h * ss
        if tremor > 0 and len(path) > 2:
            tangent = np.gradient(path, axis=0)
            normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
            normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-9
            path = path + normal * (tremor * _smooth_noise(len(path), rng, knots=6))[:, None]
        paths.append(path)
    everything = np.vstack(paths)
    pad = style.margin * digit_h * ss + width * ss
    lo = everything.min(0) - pad
    hi = everything.max(0) + pad
    size = np.ceil((hi - lo) / ss).astype(int) * ss
    canvas = np.zeros((int(size[1]), int(size[0])), np.uint8)
    shift = 4  # cv2 draws with 4 fractional bits: sub-pixel stroke positions
    for path in paths:
        radius = 0.5 * width * ss * (1.0 + style.pressure * _smooth_noise(len(path), rng))
        radius = np.maximum(radius, 0.5 * ss)
        pts = np.round((path - lo) * (1 << shift)).astype(np.int32)
        for (x, y), r in zip(pts, radius):
            cv2.circle(canvas, (int(x), int(y)), int(round(r * (1 << shift))), 255, -1, cv2.LINE_8, shift)
        # Lines between discs close gaps where the path turns faster than its sampling.
        thin = max(1, int(round(2 * radius.min())))
        cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, 255, thin, cv2.LINE_8, shift)
    out = cv2.resize(canvas, (int(size[0]) // ss, int(size[1]) // ss), interpolation=cv2.INTER_AREA)
    return (out.astype(np.float32) * rng.uniform(*style.intensity)).astype(np.uint8)


def to_mnist_box(ink: np.ndarray) -> np.ndarray:
    """Any uint8 ink crop -> 28x28 uint8 as MNIST was made: longer side 20 px, box centred.

    Stored this way, pen digits and non-digits pass through the same camera-crop augmentation as
    MNIST's own digits (``train/augment.py``).
    """
    x, y, w, h = cv2.boundingRect(ink)
    out = np.zeros((28, 28), np.uint8)
    if w == 0 or h == 0:
        return out
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(ink[y : y + h, x : x + w], size, interpolation=cv2.INTER_AREA)
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return out


def pen_pool(n: int, seed: int, style: PenStyle = PenStyle()) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pen digits (labels cycling 0-9 in random order) as uint8 [n, 28, 28] and uint8 [n]."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10).astype(np.uint8)
    return np.stack([to_mnist_box(render_digit(int(d), rng, style)) for d in labels]), labels


def render_batch(digits: np.ndarray, rng: np.random.Generator, style: PenStyle = PenStyle()) -> list[np.ndarray]:
    """One render per entry of ``digits`` (int [N]); images differ in size, so a list."""
    return [render_digit(int(d), rng, style) for d in digits]
