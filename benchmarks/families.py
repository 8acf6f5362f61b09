"""Scene families that vary independently: photo-like frames of digits with ground truth.

Each family is one way a real scene departs from "a page filling the camera's view":

    a_sheet    the whole sheet in view on a wooden, dark, light grey or patterned desk, 25-100% of
               the frame's height, its edge and shadow visible
    b_note     a sticky note or small card on a desk
    c_boxes    numbers in drawn boxes, table cells and form fields (underline, box, one box per digit)
    d_ruled    ruled and squared paper whose lines cross the digits, from faint to as dark as the ink
    e_size     single big digits (30-60% of the frame's height) or tiny ones (1.5-3%)
    f_slope    lines sloping up to 10 degrees, and lines close together
    g_glyphs   digits that are not MNIST: Hershey fonts, handwriting fonts, a pen model
    h_clutter  a pen, a finger, a keyboard edge, scribbles and letters beside the digits  (held out)
    i_webcam   a dim 640x480 webcam: noise, motion blur, heavy JPEG
    j_board    a whiteboard (marker, glare) and coloured paper                          (held out)

The held-out families (:data:`HELD_OUT`) must stay out of all tuning: report them apart.

Digits are MNIST **test** digits except in g (and mixed in where noted). Every constant here comes
from the scene it imitates (paper sizes, ruling pitches, desk colours, webcam noise), never from
the detector. The pipeline: a sheet (paper with its ink, in its own pixels) is placed in the frame
by a homography over a desk, props (pen, finger, keyboard) go on top, then light, exposure, optics
and motion blur, sensor noise and JPEG. Truth boxes are each digit's ink hull projected into the
frame; a digit counts as visible when it is wholly inside the frame and not hidden by a prop.

    scene = render("a_sheet", np.random.default_rng(0), 1280, 720)
    scene.image, scene.truths, scene.numbers
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from benchmarks import glyphs as G
from benchmarks.synth import DigitBank, Truth
from benchmarks.synth import Scene as _SynthScene

FAMILIES = (
    "a_sheet",
    "b_note",
    "c_boxes",
    "d_ruled",
    "e_size",
    "f_slope",
    "g_glyphs",
    "h_clutter",
    "i_webcam",
    "j_board",
)
HELD_OUT = ("h_clutter", "j_board")
"""Families kept out of every tuning decision; the benchmark reports them apart."""
VIDEO_FAMILIES = ("a_sheet", "c_boxes", "d_ruled", "i_webcam")
DESCRIPTIONS = {
    "a_sheet": "whole sheet in view on a desk (wood, dark, grey, pattern), 25-100% of frame height",
    "b_note": "sticky note or small card on a desk",
    "c_boxes": "numbers in drawn boxes, tables and form fields",
    "d_ruled": "ruled and squared paper, faint to ink-dark rulings crossing digits",
    "e_size": "single big digits (30-60% of height) or tiny ones (1.5-3%)",
    "f_slope": "lines sloping up to 10 degrees, lines close together",
    "g_glyphs": "non-MNIST glyphs: Hershey fonts, handwriting fonts, pen model",
    "h_clutter": "clutter: pen, finger, keyboard edge, scribbles, letters",
    "i_webcam": "dim 640x480 webcam, noise, motion blur, JPEG",
    "j_board": "whiteboard with marker and glare; coloured paper",
}

INKS = {"black": (35, 30, 30), "blue": (140, 55, 20), "pencil": (100, 96, 95)}  # BGR, pens on paper
MARKERS = {"black": (40, 38, 36), "blue": (150, 70, 15), "red": (40, 35, 190), "green": (60, 130, 30)}
NOTE_COLOURS = {
    "yellow": (120, 232, 250),
    "pink": (190, 160, 250),
    "green": (160, 238, 185),
    "blue": (245, 215, 165),
    "white card": (236, 238, 240),
}
PAPER_COLOURS = {"yellow": (150, 225, 245), "pink": (205, 185, 245), "blue": (235, 205, 170), "green": (175, 225, 185)}
A4 = 297 / 210
"""A sheet's height over its width (ISO 216)."""
SHEET_SCALE = 1.25
"""Sheet pixels per frame pixel where the sheet is drawn: a little finer than the frame, as a real page is."""


@dataclass(frozen=True)
class NumberTruth:
    text: str
    box: tuple[int, int, int, int]
    line: int
    """Index of its line among the lines in view, 0 at the top."""


@dataclass
class Scene(_SynthScene):
    """A frame with its truths; ``numbers`` the whole numbers, ``truth_ids`` each truth's digit on
    the sheet (stable across the frames of a video)."""

    numbers: list[NumberTruth] = field(default_factory=list)
    truth_ids: list[int] = field(default_factory=list)
    family: str = ""
    variant: str = ""


@dataclass
class Sheet:
    """Paper with its ink, in its own pixels: float32 [h, w, 3] BGR 0..255."""

    image: np.ndarray
    marks: list[tuple[int, np.ndarray]] = field(default_factory=list)
    """(digit, ink hull float32 [K, 1, 2] in sheet pixels) of each written digit."""
    numbers: list[tuple[str, list[int], int]] = field(default_factory=list)
    """(text, indices into marks, line number on the sheet)."""
    next_line: int = 0


@dataclass
class Look:
    """The camera: what happens between the scene's light and the saved frame."""

    exposure: float = 0.9
    noise: float = 3.0
    """Sensor noise sigma at full exposure (grows as the exposure falls: more gain)."""
    blur: float = 0.5
    """Optics blur sigma in 640x480 pixels."""
    motion: tuple[float, float] = (0.0, 0.0)
    """Motion blur length (640x480 pixels) and angle (degrees)."""
    jpeg: int = 85
    light: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Light falloff strength, its direction (radians), soft shadow strength."""
    glare: float = 0.0
    sensor: tuple[int, int] | None = None
    """Capture at this size then scale to the requested frame (a low-resolution webcam)."""


@dataclass
class Stage:
    """Everything a frame is rendered from; a video moves ``quad`` and ``props`` frame by frame."""

    sheet: Sheet
    desk: np.ndarray
    """float32 [H, W, 3] BGR."""
    quad: np.ndarray
    """float32 [4, 2]: where the sheet's corners (tl, tr, br, bl) land in the frame."""
    look: Look
    props: list = field(default_factory=list)
    """Callables (frame float32 [H,W,3], occluded bool [H,W]) -> None, drawn over the sheet."""
    shadow: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """The sheet's drop shadow on the desk: offset x, offset y (pixels) and strength."""
    seed: int = 0
    variant: str = ""
    """Which kind of scene within the family (a desk, a ruling darkness, big or tiny digits...)."""


# ----------------------------------------------------------------------------------------------
# Surfaces


