"""The one MNIST normalisation, shared by the runtime and by training.

MNIST digits were size-normalised to fit a 20x20 box (aspect ratio kept, anti-aliased) and then
placed in a 28x28 image so that their centre of mass sits at the centre. Ink is bright (1.0) on
a black (0.0) background. Any crop fed to the model must look the same, so both the runtime
(camera crops) and training (augmented digits) go through :func:`normalize_digit`.
"""

from __future__ import annotations

import cv2
import numpy as np

SIZE = 28
"""Side of the model input, in pixels."""
BOX = 20
"""Side of the box the digit's longer side is scaled to."""
MAX_LEAN = 1.0
"""The most a crop is measured to lean (:func:`leans`, x per y, 45 degrees): a flat dash's rows
are too few to measure it by."""


def normalize_digit(ink: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return a digit in MNIST style.

    Args:
        ink: HxW array (uint8 or float), ink bright on a dark background. It may have empty
            margins; only the bounding box of non-zero pixels is used.
        out: optional 28x28 float32 array to write into (avoids an allocation per digit).

    Returns:
        28x28 float32 array in 0..1, the digit's longer side 20 px, its centre of mass at (14, 14).
        All zeros when ``ink`` has no ink.
    """
    if ink.ndim != 2:
        raise ValueError(f"ink must be a 2-D HxW array, got shape {ink.shape}")
    if out is None:
        out = np.zeros((SIZE, SIZE), np.float32)
    else:
        out.fill(0.0)
    # boundingRect of an 8-bit image is the box of its non-zero pixels.
    x, y, w, h = cv2.boundingRect(ink if ink.dtype == np.uint8 else (ink > 0).astype(np.uint8))
    if w == 0 or h == 0:
        return out
    crop = ink[y : y + h, x : x + w]
    if crop.dtype not in (np.uint8, np.float32):
        crop = crop.astype(np.float32)
    scale = BOX / max(w, h)
    new_w = max(1, round(w * scale))
    new_h = max(1, round(h * scale))
    # INTER_AREA anti-aliases when shrinking, as MNIST's own normalisation did; upscaling small
    # crops needs interpolation instead.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(crop, (new_w, new_h), interpolation=interp).astype(np.float32)
    peak = float(small.max())
    if peak <= 0:
        return out
    small *= 1.0 / peak
    m = cv2.moments(small)
    if m["m00"] <= 1e-6:
        cx, cy = new_w / 2, new_h / 2
    else:
        cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    # Integer shift that puts the centre of mass at the centre, clamped so the digit stays
    # inside the canvas (a lopsided digit keeps all its ink rather than losing an edge).
    left = int(round(SIZE / 2 - cx))
    top = int(round(SIZE / 2 - cy))
    left = min(max(left, 0), SIZE - new_w)
    top = min(max(top, 0), SIZE - new_h)
    out[top : top + new_h, left : left + new_w] = small
    return out


def normalize_batch(inks, out: np.ndarray | None = None) -> np.ndarray:
    """Normalise a sequence of HxW ink crops into model input float32 [N, 28, 28, 1]."""
    if out is None:
        out = np.empty((len(inks), SIZE, SIZE, 1), np.float32)
    for i, ink in enumerate(inks):
        normalize_digit(ink, out=out[i, :, :, 0])
    return out


def leans(batch: np.ndarray) -> np.ndarray:
    """float64 [N]: how far each normalised digit of ``batch`` ([N, 28, 28, 1] or [N, 28, 28])
    leans, x per y (y down: a hand leaning right gives a negative lean), by its ink's second
    moments, at most :data:`MAX_LEAN` either way; 0 for an empty crop. The normalisation scales
    both axes alike, so the lean is the crop's own."""
    ink = batch.reshape(len(batch), SIZE, SIZE).astype(np.float64)
    mass = ink.sum(axis=(1, 2))
    safe = np.where(mass > 0, mass, 1.0)
    axis = np.arange(SIZE, dtype=np.float64)
    cols, rows = ink.sum(axis=1), ink.sum(axis=2)  # [N, x] and [N, y]
    mx = (cols @ axis) / safe
    my = (rows @ axis) / safe
    dy = axis[None, :] - my[:, None]
    spread = (rows * dy**2).sum(axis=1) / safe
    dx = axis[None, :] - mx[:, None]
    cov = np.einsum("nyx,ny,nx->n", ink, dy, dx) / safe
    lean = np.where((mass > 0) & (spread > 0), cov / np.where(spread > 0, spread, 1.0), 0.0)
    return np.clip(lean, -MAX_LEAN, MAX_LEAN)
