"""Realistic test scenes with ground truth: MNIST test digits handwritten on paper, seen by a camera.

Digits come from MNIST's **test** set only (never training digits), written in lines of numbers on
white, ruled or squared paper in black, blue or pencil ink. The paper is placed in the frame with
perspective on a desk, under uneven light and a shadow, then noise, blur and JPEG loss are added.
Every scene carries the true digit and its box in frame pixels, so detection and reading can be
scored. A moving-camera video is the same paper under a slowly drifting view.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from livedigits.train.idx import load_split

REPO_MNIST = Path(__file__).resolve().parent.parent / "tests" / "data" / "mnist"
INKS = {"black": (30, 30, 35), "blue": (150, 60, 25), "pencil": (105, 100, 100)}  # BGR


@dataclass(frozen=True)
class Truth:
    digit: int
    box: tuple[int, int, int, int]


@dataclass
class Scene:
    image: np.ndarray
    """HxWx3 uint8 BGR."""
    truths: list[Truth]


@dataclass(frozen=True)
class SceneStyle:
    """What varies between scenes; every range is sampled uniformly per scene."""

    digit_height: tuple[float, float] = (0.05, 0.11)
    """Digit height as a fraction of the frame height."""
    cover: tuple[float, float] = (0.95, 1.25)
    """How much of the frame's height the sheet spans (above 1: the camera is close, edges cut)."""
    perspective: float = 0.06
    light_falloff: float = 0.35
    shadow: float = 0.45
    exposure: tuple[float, float] = (0.45, 1.1)
    """Overall brightness: a dim room (0.45, with more sensor noise) to a bright, clipping one."""
    noise: float = 4.0
    blur: float = 0.8
    jpeg_quality: tuple[int, int] = (60, 92)
    paper: tuple[str, ...] = ("plain", "ruled", "squared")
    inks: tuple[str, ...] = ("black", "blue", "pencil")


class DigitBank:
    """MNIST test digits to write with: uint8 [N,28,28] images and their labels."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = images, labels

    @classmethod
    def load(cls, directory: str | os.PathLike | None = None) -> DigitBank:
        """Load the test split from ``directory``, $LIVEDIGITS_MNIST, or the repo's tests/data/mnist."""
        directory = directory or os.environ.get("LIVEDIGITS_MNIST") or REPO_MNIST
        return cls(*load_split(directory, "test"))

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        i = int(rng.integers(len(self.images)))
        return self.images[i], int(self.labels[i])


def _paper(rng: np.random.Generator, w: int, h: int, kind: str) -> np.ndarray:
    tint = np.array([rng.uniform(225, 250), rng.uniform(228, 252), rng.uniform(230, 255)])
    paper = np.empty((h, w, 3), np.float32)
    paper[:] = tint
    paper += rng.normal(0, 2.5, (h, w, 1)).astype(np.float32)  # fibre texture
    if kind != "plain":
        step = int(rng.uniform(0.045, 0.07) * h)
        colour = (rng.uniform(212, 235), rng.uniform(198, 225), rng.uniform(178, 210))  # ~10-16% darker
        for yy in range(step, h, step):
            cv2.line(paper, (0, yy), (w - 1, yy), colour, 1, cv2.LINE_AA)
        if kind == "squared":
            for xx in range(step, w, step):
                cv2.line(paper, (xx, 0), (xx, h - 1), colour, 1, cv2.LINE_AA)
    return paper


