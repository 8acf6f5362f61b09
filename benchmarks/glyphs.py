"""Digit glyphs from several hands, and a pen to write them on a page.

Every source gives a glyph as float32 [H, W] alpha in 0..1 (ink bright, cropped tight to its ink)
with its label. The sources:

- ``mnist``: MNIST **test** digits (``benchmarks.synth.DigitBank``), never training digits;
- ``hershey``: every OpenCV Hershey font (script ones included), upright and italic;
- ``font``: handwriting-style TrueType/OpenType fonts from Debian packages, drawn with Pillow;
- ``pen``: digits drawn from stroke paths (``livedigits.train.pen`` when it exists, with its own
  seeds and wider parameters; otherwise :func:`pen_digit` here): varying width, slant, jitter,
  a European 1 with a long flag, a 7 with a cross-bar, an open 4.

A missing font file is an error that names the Debian package to install, never a silent skip:
a benchmark that quietly loses a glyph source would report a different number for the same code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

HERSHEY_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_COMPLEX_SMALL,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)

FONT_FILES = {
    "fonts-dkg-handwriting": ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",),
    "fonts-humor-sans": ("/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",),
    "fonts-comic-neue": (
        "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
        "/usr/share/fonts/opentype/comic-neue/ComicNeue-Light.otf",
        "/usr/share/fonts/opentype/comic-neue/ComicNeue-Italic.otf",
    ),
    "fonts-breip": ("/usr/share/fonts/truetype/breip/Breip.ttf",),
    "fonts-klee": ("/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf",),
    "fonts-kristi": ("/usr/share/fonts/truetype/kristi/Kristi.ttf",),
}
"""Handwriting-style fonts by the Debian package that installs them (CI installs them in .ci/run).
(fonts-femkeklaver was tried and left out: its digits are drawn in outline, not as strokes.)"""

LETTERS = "acehkmnrtuvwxyEFHKMNRTVWXY"
"""Letters for clutter: none that a careful reader would take for a digit (no O, l, I, S, Z, B, g, q)."""


def tight(alpha: np.ndarray, level: float = 0.05) -> np.ndarray:
    """Crop float32 [H, W] alpha to the box of pixels above ``level``; unchanged when it has none."""
    ys, xs = np.nonzero(alpha > level)
    if len(ys) == 0:
        return alpha
    return alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def mnist_glyph(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A random MNIST test digit: (alpha float32 [h, w], label)."""
    i = int(rng.integers(len(images)))
    return tight(images[i].astype(np.float32) / 255.0, 0.12), int(labels[i])


