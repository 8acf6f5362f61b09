"""Augmentation that makes MNIST digits look like crops from a camera frame.

A camera crop differs from an MNIST digit in pen and scale, not in kind: the digit is slanted,
rotated, squashed, drawn with a thicker or thinner pen (hairline pencil to marker), blurred by
focus and motion, noisy, JPEG-compressed by the webcam, sometimes only a few pixels tall (far
from the camera), and what the model finally sees is the runtime's ink: its darkness, or its
binary mask. Each sample is warped at a random, larger resolution (as a real crop
is), then brought back through :func:`livedigits.mnist.normalize_digit`, exactly the path the
runtime uses, so training and runtime inputs match.

Pure numpy/OpenCV: usable and testable without TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from livedigits.mnist import SIZE, normalize_digit


@dataclass(frozen=True)
class CameraAugment:
    """Ranges of the random camera-crop transform (the first ones were tuned on MNIST test accuracy, before
    training had a validation split; the pen, JPEG and mask ranges were set by eye, not by any score)."""

    p: float = 0.85
    """Probability that a sample is augmented at all; the rest pass through unchanged."""
    rotation_deg: float = 12.0
    shear: float = 0.3
    aspect: float = 0.18
    """Relative stretch of one axis against the other, +/-."""
    upscale: tuple[float, float] = (1.0, 4.0)
    """Resolution of the simulated crop relative to 28x28."""
    p_thicker: float = 0.25
    p_thinner: float = 0.2
    p_blur: float = 0.3
    blur_sigma: tuple[float, float] = (0.4, 1.2)
    noise: float = 0.08
    gamma: tuple[float, float] = (0.6, 1.6)
    pen_radius: tuple[float, float] = (0.4, 1.2)
    """Radius of the thicker/thinner pen's disc, relative to the crop's resolution."""
    p_marker: float = 0.3
    """Of the thicker samples, the share thickened twice (a marker)."""
    p_jpeg: float = 0.3
    jpeg_quality: tuple[int, int] = (20, 85)
    p_mask: float = 0.3
    """Share of samples seen as the runtime's binary ink mask (after blur, noise and JPEG)."""
    p_noisy: float = 0.0
    """Share of samples seen through a dim, noisy webcam as the runtime reads one (:func:`noisy`).
    Off in the first stage of the shipped recipe, 0.15 in its camera stage (``train/fit.py``):
    on from the start (0.15, with ``p_tiny`` 0.12, 60 epochs) it read tiny digits and the webcam
    better and boxes and ruled paper worse (``models/README.md``)."""
    noisy_sigma: tuple[float, float] = (0.04, 0.25)
    """Sensor noise, as a share of the paper's brightness."""
    noisy_height: tuple[float, float] = (16.0, 48.0)
    """Height in frame pixels of a noisy sample's 20-px digit."""
    p_tiny: float = 0.0
    """Share of augmented samples seen as a tiny digit far from the camera (:func:`tiny`): a few
    pixels tall in the frame, read as the runtime reads a small candidate (its gray enlarged 3x,
    ink to half its peak darkness). Off in the first stage of the shipped recipe and 0.12 in its
    camera stage, as ``p_noisy``."""
    tiny_height: tuple[float, float] = (6.0, 16.0)
    """How tall a tiny digit is in the frame, in pixels (the digit, not its 28-px MNIST box)."""
    p_stub: float = 0.0
    """Share of augmented samples with a piece of a line along one side (:func:`stub`): what the
    line eraser leaves of a box's side or a ruling the digit touches. Off in the shipped recipe."""

    def __call__(self, digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Augment one uint8 28x28 MNIST digit; return a normalised 28x28 float32 in 0..1."""
        if rng.random() >= self.p:
            return normalize_digit(digit)
        crop = self.camera_crop(digit, rng)
        # A draw that wiped the digit out (a pen thinner than a faint stroke) is no sample.
        return normalize_digit(crop if crop.any() else digit)

    def camera_crop(self, digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return the digit as a float32 ink map at a random resolution (not yet normalised)."""
        scale = rng.uniform(*self.upscale)
        side = int(math.ceil(SIZE * scale * 1.6))
        angle = math.radians(rng.uniform(-self.rotation_deg, self.rotation_deg))
        shear = rng.uniform(-self.shear, self.shear)
        stretch = 1.0 + rng.uniform(-self.aspect, self.aspect)
        cos, sin = math.cos(angle), math.sin(angle)
        rotate = np.array([[cos, -sin], [sin, cos]])
        linear = scale * rotate @ np.array([[stretch, shear], [0.0, 1.0 / stretch]])
        centre_in = np.array([SIZE / 2, SIZE / 2])
        offset = np.array([side / 2, side / 2]) - linear @ centre_in
        matrix = np.hstack([linear, offset[:, None]]).astype(np.float32)
        ink = cv2.warpAffine(digit.astype(np.float32) / 255.0, matrix, (side, side), flags=cv2.INTER_LINEAR)

        # Pen width changes in proportion to the crop's resolution, as a real pen's would.
        radius = max(1, int(round(scale * rng.uniform(*self.pen_radius))))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        roll = rng.random()
        if roll < self.p_thicker:
            ink = cv2.dilate(ink, kernel, iterations=2 if rng.random() < self.p_marker else 1)
        elif roll < self.p_thicker + self.p_thinner and scale >= 2.0:
            thinner = cv2.erode(ink, kernel)
            if thinner.max() >= 0.25:  # a pen thinner than the stroke would leave nothing
                ink = thinner
        if rng.random() < self.p_blur:
            ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(*self.blur_sigma) * scale)
        ink = np.power(np.clip(ink, 0.0, 1.0), rng.uniform(*self.gamma))
        if self.noise > 0:
            support = ink > 0.1
            speckled = ink + rng.normal(0.0, rng.uniform(0, self.noise), ink.shape).astype(np.float32)
            ink = np.where(support, speckled, 0.0)
        ink = np.clip(ink, 0.0, 1.0)
        if self.p_stub > 0 and rng.random() < self.p_stub:  # (off: the shipped recipe's draws)
            ink = stub(ink, scale, rng)
        if self.p_tiny > 0 or self.p_noisy > 0:  # (off, the draws are those of the shipped recipe)
            roll = rng.random()
            if roll < self.p_tiny:
                return tiny(ink, 20.0 * scale, rng, self)
            if roll < self.p_tiny + self.p_noisy:
                return noisy(ink, 20.0 * scale, rng, self)
        return webcam(ink, rng, self)