def _write_digit(paper, digit_img, x, y, height, ink_bgr, pressure) -> np.ndarray:
    """Composite one MNIST digit onto the paper with its top-left at (x, y).

    Returns the convex hull of its ink in paper pixels, float32 [K, 1, 2]: projected into the
    frame, it gives the digit's true box (projecting a box's corners would inflate thin digits).
    """
    ys, xs = np.nonzero(digit_img > 30)
    tight = digit_img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = height / tight.shape[0]
    width = max(2, int(round(tight.shape[1] * scale)))
    alpha = cv2.resize(tight, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    alpha = np.clip(alpha * pressure, 0, 1)
    region = paper[y : y + height, x : x + width]
    region *= 1 - alpha[..., None]
    region += alpha[..., None] * np.asarray(ink_bgr, np.float32)
    iy, ix = np.nonzero(alpha > 0.5)
    points = np.stack([ix + x, iy + y], axis=1).astype(np.float32)
    return cv2.convexHull(points).reshape(-1, 1, 2)


def _layout(bank, rng, paper, n_digits, height, ink):
    """Write numbers (1-5 digits each) in lines across the paper; return [(digit, ink hull)]."""
    ph, pw = paper.shape[:2]
    margin = int(0.08 * min(pw, ph))
    truths: list[tuple[int, np.ndarray]] = []
    y = margin + int(rng.uniform(0, 0.25) * ph)
    pressure = rng.uniform(0.85, 1.0) if ink != "pencil" else rng.uniform(0.65, 0.85)
    while len(truths) < n_digits and y + 1.2 * height < ph - margin:
        x = margin + int(rng.uniform(0, 0.1) * pw)
        line_full = False
        while len(truths) < n_digits and not line_full:
            for _ in range(int(rng.integers(1, 6))):
                img, label = bank.draw(rng)
                h = int(height * rng.uniform(0.85, 1.1))
                ys, xs = np.nonzero(img > 30)
                w = int(round((np.ptp(xs) + 1) * h / (np.ptp(ys) + 1)))
                if x + w >= pw - margin:
                    line_full = True
                    break
                yy = min(max(y + int(rng.uniform(-0.08, 0.08) * height), 0), ph - h - 1)
                truths.append((label, _write_digit(paper, img, x, yy, h, INKS[ink], pressure)))
                x += w + int(rng.uniform(0.25, 0.5) * height)
                if len(truths) >= n_digits:
                    break
            x += int(rng.uniform(0.6, 1.2) * height)
        y += int(height * rng.uniform(1.6, 3.4))
    return truths


def _homography(rng, pw, ph, w, h, style, cover):
    """Map the paper into the frame: it covers ``cover`` of the frame, with jittered corners."""
    ch = h * cover
    cw = ch * pw / ph  # a camera does not stretch the paper: keep its aspect ratio
    ox, oy = (w - cw) / 2 + rng.uniform(-0.03, 0.03) * w, (h - ch) / 2 + rng.uniform(-0.03, 0.03) * h
    j = style.perspective
    dst = np.float32(
        [[ox + rng.uniform(-j, j) * w, oy + rng.uniform(-j, j) * h] for _ in range(1)]
        + [[ox + cw + rng.uniform(-j, j) * w, oy + rng.uniform(-j, j) * h]]
        + [[ox + cw + rng.uniform(-j, j) * w, oy + ch + rng.uniform(-j, j) * h]]
        + [[ox + rng.uniform(-j, j) * w, oy + ch + rng.uniform(-j, j) * h]]
    )
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    return cv2.getPerspectiveTransform(src, dst)


def _project(matrix, truths, w, h) -> list[Truth]:
    """Ground truth in frame pixels: each digit's projected ink, if wholly inside the frame."""
    out = []
    for digit, hull in truths:
        pts = cv2.perspectiveTransform(hull, matrix).reshape(-1, 2)
        x0, y0 = np.floor(pts.min(0)).astype(int)
        x1, y1 = np.ceil(pts.max(0)).astype(int)
        if x0 >= 3 and y0 >= 3 and x1 <= w - 3 and y1 <= h - 3:  # as DetectorConfig.border_px
            out.append(Truth(digit, (int(x0), int(y0), int(x1 - x0), int(y1 - y0))))
    return out


def _camera(rng, paper, matrix, w, h, style, light, exposure):
    desk = np.array([rng.uniform(60, 140), rng.uniform(70, 140), rng.uniform(80, 150)], np.float32)
    frame = cv2.warpPerspective(
        paper, matrix, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(desk.tolist())
    )
    frame *= light[..., None] * exposure
    if style.noise > 0:
        # A dim scene means more gain, so more noise.
        frame += rng.normal(0, style.noise / min(1.0, exposure) ** 0.5, frame.shape).astype(np.float32)
    sigma = rng.uniform(0, style.blur) * max(1.0, h / 480)
    if sigma > 0.2:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    quality = int(rng.integers(style.jpeg_quality[0], style.jpeg_quality[1] + 1))
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _lighting(rng, w, h, style):
    """Smooth multiplicative light: a gradient across the frame and one soft shadow."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    light = 1.0 - style.light_falloff * rng.uniform(0.3, 1.0) * ramp
    if style.shadow > 0 and rng.random() < 0.7:
        shadow = np.zeros((h, w), np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        axes = (int(rng.uniform(0.2, 0.5) * w), int(rng.uniform(0.2, 0.5) * h))
        cv2.ellipse(shadow, (int(cx), int(cy)), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        shadow = cv2.GaussianBlur(shadow, (0, 0), 0.05 * w)
        light *= 1.0 - style.shadow * rng.uniform(0.4, 1.0) * shadow
    return light


def _setup(bank, rng, width, height, n_digits, style):
    cover = rng.uniform(*style.cover)
    paper_h = int(height * 1.0)
    # The camera sees a part of the sheet about as wide as the frame (landscape or portrait).
    paper_w = int(paper_h * width / height * rng.uniform(0.95, 1.1))
    paper = _paper(rng, paper_w, paper_h, str(rng.choice(style.paper)))
    digit_h_frame = rng.uniform(*style.digit_height) * height
    digit_h_paper = max(6, int(digit_h_frame / cover))
    truths = _layout(bank, rng, paper, n_digits, digit_h_paper, str(rng.choice(style.inks))) if n_digits else []
    return paper, truths, cover


def render_scene(
    bank: DigitBank | None,
    rng: np.random.Generator,
    width: int = 640,
    height: int = 480,
    n_digits: int = 20,
    style: SceneStyle = SceneStyle(),
) -> Scene:
    """One camera frame of handwritten numbers on paper, with ground truth in frame pixels.

    ``n_digits=0`` (bank may then be None) gives a blank sheet: the frame should show no digits.
    """
    paper, truths, cover = _setup(bank, rng, width, height, n_digits, style)
    matrix = _homography(rng, paper.shape[1], paper.shape[0], width, height, style, cover)
    light = _lighting(rng, width, height, style)
    image = _camera(rng, paper, matrix, width, height, style, light, rng.uniform(*style.exposure))
    return Scene(image, _project(matrix, truths, width, height))


def render_video(
    bank: DigitBank,
    rng: np.random.Generator,
    n_frames: int,
    width: int = 640,
    height: int = 480,
    n_digits: int = 20,
    style: SceneStyle = SceneStyle(),
):
    """Yield ``n_frames`` Scenes of one sheet seen by a slowly moving, hand-held camera."""
    paper, truths, cover = _setup(bank, rng, width, height, n_digits, style)
    base = _homography(rng, paper.shape[1], paper.shape[0], width, height, style, cover)
    light = _lighting(rng, width, height, style)
    exposure = rng.uniform(*style.exposure)
    phase = rng.uniform(0, 2 * np.pi, 3)
    for i in range(n_frames):
        t = i / 30.0
        dx = 0.04 * width * np.sin(0.7 * t + phase[0])
        dy = 0.03 * height * np.sin(0.5 * t + phase[1])
        rot = np.deg2rad(3.0 * np.sin(0.4 * t + phase[2]))
        c, s = np.cos(rot), np.sin(rot)
        cx, cy = width / 2, height / 2
        move = np.array([[c, -s, cx - c * cx + s * cy + dx], [s, c, cy - s * cx - c * cy + dy], [0, 0, 1]])
        matrix = move @ base
        image = _camera(rng, paper, matrix, width, height, style, light, exposure)
        yield Scene(image, _project(matrix, truths, width, height))