def hershey_glyph(digit: int, rng: np.random.Generator) -> np.ndarray:
    """``digit`` in a random Hershey font (italic half the time), float32 [h, w] alpha."""
    font = int(rng.choice(HERSHEY_FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.4 else 0)
    scale = 4.0 if font & 0xF != cv2.FONT_HERSHEY_COMPLEX_SMALL else 5.5
    thickness = int(rng.integers(2, 9))
    canvas = np.zeros((260, 220), np.uint8)
    cv2.putText(canvas, str(digit), (40, 200), font, scale, 255, thickness, cv2.LINE_AA)
    return tight(canvas.astype(np.float32) / 255.0)


def font_paths() -> list[Path]:
    """Every handwriting font file; raises FileNotFoundError naming the package of a missing one."""
    paths = []
    for package, files in FONT_FILES.items():
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise FileNotFoundError(
                    f"font {path} is missing: install the Debian package {package} (apt-get install -y {package})"
                )
            paths.append(path)
    return paths


@lru_cache(maxsize=32)
def _pil_font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def font_glyph(digit: int, path: Path, thicken: int = 0) -> np.ndarray:
    """``digit`` drawn with the font at ``path`` (Pillow), float32 [h, w] alpha."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (200, 220), 0)
    ImageDraw.Draw(image).text((30, 20), str(digit), fill=255, font=_pil_font(str(path), 140))
    alpha = np.asarray(image, np.float32) / 255.0
    if thicken:
        alpha = cv2.dilate(alpha, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * thicken + 1,) * 2))
    return tight(alpha)


# ----------------------------------------------------------------------------------------------
# The pen model: each digit is one or more stroke paths in a unit box (x right 0..0.6, y down 0..1).


def _arc(cx, cy, rx, ry, start_deg, end_deg, n=14):
    t = np.deg2rad(np.linspace(start_deg, end_deg, n))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


def _skeleton(digit: int, variant: int) -> list[list[tuple[float, float]]]:
    """Stroke paths of ``digit``; ``variant`` picks between common ways of writing it."""
    if digit == 0:
        return [_arc(0.3, 0.5, 0.28, 0.49, -100, 265, 24)]
    if digit == 1:
        if variant == 0:
            return [[(0.32, 0.0), (0.3, 1.0)]]
        # European 1: a long flag, sometimes a foot.
        strokes = [[(0.02, 0.38), (0.2, 0.17), (0.36, 0.0), (0.34, 1.0)]]
        return strokes + ([[(0.12, 1.0), (0.56, 1.0)]] if variant == 2 else [])
    if digit == 2:
        return [
            [(0.04, 0.24), (0.12, 0.06), (0.32, 0.0), (0.5, 0.08), (0.55, 0.28), (0.4, 0.55), (0.04, 1.0), (0.6, 0.98)]
        ]
    if digit == 3:
        return [
            [(0.05, 0.1), (0.28, 0.0), (0.5, 0.08), (0.52, 0.26), (0.28, 0.46)]
            + [(0.52, 0.58), (0.57, 0.8), (0.4, 0.98), (0.18, 1.0), (0.02, 0.9)]
        ]
    if digit == 4:
        if variant == 0:  # closed 4, one stroke and a stem
            return [[(0.42, 0.0), (0.0, 0.68), (0.6, 0.68)], [(0.42, 0.0), (0.44, 1.0)]]
        return [[(0.08, 0.0), (0.03, 0.66), (0.6, 0.64)], [(0.45, 0.25), (0.46, 1.0)]]  # open 4
    if digit == 5:
        bowl = [(0.1, 0.0), (0.07, 0.44), (0.3, 0.38), (0.5, 0.47), (0.58, 0.7), (0.46, 0.93), (0.24, 1.0), (0.02, 0.9)]
        return [bowl, [(0.1, 0.0), (0.56, 0.0)]]
    if digit == 6:
        return [
            [(0.5, 0.04), (0.3, 0.0), (0.12, 0.22), (0.03, 0.58), (0.1, 0.9), (0.3, 1.0), (0.5, 0.9)]
            + [(0.56, 0.7), (0.45, 0.55), (0.25, 0.52), (0.06, 0.66)]
        ]
    if digit == 7:
        strokes = [[(0.02, 0.05), (0.6, 0.0), (0.24, 1.0)]]
        return strokes + ([[(0.14, 0.52), (0.52, 0.48)]] if variant else [])  # European bar
    if digit == 8:
        return [
            [(0.3, 0.47)] + _arc(0.3, 0.24, 0.22, 0.24, 90, -270, 20),
            _arc(0.3, 0.74, 0.27, 0.26, -90, 270, 20),
        ]
    # 9
    loop = _arc(0.3, 0.28, 0.26, 0.27, 10, 370, 20)
    return [loop + [(0.56, 0.5), (0.52, 1.0)]]


def _chaikin(points: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Corner-cutting smoothing of a polyline float [N, 2] (ends kept)."""
    for _ in range(rounds):
        if len(points) < 3:
            return points
        q = 0.75 * points[:-1] + 0.25 * points[1:]
        r = 0.25 * points[:-1] + 0.75 * points[1:]
        middle = np.empty((2 * len(q), 2))
        middle[0::2], middle[1::2] = q, r
        points = np.vstack([points[:1], middle, points[-1:]])
    return points


@dataclass(frozen=True)
class PenHand:
    """How one writer's pen moves (ranges sampled per digit)."""

    slant_deg: tuple[float, float] = (-8.0, 22.0)
    width: tuple[float, float] = (0.06, 0.16)
    """Stroke width as a fraction of the digit height."""
    jitter: tuple[float, float] = (0.0, 0.035)
    """Standard deviation of each control point's displacement, in digit heights."""
    aspect: tuple[float, float] = (0.75, 1.3)
    pressure_swell: tuple[float, float] = (0.0, 0.5)
    """How much the width grows and shrinks along a stroke."""
    variants: dict = field(default_factory=lambda: {1: 3, 4: 2, 7: 2})


def pen_digit(digit: int, rng: np.random.Generator, hand: PenHand = PenHand(), height: int = 96) -> np.ndarray:
    """``digit`` written by the stroke model: float32 [h, w] alpha, about ``height`` px tall."""
    variant = int(rng.integers(hand.variants.get(digit, 1)))
    slant = np.tan(np.deg2rad(rng.uniform(*hand.slant_deg)))
    aspect = rng.uniform(*hand.aspect)
    jitter = rng.uniform(*hand.jitter)
    width = max(1.5, rng.uniform(*hand.width) * height)
    swell = rng.uniform(*hand.pressure_swell)
    pad = int(width * 2 + 0.4 * height)
    canvas = np.zeros((height + 2 * pad, int(height * 1.2) + 2 * pad), np.uint8)
    ss = 4  # sub-pixel precision for cv2 drawing
    for stroke in _skeleton(digit, variant):
        pts = np.asarray(stroke, np.float64) + rng.normal(0, jitter, (len(stroke), 2))
        pts = _chaikin(pts)
        x = (pts[:, 0] * aspect + (1.0 - pts[:, 1]) * slant) * height + pad
        y = pts[:, 1] * height + pad
        phase = rng.uniform(0, 2 * np.pi)
        for i in range(len(x) - 1):
            w = width * (1.0 + swell * np.sin(phase + 3.0 * i / len(x)))
            p0 = (int(x[i] * ss), int(y[i] * ss))
            p1 = (int(x[i + 1] * ss), int(y[i + 1] * ss))
            cv2.line(canvas, p0, p1, 255, max(1, int(round(w))), cv2.LINE_AA, shift=2)
    return tight(canvas.astype(np.float32) / 255.0)


def _external_pen():
    """``livedigits.train.pen`` if another part of the project provides it, else None."""
    try:
        module = importlib.import_module("livedigits.train.pen")
    except ImportError:
        return None
    if not hasattr(module, "render_digit") or not hasattr(module, "PenStyle"):
        return None
    return module


PEN_OVERRIDES = {
    "slant": (-0.3, 0.5),
    "width": (0.05, 0.2),
    "jitter": 0.045,
    "wobble": 0.018,
    "rotation_deg": 8.0,
    "aspect": (0.7, 1.3),
    "intensity": (0.7, 1.0),
}
"""The benchmark's own pen settings for ``livedigits.train.pen`` (its defaults feed training): a
little more slant, jitter and wobble, and no faint strokes (the page's ink pressure varies apart)."""


def _bench_style(module):
    """The external pen's style with :data:`PEN_OVERRIDES` for the fields it has."""
    import dataclasses

    style = module.PenStyle()
    if not dataclasses.is_dataclass(style):
        return style
    names = {f.name for f in dataclasses.fields(style)}
    return dataclasses.replace(style, **{k: v for k, v in PEN_OVERRIDES.items() if k in names})


def pen_glyph(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A pen-model digit: from ``livedigits.train.pen`` if present, else :func:`pen_digit`."""
    module = _external_pen()
    if module is None:
        return pen_digit(digit, rng)
    image = np.asarray(module.render_digit(digit, rng, _bench_style(module)))
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError(f"livedigits.train.pen.render_digit must return HxW uint8, got {image.shape} {image.dtype}")
    return tight(image.astype(np.float32) / 255.0)


def pen_source() -> str:
    """Which pen model :func:`pen_glyph` uses: "livedigits.train.pen" or "benchmarks.glyphs"."""
    return "livedigits.train.pen" if _external_pen() is not None else "benchmarks.glyphs"


class Glyphs:
    """Draws labelled glyphs from the named sources: MNIST test digits, Hershey, fonts, pen."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = images, labels
        self._fonts: list[Path] | None = None

    @property
    def fonts(self) -> list[Path]:
        if self._fonts is None:
            self._fonts = font_paths()
        return self._fonts

    def draw(self, rng: np.random.Generator, source: str = "mnist") -> tuple[np.ndarray, int]:
        """(alpha float32 [h, w] in 0..1, label) from ``source``: mnist, hershey, font or pen."""
        if source == "mnist":
            return mnist_glyph(self.images, self.labels, rng)
        digit = int(rng.integers(10))
        if source == "hershey":
            return hershey_glyph(digit, rng), digit
        if source == "font":
            path = self.fonts[int(rng.integers(len(self.fonts)))]
            return font_glyph(digit, path, thicken=int(rng.integers(0, 3))), digit
        if source == "pen":
            return pen_glyph(digit, rng), digit
        raise ValueError(f"glyph source must be mnist, hershey, font or pen, got {source!r}")


def letter_glyph(rng: np.random.Generator) -> np.ndarray:
    """A letter no one would read as a digit, in a Hershey font: float32 [h, w] alpha."""
    letter = LETTERS[int(rng.integers(len(LETTERS)))]
    font = int(rng.choice(HERSHEY_FONTS[:5] + HERSHEY_FONTS[6:]))
    canvas = np.zeros((200, 200), np.uint8)
    cv2.putText(canvas, letter, (30, 150), font, 4.0, 255, int(rng.integers(4, 11)), cv2.LINE_AA)
    return tight(canvas.astype(np.float32) / 255.0)


def rotate_alpha(alpha: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate float32 [h, w] alpha about its centre, growing the canvas so nothing is cut."""
    if abs(degrees) < 0.1:
        return alpha
    h, w = alpha.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos) + 2, int(h * cos + w * sin) + 2
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    return tight(cv2.warpAffine(alpha, matrix, (nw, nh), flags=cv2.INTER_LINEAR))


def write(
    canvas: np.ndarray, alpha: np.ndarray, x: int, y: int, height: int, ink, pressure: float = 1.0, bold: int = 0
) -> np.ndarray | None:
    """Write glyph ``alpha`` on float32 [H, W, 3] ``canvas`` with its top-left at (x, y), ``height`` px tall.

    ``bold`` dilates the stroke by that many pixels (a marker). Returns the convex hull of the
    written ink (alpha > 0.5), float32 [K, 1, 2] in canvas pixels, or None when the glyph would not
    fit wholly on the canvas (nothing is then written).
    """
    gh, gw = alpha.shape
    width = max(2, int(round(gw * height / gh)))
    if x < 0 or y < 0 or x + width > canvas.shape[1] or y + height > canvas.shape[0] or height < 3:
        return None
    a = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_AREA if height < gh else cv2.INTER_LINEAR)
    if height > 2.5 * gh:
        # A small glyph blown up has soft, blurry edges; real ink has a sharp edge at any size.
        a = np.clip((a - 0.25) * 2.0, 0, 1)
    if bold > 0:
        a = cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * bold + 1,) * 2))
    a = np.clip(a * pressure, 0, 1)
    region = canvas[y : y + height, x : x + width]
    region *= 1 - a[..., None]
    region += a[..., None] * np.asarray(ink, np.float32)
    iy, ix = np.nonzero(a > 0.5 * pressure)
    if len(iy) == 0:
        return None
    points = np.stack([ix + x, iy + y], axis=1).astype(np.float32)
    return cv2.convexHull(points).reshape(-1, 1, 2)