def stub(ink: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``ink`` (float32 HxW, 0..1) with a straight piece of line along one side of the digit, as
    the runtime's crop of a digit written against a box's side or on a ruling keeps it: touching
    the ink's edge or a pixel off it, 60-110% of the digit's width (or height), 0.7-2 MNIST pixels
    thick (``scale`` crop pixels each), about as dark as the ink. A new array; ``ink`` is kept."""
    ys, xs = np.nonzero(ink > 0.2)
    if len(ys) == 0:
        return ink
    y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
    width = max(1, int(round(scale * rng.uniform(0.7, 2.0))))
    gap = int(round(scale * rng.uniform(-0.5, 1.0)))  # < 0: into the digit's edge
    side = int(rng.integers(4))
    if side < 2:  # above or below, lying
        span = (x1 - x0 + 1) * rng.uniform(0.6, 1.1)
        mid = 0.5 * (x0 + x1) + rng.uniform(-0.15, 0.15) * (x1 - x0 + 1)
        y = y0 - gap - width // 2 - 1 if side == 0 else y1 + gap + width // 2 + 1
        ends = ((int(mid - span / 2), int(y)), (int(mid + span / 2), int(y)))
    else:  # left or right, standing
        span = (y1 - y0 + 1) * rng.uniform(0.6, 1.1)
        mid = 0.5 * (y0 + y1) + rng.uniform(-0.15, 0.15) * (y1 - y0 + 1)
        x = x0 - gap - width // 2 - 1 if side == 2 else x1 + gap + width // 2 + 1
        ends = ((int(x), int(mid - span / 2)), (int(x), int(mid + span / 2)))
    line = np.zeros_like(ink)
    cv2.line(line, ends[0], ends[1], float(rng.uniform(0.6, 1.0)), width)
    return np.maximum(ink, line)


def webcam(ink: np.ndarray, rng: np.random.Generator, augment: CameraAugment) -> np.ndarray:
    """The last steps of a camera: JPEG on the paper image, then (sometimes) the runtime's ink mask.

    ``ink`` is a float32 HxW ink map in 0..1; returns one too, faint residue removed.
    """
    ink = ink.astype(np.float32, copy=False)
    if rng.random() < augment.p_jpeg:
        # Ink on paper as a camera sees it: paper ~0.85, ink a contrast below it.
        contrast = rng.uniform(0.35, 0.8)
        paper = np.clip((0.85 - contrast * ink) * 255.0, 0, 255).astype(np.uint8)
        quality = int(rng.integers(augment.jpeg_quality[0], augment.jpeg_quality[1] + 1))
        ok, data = cv2.imencode(".jpg", paper, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            decoded = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255.0
            ink = np.clip((0.85 - decoded) / contrast, 0.0, 1.0)
    if rng.random() < augment.p_mask:
        # The detector's mask: a pixel is ink when clearly darker than the paper around it.
        masked = (ink > rng.uniform(0.25, 0.6)).astype(np.float32)
        if masked.any():  # a digit too faint for any of it to pass is no sample of a mask
            ink = masked
    # Faint residue would widen the bounding box, which the runtime's mask never does.
    kept = ink >= 0.05
    return np.where(kept, ink, 0.0).astype(np.float32) if kept.any() else ink


def noisy(ink: np.ndarray, digit_px: float, rng: np.random.Generator, augment: CameraAugment) -> np.ndarray:
    """Ink on paper through a dim, high-gain webcam, read as the runtime reads a noisy frame.

    The paper image (ink darkening it by a contrast) gets sensor noise, is smoothed 3x3 as the
    runtime smooths a noisy frame, thresholded 20% below the paper (``DetectorConfig.ink_ratio``),
    and read as darkness under that mask (1 at the darkest pixel). Specks of noise that pass the
    threshold are kept only near the digit, as only the specks touching its strokes join a
    candidate. ``ink`` (float32 HxW, 0..1) holds a digit ``digit_px`` tall; it is seen
    ``noisy_height`` px tall. Returns a float32 ink map, 0..1.
    """
    # At a webcam's size for a digit (a noisy frame is read at its own resolution).
    factor = rng.uniform(*augment.noisy_height) / max(digit_px, 1.0)
    if factor < 1.0:
        h, w = ink.shape
        ink = cv2.resize(ink, (max(2, round(w * factor)), max(2, round(h * factor))), interpolation=cv2.INTER_AREA)
    contrast = rng.uniform(0.3, 0.8)
    image = 1.0 - contrast * ink  # paper at 1
    image = image + rng.normal(0.0, rng.uniform(*augment.noisy_sigma), ink.shape).astype(np.float32)
    image = cv2.GaussianBlur(image, (3, 3), 0)
    near = cv2.dilate((ink > 0.05).astype(np.uint8), np.ones((3, 3), np.uint8))
    mask = (image < 0.8) & (near > 0)
    if not mask.any():
        return ink
    darkness = np.where(mask, 1.0 - image, 0.0)
    return np.clip(darkness / darkness.max(), 0.0, 1.0).astype(np.float32)


def tiny(ink: np.ndarray, digit_px: float, rng: np.random.Generator, augment: CameraAugment) -> np.ndarray:
    """A digit seen a few pixels tall, as the runtime reads it (``DetectorConfig.fine_scale``).

    ``ink`` (float32 HxW, 0..1) holds a digit ``digit_px`` tall; the camera samples it down to
    ``tiny_height`` px (area), blurs and noises it there, then the runtime enlarges the crop 3x
    (cubic) and keeps the ink darker than a level between a quarter and half its peak, as its
    darkness (1 at the peak). Returns a float32 ink map, 3x the tiny size; ``ink`` itself when
    sampling leaves nothing of it (or it holds nothing). A digit never grows: one already that
    small is sampled at its own size.
    """
    factor = min(1.0, rng.uniform(*augment.tiny_height) / max(digit_px, 1.0))
    h, w = ink.shape
    small = cv2.resize(ink, (max(2, round(w * factor)), max(2, round(h * factor))), interpolation=cv2.INTER_AREA)
    if float(small.max()) <= 0.05:
        return np.clip(ink, 0.0, 1.0)  # sampled away (or nothing there): noise alone is no digit
    if rng.random() < 0.5:
        small = cv2.GaussianBlur(small, (0, 0), rng.uniform(0.3, 0.8))
    small = small + rng.normal(0.0, rng.uniform(0.0, 0.05), small.shape).astype(np.float32)
    big = cv2.resize(np.clip(small, 0.0, 1.0), None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    peak = float(big.max())
    big = np.where(big >= rng.uniform(0.25, 0.5) * peak, big / peak, 0.0).astype(np.float32)
    return np.clip(big, 0.0, 1.0)


def augment_batch(images: np.ndarray, augment: CameraAugment, rng: np.random.Generator) -> np.ndarray:
    """Augment uint8 [N, 28, 28] digits into float32 [N, 28, 28, 1] model input."""
    return np.stack([augment(digit, rng) for digit in images])[..., None]