def smooth_noise(rng: np.random.Generator, w: int, h: int, cell: float) -> np.ndarray:
    """Smooth random field float32 [h, w], about unit variance, features ``cell`` pixels wide."""
    gw, gh = max(2, int(w / cell) + 2), max(2, int(h / cell) + 2)
    return cv2.resize(rng.normal(0, 1, (gh, gw)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def desk(kind: str, rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A desk surface float32 [h, w, 3] BGR: wood, dark, grey or pattern."""
    if kind == "wood":
        vertical = rng.random() < 0.5
        gw, gh = (h, w) if vertical else (w, h)
        yy = np.arange(gh, dtype=np.float32)[:, None] / gh
        period = rng.uniform(0.015, 0.045)
        # Grain runs along x: the bands bend gently over the board's length, and knots are rare.
        bend = cv2.resize(rng.normal(0, 1, (4, 3)).astype(np.float32), (gw, gh), interpolation=cv2.INTER_CUBIC)
        ripple = cv2.resize(rng.normal(0, 1, (16, 5)).astype(np.float32), (gw, gh), interpolation=cv2.INTER_CUBIC)
        phase = yy / period + 2.0 * bend + 0.5 * ripple
        grain = 0.5 + 0.5 * np.sin(2 * np.pi * phase) ** 3
        streaks = cv2.resize(rng.normal(0, 1, (gh // 2, max(2, gw // 60))).astype(np.float32), (gw, gh))
        tone = 0.72 + 0.22 * grain + 0.04 * streaks
        if vertical:
            tone = tone.T
        base = np.array([rng.uniform(35, 80), rng.uniform(75, 125), rng.uniform(120, 185)], np.float32)
        return tone[..., None] * base
    if kind == "dark":
        level = rng.uniform(22, 65)
        tint = rng.uniform(0.85, 1.15, 3).astype(np.float32)
        return (level * tint)[None, None, :] * (1 + 0.06 * smooth_noise(rng, w, h, 40))[..., None]
    if kind == "grey":
        level = rng.uniform(150, 205)  # a light grey desk: little contrast with the paper
        out = np.full((h, w, 3), level, np.float32) * (1 + 0.03 * smooth_noise(rng, w, h, 60))[..., None]
        return out + 3.0 * rng.standard_normal((h, w, 1), dtype=np.float32)
    # pattern: gingham, stripes or dots on a coloured tablecloth / laminate
    a = rng.uniform(40, 200, 3).astype(np.float32)
    b = rng.uniform(120, 240, 3).astype(np.float32)
    cell = rng.uniform(0.02, 0.07) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    style = rng.integers(3)
    if style == 0:
        m = ((xx // cell) % 2 + (yy // cell) % 2) / 2
    elif style == 1:
        m = ((xx + yy) // cell % 2).astype(np.float32)
    else:
        m = (np.hypot(xx % (2 * cell) - cell, yy % (2 * cell) - cell) < 0.45 * cell).astype(np.float32)
    m = cv2.GaussianBlur(m.astype(np.float32), (0, 0), 1.0)
    return a * m[..., None] + b * (1 - m[..., None])


DESKS = ("wood", "dark", "grey", "pattern")


def paper(rng: np.random.Generator, w: int, h: int, tint=None) -> np.ndarray:
    """Blank paper float32 [h, w, 3] BGR: a near-white (or ``tint``) with fibre texture."""
    if tint is None:
        tint = (rng.uniform(228, 250), rng.uniform(232, 252), rng.uniform(234, 255))
    out = np.empty((h, w, 3), np.float32)
    out[:] = np.asarray(tint, np.float32) * rng.uniform(0.97, 1.0)
    out *= (1 + 0.012 * smooth_noise(rng, w, h, max(w, h) / 6))[..., None]
    out += 2.0 * rng.standard_normal((h, w, 1), dtype=np.float32)
    return out


def stroke(canvas: np.ndarray, points, colour, width: float, opacity: float = 1.0) -> None:
    """Draw an anti-aliased polyline float [N, 2] on float32 [H, W, 3] ``canvas`` in place."""
    pts = np.asarray(points, np.float64)
    x0, y0 = np.floor(pts.min(0) - width - 2).astype(int)
    x1, y1 = np.ceil(pts.max(0) + width + 2).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, canvas.shape[1]), min(y1, canvas.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    local = np.round((pts - (x0, y0)) * 4).astype(np.int32)
    cv2.polylines(mask, [local], False, 255, max(1, int(round(width))), cv2.LINE_AA, shift=2)
    a = mask.astype(np.float32)[..., None] * (opacity / 255.0)
    region = canvas[y0:y1, x0:x1]
    region *= 1 - a
    region += a * np.asarray(colour, np.float32)


def hand_line(rng: np.random.Generator, p0, p1, wobble: float) -> np.ndarray:
    """A hand-drawn straight line: float [N, 2] points from p0 to p1, bowing by about ``wobble`` px."""
    t = np.linspace(0, 1, 12)[:, None]
    pts = np.asarray(p0, np.float64) * (1 - t) + np.asarray(p1, np.float64) * t
    d = np.asarray(p1, np.float64) - np.asarray(p0, np.float64)
    normal = np.array([-d[1], d[0]]) / (np.hypot(*d) + 1e-9)
    bow = rng.normal(0, wobble) * np.sin(np.pi * t) + np.cumsum(rng.normal(0, wobble * 0.15, (12, 1)), 0)
    return pts + bow * normal


def hand_rect(canvas, rng, x0, y0, x1, y1, colour, width) -> None:
    """A rectangle drawn by hand: four slightly bowed sides that overshoot at the corners."""
    wob = 0.01 * max(x1 - x0, y1 - y0) + 0.5
    over = lambda: rng.uniform(0, 0.04) * max(x1 - x0, y1 - y0)  # noqa: E731
    for p0, p1 in (((x0 - over(), y0), (x1 + over(), y0)), ((x1, y0 - over()), (x1, y1 + over()))):
        stroke(canvas, hand_line(rng, p0, p1, wob), colour, width)
    for p0, p1 in (((x1 + over(), y1), (x0 - over(), y1)), ((x0, y1 + over()), (x0, y0 - over()))):
        stroke(canvas, hand_line(rng, p0, p1, wob), colour, width)


def print_text(canvas, text: str, x: int, y: int, height: float, colour=(60, 60, 60)) -> None:
    """Printed label text (Hershey simplex) with its baseline at y, capitals ``height`` px tall."""
    scale = height / 22.0
    thickness = max(1, int(scale * 1.6))
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    x0, y0 = max(0, int(x) - 2), max(0, int(y) - th - 4)
    x1, y1 = min(canvas.shape[1], int(x) + tw + 4), min(canvas.shape[0], int(y) + base + 4)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.putText(mask, text, (int(x) - x0, int(y) - y0), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness, cv2.LINE_AA)
    a = mask.astype(np.float32)[..., None] / 255.0
    region = canvas[y0:y1, x0:x1]
    region *= 1 - a
    region += a * np.asarray(colour, np.float32)


# ----------------------------------------------------------------------------------------------
# Writing numbers


@dataclass
class Pen:
    """How digits are written on one sheet."""

    glyphs: G.Glyphs
    ink: tuple = INKS["black"]
    pressure: tuple[float, float] = (0.85, 1.0)
    sources: tuple[str, ...] = ("mnist",)
    bold: int = 0
    tilt: float = 0.0
    """Rotation of each glyph in degrees (writing along a sloping line)."""


def write_number(
    sheet: Sheet, pen: Pen, rng: np.random.Generator, x: float, y: float, h: float, n: int, slope: float = 0.0
) -> float | None:
    """Write an ``n``-digit number with its first digit's top-left at (x, y), digits about ``h`` tall.

    ``slope`` (radians) lifts later digits. Returns the x after the number, or None when a digit
    would leave the sheet (what was written of it is kept as single digits' truths).
    """
    start = len(sheet.marks)
    text = ""
    x0 = x
    for _ in range(n):
        source = str(rng.choice(pen.sources))
        alpha, label = pen.glyphs.draw(rng, source)
        if pen.tilt:
            alpha = G.rotate_alpha(alpha, pen.tilt + rng.normal(0, 1.5))
        hh = int(round(h * rng.uniform(0.88, 1.08)))
        ww = alpha.shape[1] * hh / alpha.shape[0]
        yy = y + (h - hh) + (x - x0) * np.tan(slope) + rng.normal(0, 0.04) * h  # on a common baseline
        hull = G.write(sheet.image, alpha, int(x), int(yy), hh, pen.ink, rng.uniform(*pen.pressure), pen.bold)
        if hull is None:
            break
        sheet.marks.append((label, hull))
        text += str(label)
        x += ww + rng.uniform(0.1, 0.35) * h
    if text:
        sheet.numbers.append((text, list(range(start, len(sheet.marks))), sheet.next_line))
    return x if len(text) == n else None


def write_lines(sheet: Sheet, pen: Pen, rng, region, h: float, pitch: float, slope_deg: float = 0.0, drift=0.0):
    """Fill ``region`` (x0, y0, x1, y1 sheet pixels) with lines of 1-5 digit numbers, ``pitch`` apart."""
    x0, y0, x1, y1 = region
    y = y0
    while y + 1.2 * h < y1:
        slope = np.deg2rad(slope_deg + rng.normal(0, drift))
        x = x0 + rng.uniform(0, 0.08) * (x1 - x0)
        # keep the sloping line inside the region: it rises or falls over its length
        if (x1 - x) * np.tan(slope) + y + 1.2 * h > y1 or (x1 - x) * np.tan(slope) + y < y0 - h:
            y += pitch
            continue
        while x < x1 - 1.5 * h:
            n = int(rng.integers(1, 6))
            if x + n * 0.95 * h > x1:
                n = max(1, int((x1 - x) / (0.95 * h)))
            pen.tilt = -np.rad2deg(slope)
            nx = write_number(sheet, pen, rng, x, y + (x - x0) * np.tan(slope), h, n, slope)
            if nx is None:
                break
            x = nx + rng.uniform(1.0, 2.2) * h
        sheet.next_line += 1
        y += pitch


def choose_ink(rng) -> tuple[tuple, tuple[float, float]]:
    """(ink BGR, pressure range): a ballpoint, a blue pen or a pencil (lighter)."""
    name = str(rng.choice(list(INKS)))
    return INKS[name], (0.6, 0.85) if name == "pencil" else (0.85, 1.0)


# ----------------------------------------------------------------------------------------------
# Placing the sheet and shooting the frame


def sheet_size(width: int, height: int, frame_h_of_sheet: float, aspect: float) -> tuple[int, int]:
    """Sheet pixel size (w, h) for a sheet that spans ``frame_h_of_sheet`` frame pixels tall."""
    sh = int(max(80, frame_h_of_sheet * SHEET_SCALE))
    return max(40, int(sh / aspect)), sh


def place(rng, sw: int, sh: int, width: int, height: int, span: float, center, rotation_deg: float, tilt: float):
    """Corners float32 [4, 2] of a sw x sh sheet spanning ``span`` frame pixels tall, centred at
    ``center``, turned by ``rotation_deg``, with ``tilt`` (0..0.15) of perspective jitter."""
    s = span / sh
    corners = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]]) * s
    corners -= corners.mean(0)
    corners += rng.normal(0, tilt * span / 2, (4, 2)).astype(np.float32)
    a = np.deg2rad(rotation_deg)
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return corners @ rot.T + np.float32(center)


def fit_inside(quad: np.ndarray, width: int, height: int, margin: float) -> np.ndarray:
    """Shrink and shift ``quad`` about its centre until it lies inside the frame with ``margin`` px."""
    c = quad.mean(0)
    w, h = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])
    s = min(1.0, (width - 2 * margin) / w, (height - 2 * margin) / h)
    q = (quad - c) * s + c
    dx = max(0, margin - q[:, 0].min()) - max(0, q[:, 0].max() - (width - margin))
    dy = max(0, margin - q[:, 1].min()) - max(0, q[:, 1].max() - (height - margin))
    return (q + np.float32([dx, dy])).astype(np.float32)


def homography(sheet: Sheet, quad: np.ndarray) -> np.ndarray:
    sh, sw = sheet.image.shape[:2]
    return cv2.getPerspectiveTransform(np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]]), quad.astype(np.float32))


def motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    """A normalised line kernel float32 [k, k] for motion blur of ``length`` px."""
    k = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((k, k), np.float32)
    c = k // 2
    a = np.deg2rad(angle_deg)
    dx, dy = np.cos(a) * length / 2, np.sin(a) * length / 2
    cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
    return kernel / kernel.sum()


def light_field(look: Look, rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Multiplicative light float32 [h, w]: a falloff across the frame and one soft shadow."""
    # Light varies slowly: work at an eighth of the size and scale up.
    return cv2.resize(_light(look, rng, max(8, w // 8), max(6, h // 8)), (w, h), interpolation=cv2.INTER_LINEAR)


def _light(look: Look, rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    strength, angle, shadow = look.light
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    light = 1.0 - strength * ramp
    if shadow > 0:
        blob = np.zeros((h, w), np.float32)
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(0.2, 0.5) * w), int(rng.uniform(0.2, 0.5) * h))
        cv2.ellipse(blob, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        light *= 1.0 - shadow * cv2.GaussianBlur(blob, (0, 0), 0.05 * w)
    return light


def shoot(stage: Stage, width: int, height: int, burst: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Render the frame: (image uint8 [H, W, 3] BGR, homography sheet->frame, occluded bool [H, W]).

    ``burst`` adds extra motion blur of that many 640x480 pixels (a shake in a video).
    """
    rng = np.random.default_rng(stage.seed)  # the same grain for the same stage: a video's noise still varies
    look = stage.look
    sw_, sh_ = look.sensor or (width, height)
    k = sw_ / width  # render straight at the sensor's size
    quad = stage.quad * k
    desk_img = stage.desk if k == 1 else cv2.resize(stage.desk, (sw_, sh_), interpolation=cv2.INTER_AREA)
    matrix = homography(stage.sheet, quad)
    ones = np.ones(stage.sheet.image.shape[:2], np.float32)
    mask = cv2.warpPerspective(ones, matrix, (sw_, sh_), flags=cv2.INTER_LINEAR)
    dx, dy, strength = stage.shadow
    frame = desk_img.copy()
    if strength > 0:
        shift = np.float64([[1, 0, dx * k], [0, 1, dy * k], [0, 0, 1]])
        drop = cv2.warpPerspective(ones, shift @ matrix, (sw_, sh_), flags=cv2.INTER_LINEAR)
        small = cv2.resize(drop, (sw_ // 4, sh_ // 4), interpolation=cv2.INTER_AREA)
        small = cv2.GaussianBlur(small, (0, 0), max(0.5, 0.003 * sh_))
        drop = cv2.resize(small, (sw_, sh_), interpolation=cv2.INTER_LINEAR)
        frame *= (1 - strength * drop)[..., None]
    # A little pre-blur: the sheet is drawn finer than the frame, as real paper detail is.
    sheet = cv2.GaussianBlur(stage.sheet.image, (0, 0), 0.45 * SHEET_SCALE)
    warped = cv2.warpPerspective(sheet, matrix, (sw_, sh_), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - mask[..., None]) + warped * mask[..., None]
    occluded = np.zeros((sh_, sw_), bool)
    for prop in stage.props:
        prop(frame, occluded, k)
    frame *= light_field(look, rng, sw_, sh_)[..., None]
    if look.glare > 0:
        frame += look.glare * glare(rng, sw_, sh_)[..., None]
    frame *= look.exposure
    scale = sh_ / 480
    if look.blur * scale > 0.2:
        frame = cv2.GaussianBlur(frame, (0, 0), look.blur * scale)
    length = look.motion[0] + burst
    if length * scale >= 1.5:
        frame = cv2.filter2D(frame, -1, motion_kernel(length * scale, look.motion[1]))
    noise_rng = np.random.default_rng(int(stage.seed * 7919 + burst * 13 + quad.sum()) % 2**32)
    sigma = look.noise / max(0.2, min(1.0, look.exposure)) ** 0.5
    frame += sigma * noise_rng.standard_normal(frame.shape, dtype=np.float32)
    image = np.clip(frame, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(look.jpeg)])
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if k != 1:
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
        occluded = cv2.resize(occluded.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
    return image, homography(stage.sheet, stage.quad), occluded


def glare_field(rng, w: int, h: int) -> np.ndarray:
    """Specular glare float32 [h, w] in 0..~1: one or two soft bright ellipses."""
    out = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(1, 3))):
        blob = np.zeros((h, w), np.float32)
        centre = (int(rng.uniform(0.15, 0.85) * w), int(rng.uniform(0.15, 0.85) * h))
        axes = (int(rng.uniform(0.08, 0.25) * w), int(rng.uniform(0.05, 0.15) * h))
        cv2.ellipse(blob, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        out += cv2.GaussianBlur(blob, (0, 0), 0.04 * w)
    return out * 255.0


def glare(rng, w: int, h: int) -> np.ndarray:
    """:func:`glare_field` worked out at a quarter of the size (it is smooth)."""
    return cv2.resize(glare_field(rng, max(8, w // 4), max(6, h // 4)), (w, h), interpolation=cv2.INTER_LINEAR)


def project(sheet: Sheet, matrix: np.ndarray, width: int, height: int, occluded: np.ndarray):
    """Visible truths in frame pixels: ([Truth], [NumberTruth], [truth id]).

    A digit is visible when its projected ink lies wholly inside the frame and less than a tenth
    of its box is hidden by a prop; a number when all its digits are.
    """
    truths, ids, boxes = [], [], {}
    for i, (digit, hull) in enumerate(sheet.marks):
        pts = cv2.perspectiveTransform(hull, matrix).reshape(-1, 2)
        x0, y0 = np.floor(pts.min(0)).astype(int)
        x1, y1 = np.ceil(pts.max(0)).astype(int)
        if x0 < 1 or y0 < 1 or x1 > width - 1 or y1 > height - 1:
            continue
        if occluded[y0:y1, x0:x1].mean() > 0.1:
            continue
        box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
        boxes[i] = box
        truths.append(Truth(int(digit), box))
        ids.append(i)
    visible = [(t, idx, ln) for t, idx, ln in sheet.numbers if idx and all(i in boxes for i in idx)]
    line_y = {}
    for _, idx, ln in visible:
        line_y.setdefault(ln, []).extend(boxes[i][1] + boxes[i][3] / 2 for i in idx)
    order = {ln: rank for rank, ln in enumerate(sorted(line_y, key=lambda k: np.mean(line_y[k])))}
    numbers = []
    for text, idx, ln in visible:
        bs = [boxes[i] for i in idx]
        x0, y0 = min(b[0] for b in bs), min(b[1] for b in bs)
        x1, y1 = max(b[0] + b[2] for b in bs), max(b[1] + b[3] for b in bs)
        numbers.append(NumberTruth(text, (x0, y0, x1 - x0, y1 - y0), order[ln]))
    return truths, numbers, ids


def default_look(rng: np.random.Generator) -> Look:
    """An ordinary phone or laptop camera in an ordinary room."""
    return Look(
        exposure=rng.uniform(0.55, 1.05),
        noise=rng.uniform(1.5, 4.5),
        blur=rng.uniform(0.0, 0.9),
        motion=(rng.uniform(0, 2.0), rng.uniform(0, 180)),
        jpeg=int(rng.integers(55, 93)),
        light=(rng.uniform(0.05, 0.35), rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.4) if rng.random() < 0.6 else 0),
    )


# ----------------------------------------------------------------------------------------------
# Families: each returns a Stage


def _page(rng, glyphs, width, height, span, aspect=A4, tint=None):
    """A blank sheet (portrait or landscape) whose height spans ``span`` frame pixels;
    returns (sheet, frame px per sheet px)."""
    sh = int(max(80, span * SHEET_SCALE))
    sw = int(sh * aspect) if rng.random() < 0.5 else int(sh / aspect)
    return Sheet(paper(rng, max(40, sw), sh, tint)), span / sh


def _pen(glyphs, rng, sources=("mnist",)) -> Pen:
    ink, pressure = choose_ink(rng)
    return Pen(glyphs, ink, pressure, sources)


def _close_page(rng, glyphs, width, height, cover=(0.9, 1.35)):
    """A page seen close up (edges may leave the frame): (sheet, quad, sheet px per frame px)."""
    span = rng.uniform(*cover) * height
    sheet, s = _page(rng, glyphs, width, height, span, aspect=rng.uniform(0.75, 1.4))
    sh, sw = sheet.image.shape[:2]
    centre = (width / 2 + rng.uniform(-0.05, 0.05) * width, height / 2 + rng.uniform(-0.05, 0.05) * height)
    quad = place(rng, sw, sh, width, height, span, centre, rng.uniform(-6, 6), 0.05)
    return sheet, quad, 1.0 / s


def _visible_region(quad, sheet: Sheet, width, height, margin=0.04):
    """The part of the sheet (x0, y0, x1, y1 sheet px) that falls inside the frame."""
    inv = np.linalg.inv(homography(sheet, quad))
    frame = np.float32([[0, 0], [width, 0], [width, height], [0, height]]).reshape(-1, 1, 2)
    pts = cv2.perspectiveTransform(frame, inv).reshape(-1, 2)
    sh, sw = sheet.image.shape[:2]
    x0, y0 = max(pts[:, 0].min(), 0), max(pts[:, 1].min(), 0)
    x1, y1 = min(pts[:, 0].max(), sw), min(pts[:, 1].max(), sh)
    mx, my = margin * sw, margin * sh
    return x0 + mx, y0 + my, x1 - mx, y1 - my


def family_sheet(glyphs, rng, width, height) -> Stage:
    """(a) the whole sheet in view on a desk, 25-100% of the frame's height."""
    cover = rng.uniform(0.25, 1.0)
    sheet, s = _page(rng, glyphs, width, height, cover * height)
    sh, sw = sheet.image.shape[:2]
    centre = (width / 2 + rng.uniform(-0.25, 0.25) * width, height / 2 + rng.uniform(-0.2, 0.2) * height)
    quad = place(rng, sw, sh, width, height, cover * height, centre, rng.uniform(-12, 12), 0.05)
    quad = fit_inside(quad, width, height, margin=0.02 * height)
    span = np.ptp(quad[:, 1])
    scale = span / sh  # frame px per sheet px
    digit_frame = rng.uniform(0.03, 0.075) * height
    h = min(digit_frame / scale, 0.13 * sh)
    margin = rng.uniform(0.07, 0.12)
    region = (margin * sw, margin * sh, (1 - margin) * sw, (1 - margin) * sh)
    write_lines(sheet, _pen(glyphs, rng), rng, region, h, h * rng.uniform(1.7, 3.0))
    look = default_look(rng)
    angle = rng.uniform(0, 2 * np.pi)
    d = rng.uniform(0.006, 0.02) * height
    kind = str(rng.choice(DESKS))
    return Stage(
        sheet, desk(kind, rng, width, height), quad, look,
        shadow=(d * np.cos(angle), d * np.sin(angle), rng.uniform(0.25, 0.6)), variant=f"{kind} desk",
    )  # fmt: skip


def family_note(glyphs, rng, width, height) -> Stage:
    """(b) a sticky note or small card on a desk, 18-45% of the frame's height."""
    colour = str(rng.choice(list(NOTE_COLOURS)))
    side = rng.uniform(0.18, 0.45) * height
    aspect = 1.0 if colour != "white card" else rng.uniform(0.55, 0.7)
    sw, sh = sheet_size(width, height, side, aspect)
    tint = np.asarray(NOTE_COLOURS[colour], np.float32) * rng.uniform(0.94, 1.02)
    sheet = Sheet(paper(rng, sw, sh, np.clip(tint, 0, 255)))
    # a sticky note curls: the free end is a little darker
    sheet.image *= np.linspace(1.0, rng.uniform(0.85, 0.97), sh, dtype=np.float32)[:, None, None]
    h = rng.uniform(0.17, 0.26) * sh
    ink = MARKERS[str(rng.choice(["black", "blue"]))] if rng.random() < 0.4 else choose_ink(rng)[0]
    pen = Pen(glyphs, ink, (0.85, 1.0), ("mnist",), bold=int(rng.random() < 0.4) * max(1, int(h / 25)))
    write_lines(sheet, pen, rng, (0.1 * sw, 0.12 * sh, 0.92 * sw, 0.9 * sh), h, h * rng.uniform(1.35, 1.8))
    centre = (rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height)
    quad = fit_inside(place(rng, sw, sh, width, height, side, centre, rng.uniform(-25, 25), 0.04), width, height, 8)
    d = rng.uniform(0.004, 0.012) * height
    kind = str(rng.choice(DESKS))
    background = desk(kind, rng, width, height)
    shadow = (d, d, rng.uniform(0.2, 0.5))
    return Stage(sheet, background, quad, default_look(rng), shadow=shadow, variant=f"{colour} on {kind} desk")


def family_boxes(glyphs, rng, width, height) -> Stage:
    """(c) numbers in hand-drawn boxes, table cells and form fields, on a page seen close."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height, (0.8, 1.25))
    x0, y0, x1, y1 = _visible_region(quad, sheet, width, height, 0.05)
    h = rng.uniform(0.045, 0.08) * height * per_frame
    pen = _pen(glyphs, rng)
    line_colour = pen.ink if rng.random() < 0.5 else (70, 70, 70)
    line_w = max(1.0, rng.uniform(0.04, 0.1) * h)
    y = y0
    kinds = list(rng.permutation(["box", "table", "field", "comb"]))
    while y < y1 - 2 * h:
        kind = kinds[sheet.next_line % len(kinds)]
        if kind == "table":
            y = _table(sheet, pen, rng, x0, y, x1, y1, h, line_colour, line_w)
        elif kind == "field":
            y = _field(sheet, pen, rng, x0, y, x1, h, line_colour, line_w)
        elif kind == "comb":
            y = _comb(sheet, pen, rng, x0, y, x1, h, line_colour, line_w)
        else:
            y = _boxed(sheet, pen, rng, x0, y, x1, h, line_colour, line_w)
        if y is None:
            break
        y += rng.uniform(0.4, 1.0) * h
    return Stage(sheet, desk("wood", rng, width, height), quad, default_look(rng))


def _gap(rng, h):
    """Space between a digit and a box line: sometimes none at all (the digit touches it)."""
    return 0.0 if rng.random() < 0.2 else rng.uniform(0.08, 0.45) * h


def _boxed(sheet, pen, rng, x0, y, x1, h, colour, width):
    """A row of one to three numbers, each in its own hand-drawn box."""
    x = x0 + rng.uniform(0, 0.1) * (x1 - x0)
    if y + 2 * h > sheet.image.shape[0]:
        return None
    bottom = y
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(1, 5))
        g = _gap(rng, h)
        start = len(sheet.marks)
        end = write_number(sheet, pen, rng, x + g + width, y + g + width, h, n)
        if end is None or len(sheet.marks) == start:
            break
        pts = np.vstack([hull.reshape(-1, 2) for _, hull in sheet.marks[start:]])
        bx0, by0 = pts.min(0) - g - width / 2
        bx1, by1 = pts.max(0) + g + width / 2
        hand_rect(sheet.image, rng, bx0, by0, bx1, by1, colour, width)
        bottom = max(bottom, by1)
        x = bx1 + rng.uniform(0.8, 2.0) * h
        if x > x1 - 3 * h:
            break
    sheet.next_line += 1
    return bottom + width


def _table(sheet, pen, rng, x0, y, x1, y1, h, colour, width):
    """A ruled table: rows x columns of cells, a header row of printed words, numbers in cells."""
    rows, cols = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    cell_h = h * rng.uniform(1.25, 1.8)
    cell_w = min((x1 - x0) / cols, h * rng.uniform(2.5, 4.5))
    if y + (rows + 1) * cell_h > y1:
        rows = int((y1 - y) / cell_h) - 1
        if rows < 1:
            return None
    tx = x0 + rng.uniform(0, 0.05) * (x1 - x0)
    printed = rng.random() < 0.5
    draw = (lambda p0, p1: stroke(sheet.image, [p0, p1], (60, 60, 60), max(1.0, width * 0.6))) if printed else (
        lambda p0, p1: stroke(sheet.image, hand_line(rng, p0, p1, 0.3 + 0.01 * cell_w), colour, width)
    )  # fmt: skip
    for r in range(rows + 2):
        draw((tx, y + r * cell_h), (tx + cols * cell_w, y + r * cell_h))
    for c in range(cols + 1):
        draw((tx + c * cell_w, y), (tx + c * cell_w, y + (rows + 1) * cell_h))
    words = ("Name", "Qty", "Price", "Total", "Week", "Item", "Count", "Rate")
    for c in range(cols):
        print_text(sheet.image, str(rng.choice(words)), tx + c * cell_w + 0.15 * cell_h, y + 0.7 * cell_h, 0.4 * cell_h)
    for r in range(1, rows + 1):
        for c in range(cols):
            if rng.random() < 0.15:
                continue
            n = int(min(rng.integers(1, 4), max(1, (cell_w - 0.3 * h) // (0.9 * h))))
            cx = tx + c * cell_w + rng.uniform(0.08, 0.25) * h
            cy = y + r * cell_h + (cell_h - h) / 2 + rng.normal(0, 0.05) * h
            write_number(sheet, pen, rng, cx, cy, h * rng.uniform(0.85, 1.0), n)
        sheet.next_line += 1
    return y + (rows + 1) * cell_h + width


def _field(sheet, pen, rng, x0, y, x1, h, colour, width):
    """A form field: a printed label, then a number on an underline or in a printed box."""
    labels = ("Total:", "Amount", "Phone", "Room", "Year", "Code", "Ref.", "Qty:")
    label = str(rng.choice(labels))
    x = x0 + rng.uniform(0, 0.08) * (x1 - x0)
    if y + 2 * h > sheet.image.shape[0]:
        return None
    print_text(sheet.image, label, x, y + 0.95 * h, rng.uniform(0.35, 0.6) * h)
    fx = x + (len(label) * 0.55 + 0.6) * h * 0.6
    length = rng.uniform(3.5, 7) * h
    if fx + length > x1:
        return None
    n = int(rng.integers(2, 6))
    boxed = rng.random() < 0.5
    top = y + (0.15 * h if boxed else 0)
    write_number(sheet, pen, rng, fx + 0.3 * h, top, h, min(n, int((length - 0.5 * h) // h)))
    base = top + h + (_gap(rng, h) * 0.4 if rng.random() < 0.7 else -0.08 * h)  # sometimes through the digits
    grey = (70, 70, 70)
    stroke(sheet.image, [(fx, base), (fx + length, base)], grey, max(1.0, width * 0.7))
    if boxed:
        for p0, p1 in (((fx, y - 0.05 * h), (fx + length, y - 0.05 * h)), ((fx, y - 0.05 * h), (fx, base))):
            stroke(sheet.image, [p0, p1], grey, max(1.0, width * 0.7))
        stroke(sheet.image, [(fx + length, y - 0.05 * h), (fx + length, base)], grey, max(1.0, width * 0.7))
    sheet.next_line += 1
    return base + width


def _comb(sheet, pen, rng, x0, y, x1, h, colour, width):
    """A comb field: one printed box per digit, as on forms for postcodes and account numbers."""
    n = int(rng.integers(3, 8))
    cell = h * rng.uniform(1.05, 1.35)
    x = x0 + rng.uniform(0, 0.1) * (x1 - x0)
    if x + n * cell > x1 or y + 1.4 * cell > sheet.image.shape[0]:
        return None
    grey = (80, 80, 80)
    lw = max(1.0, width * 0.6)
    stroke(sheet.image, [(x, y), (x + n * cell, y)], grey, lw)
    stroke(sheet.image, [(x, y + cell * 1.15), (x + n * cell, y + cell * 1.15)], grey, lw)
    for i in range(n + 1):
        stroke(sheet.image, [(x + i * cell, y), (x + i * cell, y + cell * 1.15)], grey, lw)
    text, start = "", len(sheet.marks)
    for i in range(n):
        alpha, label = pen.glyphs.draw(rng, "mnist")
        hh = int(h * rng.uniform(0.85, 1.0))
        ww = alpha.shape[1] * hh / alpha.shape[0]
        gx = x + i * cell + max(0.0, (cell - ww) / 2 + rng.normal(0, 0.05) * cell)
        gy = y + (cell * 1.15 - hh) / 2 + rng.normal(0, 0.06) * h
        hull = G.write(sheet.image, alpha, int(gx), int(gy), hh, pen.ink, rng.uniform(*pen.pressure))
        if hull is not None:
            sheet.marks.append((label, hull))
            text += str(label)
    if text:  # each box holds one digit: the whole comb reads as one number
        sheet.numbers.append((text, list(range(start, len(sheet.marks))), sheet.next_line))
    sheet.next_line += 1
    return y + cell * 1.15 + lw


def luma(bgr) -> float:
    """Gray level of a BGR colour (ITU-R 601 weights, as cv2.cvtColor uses)."""
    b, g, r = (float(v) for v in np.asarray(bgr, np.float32)[:3])
    return 0.114 * b + 0.587 * g + 0.299 * r


def rulings(rng, sheet: Sheet, pitch: float, squared: bool, darkness: float, width: float, colour) -> float:
    """Rule the sheet: lines ``pitch`` apart, ``darkness`` 0 (invisible) .. 1 (the ruling's full colour).

    Returns the y of the first horizontal line (the others follow every ``pitch``)."""
    sh, sw = sheet.image.shape[:2]
    paper_colour = sheet.image[sh // 2, sw // 2]
    c = paper_colour * (1 - darkness) + np.asarray(colour, np.float32) * darkness
    offset = rng.uniform(0, pitch)
    for y in np.arange(offset, sh, pitch):
        stroke(sheet.image, [(0, y), (sw, y)], c, width)
    if squared:
        for x in np.arange(rng.uniform(0, pitch), sw, pitch):
            stroke(sheet.image, [(x, 0), (x, sh)], c, width)
    elif rng.random() < 0.5:  # the red margin line of an exercise book
        mx = rng.uniform(0.08, 0.15) * sw
        stroke(sheet.image, [(mx, 0), (mx, sh)], paper_colour * 0.5 + np.float32([60, 60, 200]) * 0.5, width)
    return float(offset)


def family_ruled(glyphs, rng, width, height) -> Stage:
    """(d) ruled or squared paper whose lines cross the digits, from faint to as dark as the ink."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height)
    h = rng.uniform(0.05, 0.09) * height * per_frame
    squared = rng.random() < 0.5
    pitch = h * (rng.uniform(0.45, 0.7) if squared else rng.uniform(0.75, 1.4))
    pen = _pen(glyphs, rng)
    darkness = rng.uniform(0.08, 1.0)
    colour = pen.ink if rng.random() < 0.35 else (rng.choice([(150, 110, 70), (120, 120, 120), (40, 40, 40)]))
    # Printed rulings are thin: 0.1-0.3 mm on a 5-8 mm pitch, at least a pixel in the frame.
    line_w = max(1.0, min(rng.uniform(0.6, 2.6) * per_frame, 0.08 * pitch))
    first = rulings(rng, sheet, pitch, squared, darkness, line_w, colour)
    x0, y0, x1, y1 = _visible_region(quad, sheet, width, height, 0.05)
    if not squared and rng.random() < 0.7:
        # Written on the lines: each digit's foot on a ruling; a tall hand crosses the next one up.
        y0 = first + pitch * np.ceil((y0 + h - first) / pitch) - h * rng.uniform(0.9, 1.02)
    write_lines(sheet, pen, rng, (x0, y0, x1, y1), h, pitch * max(1, round(rng.uniform(1.6, 2.6) * h / pitch)))
    # Name the ruling by how dark it is beside the ink (in gray): faint, mid, or as dark as the ink.
    paper_y, ruling_y, ink_y = (luma(c) for c in (sheet.image[0, 0], colour, pen.ink))
    ruling_y = paper_y + darkness * (ruling_y - paper_y)
    ink_y = paper_y + np.mean(pen.pressure) * (ink_y - paper_y)
    ratio = (paper_y - ruling_y) / max(1.0, paper_y - ink_y)
    variant = f"{'squared' if squared else 'ruled'}, {'faint' if ratio < 0.3 else 'mid' if ratio < 0.7 else 'ink-dark'}"
    return Stage(sheet, desk("wood", rng, width, height), quad, default_look(rng), variant=variant)


def family_size(glyphs, rng, width, height) -> Stage:
    """(e) a few big digits (30-60% of the frame's height) or many tiny ones (1.5-3%)."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height, (1.0, 1.3))
    x0, y0, x1, y1 = _visible_region(quad, sheet, width, height, 0.04)
    pen = _pen(glyphs, rng)
    big = rng.random() < 0.5
    if big:
        h = rng.uniform(0.3, 0.6) * height * per_frame
        pen.bold = int(rng.integers(0, 3)) * max(1, int(h / 60))
        pen.sources = ("mnist", "mnist", "pen")
        y = y0 + rng.uniform(0, max(1, y1 - y0 - 1.1 * h))
        write_number(sheet, pen, rng, x0 + rng.uniform(0, 0.3) * (x1 - x0), y, h, int(rng.integers(1, 3)))
    else:
        h = rng.uniform(0.015, 0.03) * height * per_frame
        write_lines(sheet, pen, rng, (x0, y0, x1, y1), h, h * rng.uniform(2.0, 3.5))
    return Stage(sheet, desk("grey", rng, width, height), quad, default_look(rng), variant="big" if big else "tiny")


def family_slope(glyphs, rng, width, height) -> Stage:
    """(f) lines sloping up to 10 degrees either way, and lines close together."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height)
    h = rng.uniform(0.045, 0.08) * height * per_frame
    region = _visible_region(quad, sheet, width, height, 0.05)
    slope = rng.uniform(-10, 10)
    close = rng.random() < 0.6
    pitch = h * (rng.uniform(1.2, 1.5) if close else rng.uniform(1.6, 2.4))
    # Close lines keep one slope (a hand follows the line above); spaced lines wander more.
    write_lines(sheet, _pen(glyphs, rng), rng, region, h, pitch, slope_deg=slope, drift=0.3 if close else 1.5)
    variant = "close lines" if close else "spaced lines"
    return Stage(sheet, desk("dark", rng, width, height), quad, default_look(rng), variant=variant)


def family_glyphs(glyphs, rng, width, height) -> Stage:
    """(g) digits that are not MNIST: Hershey fonts, handwriting fonts and the pen model."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height)
    h = rng.uniform(0.05, 0.09) * height * per_frame
    if rng.random() < 0.3:
        rulings(rng, sheet, h * 1.1, rng.random() < 0.5, rng.uniform(0.08, 0.3), max(1.0, per_frame), (150, 110, 70))
    source = str(rng.choice(["hershey", "font", "pen", "mix"]))
    sources = ("hershey", "font", "pen") if source == "mix" else (source,)
    pen = _pen(glyphs, rng, sources)
    region = _visible_region(quad, sheet, width, height, 0.05)
    write_lines(sheet, pen, rng, region, h, h * rng.uniform(1.8, 2.8))
    return Stage(sheet, desk("wood", rng, width, height), quad, default_look(rng), variant=source)


def family_webcam(glyphs, rng, width, height) -> Stage:
    """(i) a dim 640x480 webcam: little light, much gain noise, motion blur, heavy JPEG."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height, (0.7, 1.2))
    h = rng.uniform(0.05, 0.1) * height * per_frame
    if rng.random() < 0.4:
        rulings(rng, sheet, h * 1.1, rng.random() < 0.5, rng.uniform(0.08, 0.4), max(1.0, per_frame), (150, 110, 70))
    region = _visible_region(quad, sheet, width, height, 0.05)
    write_lines(sheet, _pen(glyphs, rng), rng, region, h, h * rng.uniform(1.7, 2.8))
    look = Look(
        exposure=rng.uniform(0.22, 0.5),
        noise=rng.uniform(3.0, 6.0),
        blur=rng.uniform(0.4, 1.0),
        motion=(rng.uniform(1.5, 6.0), rng.uniform(0, 180)),
        jpeg=int(rng.integers(35, 70)),
        light=(rng.uniform(0.2, 0.5), rng.uniform(0, 2 * np.pi), rng.uniform(0.2, 0.5)),
        sensor=(640, 480) if width * 3 == height * 4 else (640, 360),
    )
    return Stage(sheet, desk("dark", rng, width, height), quad, look)


# --- held out -----------------------------------------------------------------------------------


def _pen_prop(rng, width, height, path=None):
    """A ballpoint lying on (or passing over) the page: a shaded body, a cap and a tip."""
    length = rng.uniform(0.35, 0.7) * height
    thick = rng.uniform(0.025, 0.04) * height
    body = np.asarray([rng.uniform(20, 200) for _ in range(3)], np.float32)
    angle = rng.uniform(0, np.pi)
    centre = np.asarray(path if path is not None else (rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height))

    def draw(frame, occluded, k):
        c = centre * k
        d = np.array([np.cos(angle), np.sin(angle)]) * length * k / 2
        p0, p1 = c - d, c + d
        t = max(2, int(thick * k))
        mask = np.zeros(frame.shape[:2], np.uint8)
        cv2.line(mask, tuple(np.int32(p0)), tuple(np.int32(p1)), 255, t, cv2.LINE_AA)
        cv2.circle(mask, tuple(np.int32(p1)), t // 2, 255, -1, cv2.LINE_AA)
        a = mask.astype(np.float32)[..., None] / 255.0
        frame *= 1 - a
        frame += a * body
        # a highlight along the body, and the metal tip
        stroke(frame, [p0 + d * 0.1, p1 - d * 0.1], np.minimum(body * 1.6 + 40, 255), max(1, t // 5), 0.7)
        stroke(frame, [p1, p1 + d * 0.08], (170, 170, 175), max(1, t // 3))
        occluded |= mask > 0

    return draw


def _finger_prop(rng, width, height):
    """A fingertip entering from an edge of the frame: skin tone, shading and a nail."""
    skin = np.asarray([rng.uniform(90, 150), rng.uniform(120, 175), rng.uniform(170, 225)], np.float32)
    edge = int(rng.integers(4))
    along = rng.uniform(0.2, 0.8)
    reach = rng.uniform(0.12, 0.3)
    thick = rng.uniform(0.08, 0.13) * height

    def draw(frame, occluded, k):
        h, w = frame.shape[:2]
        t = thick * k
        if edge == 0:
            p0, p1 = (along * w, h + t), (along * w, h * (1 - reach))
        elif edge == 1:
            p0, p1 = (along * w, -t), (along * w, h * reach)
        elif edge == 2:
            p0, p1 = (-t, along * h), (w * reach, along * h)
        else:
            p0, p1 = (w + t, along * h), (w * (1 - reach), along * h)
        mask = np.zeros((h, w), np.uint8)
        cv2.line(mask, tuple(np.int32(p0)), tuple(np.int32(p1)), 255, int(t), cv2.LINE_AA)
        cv2.circle(mask, tuple(np.int32(p1)), int(t / 2), 255, -1, cv2.LINE_AA)
        shade = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), t / 4)
        a = (mask.astype(np.float32) / 255.0)[..., None]
        frame *= 1 - a
        frame += a * skin * (0.65 + 0.45 * shade[..., None])
        nail = np.asarray(p1) + (np.asarray(p0) - np.asarray(p1)) * (0.35 * t / np.hypot(*np.subtract(p0, p1)))
        cv2.circle(frame, tuple(np.int32(nail)), max(2, int(t / 3.5)), tuple(float(v) for v in skin * 1.15), -1)
        occluded |= mask > 0

    return draw


def _keyboard_prop(rng, width, height):
    """The edge of a keyboard at the top or bottom of the frame: a dark case with rows of keys."""
    top = rng.random() < 0.5
    depth = rng.uniform(0.1, 0.22) * height
    case = rng.uniform(20, 60)
    key = rng.uniform(0.045, 0.065) * height

    def draw(frame, occluded, k):
        h, w = frame.shape[:2]
        d, kk = int(depth * k), key * k
        y0, y1 = (0, d) if top else (h - d, h)
        frame[y0:y1] = case
        ys = np.arange(y0 + 0.2 * kk, y1 - 0.8 * kk, 1.15 * kk)
        legends = np.zeros(frame.shape[:2], np.uint8)
        for row, yy in enumerate(ys):
            for xx in np.arange(-(row % 2) * kk / 2, w, 1.15 * kk):
                cv2.rectangle(frame, (int(xx), int(yy)), (int(xx + kk), int(yy + kk)), (case + 25,) * 3, -1)
                letter = G.LETTERS[int(rng.integers(len(G.LETTERS)))]
                at = (int(xx + kk * 0.25), int(yy + kk * 0.7))
                cv2.putText(legends, letter, at, cv2.FONT_HERSHEY_SIMPLEX, kk / 60, 255, 1, cv2.LINE_AA)
        a = legends.astype(np.float32)[..., None] / 255.0
        frame *= 1 - a
        frame += a * 200.0
        occluded[y0:y1] = True

    return draw


def _scribble(sheet: Sheet, rng, x, y, size, ink):
    """A tangled scribble (a crossed-out word, a doodle) in a size x size square at (x, y)."""
    pts = np.cumsum(rng.normal(0, size / 6, (int(rng.integers(14, 30)), 2)), 0)
    pts = (pts - pts.min(0)) / (np.ptp(pts, 0) + 1e-6) * size + (x, y)
    stroke(sheet.image, G._chaikin(pts, 3), ink, max(1.0, size / 25))


def family_clutter(glyphs, rng, width, height) -> Stage:
    """(h) held out: a pen, a finger, a keyboard edge, scribbles and letters beside the digits."""
    sheet, quad, per_frame = _close_page(rng, glyphs, width, height, (0.85, 1.2))
    x0, y0, x1, y1 = _visible_region(quad, sheet, width, height, 0.06)
    h = rng.uniform(0.05, 0.09) * height * per_frame
    pen = _pen(glyphs, rng)
    y = y0
    while y + 1.3 * h < y1:
        x = x0 + rng.uniform(0, 0.1) * (x1 - x0)
        while x < x1 - 3 * h:
            what = rng.random()
            if what < 0.55:
                end = write_number(sheet, pen, rng, x, y, h, int(rng.integers(1, 5)))
            elif what < 0.8:  # a word or unit: letters next to the digits
                end = x
                for _ in range(int(rng.integers(1, 4))):
                    hull = G.write(sheet.image, G.letter_glyph(rng), int(end), int(y + 0.2 * h), int(0.8 * h), pen.ink)
                    if hull is None:
                        break
                    end += np.ptp(hull[:, 0, 0]) + 0.15 * h
            else:
                size = h * rng.uniform(0.8, 1.6)
                if x + size < x1:
                    _scribble(sheet, rng, x, y, size, pen.ink)
                end = x + size
            if end is None:
                break
            x = end + rng.uniform(0.9, 2.0) * h
        sheet.next_line += 1
        y += h * rng.uniform(2.0, 3.0)
    props = []
    kinds = rng.permutation(["pen", "finger", "keyboard"])[: int(rng.integers(1, 4))]
    for kind in kinds:
        if kind == "pen":
            props.append(_pen_prop(rng, width, height))
        elif kind == "finger":
            props.append(_finger_prop(rng, width, height))
        else:
            props.append(_keyboard_prop(rng, width, height))
    background = desk(str(rng.choice(DESKS)), rng, width, height)
    return Stage(sheet, background, quad, default_look(rng), props, variant="+".join(sorted(kinds)))


def family_board(glyphs, rng, width, height) -> Stage:
    """(j) held out: a whiteboard written with marker under glare, or coloured paper."""
    if rng.random() < 0.5:
        colour = str(rng.choice(list(PAPER_COLOURS)))
        tint = np.asarray(PAPER_COLOURS[colour], np.float32) * rng.uniform(0.92, 1.03)
        span = rng.uniform(0.6, 1.25) * height
        sheet, s = _page(rng, glyphs, width, height, span, tint=np.clip(tint, 0, 255))
        sh, sw = sheet.image.shape[:2]
        quad = place(rng, sw, sh, width, height, span, (width / 2, height / 2), rng.uniform(-8, 8), 0.05)
        region = _visible_region(quad, sheet, width, height, 0.06)
        h = rng.uniform(0.05, 0.09) * height / s
        write_lines(sheet, _pen(glyphs, rng), rng, region, h, h * rng.uniform(1.7, 2.8))
        background = desk(str(rng.choice(DESKS)), rng, width, height)
        return Stage(sheet, background, quad, default_look(rng), variant="coloured paper")
    board = (rng.uniform(225, 245), rng.uniform(228, 248), rng.uniform(225, 245))
    span = rng.uniform(0.9, 1.6) * height  # a board is wide: its frame may or may not be in view
    sheet, s = _page(rng, glyphs, width, height, span, aspect=rng.uniform(0.5, 0.7), tint=board)
    sh, sw = sheet.image.shape[:2]
    # ghosts of erased writing
    for _ in range(int(rng.integers(2, 8))):
        _scribble(sheet, rng, rng.uniform(0, sw), rng.uniform(0, sh), rng.uniform(0.05, 0.2) * sh, (200, 200, 205))
    quad = place(rng, sw, sh, width, height, span, (width / 2, height / 2), rng.uniform(-4, 4), 0.06)
    region = _visible_region(quad, sheet, width, height, 0.06)
    h = rng.uniform(0.06, 0.12) * height / s
    ink = MARKERS[str(rng.choice(list(MARKERS)))]
    pen = Pen(glyphs, ink, (0.8, 1.0), ("mnist", "mnist", "pen"), bold=max(1, int(h / 30)))
    write_lines(sheet, pen, rng, region, h, h * rng.uniform(1.6, 2.5))
    look = default_look(rng)
    look.glare = rng.uniform(0.2, 0.6)
    wall = desk("grey", rng, width, height)
    return Stage(sheet, wall, quad, look, shadow=(0, 0.01 * height, 0.3), variant="whiteboard")


BUILDERS = {
    "a_sheet": family_sheet,
    "b_note": family_note,
    "c_boxes": family_boxes,
    "d_ruled": family_ruled,
    "e_size": family_size,
    "f_slope": family_slope,
    "g_glyphs": family_glyphs,
    "h_clutter": family_clutter,
    "i_webcam": family_webcam,
    "j_board": family_board,
}


@lru_cache(maxsize=1)
def default_glyphs() -> G.Glyphs:
    """Glyphs backed by the MNIST test split (DigitBank.load: $LIVEDIGITS_MNIST or tests/data/mnist)."""
    bank = DigitBank.load()
    return G.Glyphs(bank.images, bank.labels)


def stage(family: str, rng: np.random.Generator, width: int, height: int, glyphs: G.Glyphs | None = None) -> Stage:
    """Build the scene of ``family`` (one of :data:`FAMILIES`) before the camera shoots it."""
    if family not in BUILDERS:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    if width < 64 or height < 48:
        raise ValueError(f"frame must be at least 64x48, got {width}x{height}")
    built = BUILDERS[family](glyphs or default_glyphs(), rng, width, height)
    built.seed = int(rng.integers(2**31))
    return built


def render(family: str, rng: np.random.Generator, width: int = 640, height: int = 480, glyphs=None) -> Scene:
    """One frame of ``family`` with its visible digits and numbers in frame pixels."""
    built = stage(family, rng, width, height, glyphs)
    image, matrix, occluded = shoot(built, width, height)
    truths, numbers, ids = project(built.sheet, matrix, width, height, occluded)
    return Scene(image, truths, numbers, ids, family, built.variant)


# ----------------------------------------------------------------------------------------------
# Moving camera


def camera_path(t: float, phase: np.ndarray, fit: float) -> tuple[float, float, float, float]:
    """(zoom, pan x, pan y as frame fractions, roll degrees) of a hand-held camera at ``t`` in 0..1.

    It drifts and shakes throughout, pans across the sheet, and around the middle pulls back to
    ``fit`` (the zoom at which the whole sheet is in view), then closes in again.
    """
    pull = np.clip((t - 0.2) / 0.2, 0, 1) * np.clip((0.85 - t) / 0.2, 0, 1)
    zoom = 1.0 + (fit - 1.0) * pull
    pan_x = 0.1 * np.sin(2 * np.pi * (0.8 * t) + phase[0]) + 0.004 * np.sin(37 * t + phase[1])
    pan_y = 0.06 * np.sin(2 * np.pi * (0.6 * t) + phase[2]) + 0.004 * np.sin(29 * t + phase[0])
    roll = 2.5 * np.sin(2 * np.pi * 0.5 * t + phase[1])
    return zoom, pan_x, pan_y, roll


def moved(quad: np.ndarray, width: int, height: int, zoom: float, pan_x: float, pan_y: float, roll: float):
    """``quad`` after the camera zooms (about the frame's centre), rolls and pans."""
    c = np.float32([width / 2, height / 2])
    a = np.deg2rad(roll)
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return ((quad - c) @ rot.T * zoom + c + np.float32([pan_x * width, pan_y * height])).astype(np.float32)


def render_video(
    family: str, rng: np.random.Generator, n_frames: int = 60, width: int = 640, height: int = 480, glyphs=None
) -> Iterator[Scene]:
    """``n_frames`` Scenes of one sheet under a hand-held camera: drift, pan, a pull-back until the
    sheet is wholly in view, a blur burst (a shake) and a pen passing over the page.

    ``Scene.truth_ids`` identify the same digit across frames.
    """
    built = stage(family, rng, width, height, glyphs)
    base = built.quad.copy()
    # Recentre, then find the zoom at which the whole sheet fits in the frame.
    base += np.float32([width / 2, height / 2]) - base.mean(0)
    fit = min((width * 0.92) / np.ptp(base[:, 0]), (height * 0.92) / np.ptp(base[:, 1]))
    phase = rng.uniform(0, 2 * np.pi, 3)
    burst_at = rng.uniform(0.45, 0.6)
    pen_from, pen_to = (
        np.float32([-0.2 * width, rng.uniform(0.2, 0.8) * height]),
        np.float32([1.2 * width, rng.uniform(0.2, 0.8) * height]),
    )
    static_props = list(built.props)
    for i in range(n_frames):
        t = i / max(1, n_frames - 1)
        built.quad = moved(base, width, height, *camera_path(t, phase, fit))
        burst = 12.0 * max(0.0, 1 - abs(t - burst_at) / 0.04)
        props = list(static_props)
        if 0.65 <= t <= 0.9:  # a pen passes over the page
            u = (t - 0.65) / 0.25
            pen_rng = np.random.default_rng(built.seed)
            props.append(_pen_prop(pen_rng, width, height, path=pen_from * (1 - u) + pen_to * u))
        built.props = props
        image, matrix, occluded = shoot(built, width, height, burst=burst)
        truths, numbers, ids = project(built.sheet, matrix, width, height, occluded)
        yield Scene(image, truths, numbers, ids, family, built.variant)
