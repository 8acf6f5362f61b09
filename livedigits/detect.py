"""Find digit candidates in a frame: the ink threshold (rulings lifted first, in
:mod:`livedigits.rulings`), every component of the contour hierarchy, lines and containers
erased, filters, merges and splits, faint small digits grown back, and what the classifier reads
of each candidate.

Pure functions on arrays: nothing here reads files, prints or displays.

The threshold compares each pixel with the local paper brightness (a morphological closing of a
heavily downscaled copy of the frame), so shadows and uneven light move the threshold with them,
and a stroke of any width stays solid (an adaptive mean threshold hollows out thick strokes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from livedigits import cuts
from livedigits.candidate import Candidate
from livedigits.config import DetectorConfig
from livedigits.rulings import _lifted, _profile_scores, _rulings, lift_rulings  # noqa: F401 (lift_rulings: API)

PAGE_REACH = 4
"""Cells of the paper level (each ``background_scale`` px) the page reaches beyond where its level
is bright (:func:`_on_the_page`): the level dips under a bold stroke wider than its closing and
blurs at the sheet's edge. Not reaching beyond, three digits of the tuning frames were cut (two
big webcam digits); 2 cells, digits at a ruled page's edge in the check frames (ruled 0.826 ->
0.824); 3 and 4 cells, none (4: 0.827)."""
WALL_DARKNESS = 1.4
"""A bar between two lines (lifted rulings or erased lines) is a wall when it is at most this many
times as dark (below the paper) as the lighter of them: printed lines are alike; ink is darker
than a light ruling."""
DIVIDER_WIDTH = 0.3
"""Width over height up to which a bar left between two erased lines is a divider (see
:func:`_without_dividers`); a 1 cramped into its cell is the only digit that thin."""
MAX_LINE_FILL = 0.35
"""Drawn lines (a grid, a table, a box, rulings) cover a small share of their own box; a
structure that covers more than this is a surface, whose lines are not worth looking for."""
GRID_TILT_REFINE = 4.0
"""Degrees either side of the edge-direction estimate within which a grid's tilt is refined
(:func:`_grid_tilt`)."""
GRID_TILT_SIDE = 128
"""Pixels of the copy a container's tilt is refined on: at 128, a line across it moves 2 px a degree."""
GRID_CELLS = 50
GRID_SPREAD = 0.25
GRID_FILLED = 0.1
"""A component with at least :data:`GRID_CELLS` holes as tall as the smallest digit, the middle
half of their heights within :data:`GRID_SPREAD` of their median, and at most :data:`GRID_FILLED`
of them holding ink of digit size, is squared paper written across: its cells are of one size,
as no desk's grain or noise is many times over (squared pages: hundreds of cells, quartiles within
12% of the median, 0-5% holding anything; a noisy webcam's desk: up to ~300 holes that tall,
spread 20-75%), and its digits cross its lines rather than sit in its cells (a sudoku or a form's
grid of entry cells holds a digit in many of them: a table, cleaned as boxes are). Its lines are
cleaned as a ruled page's are, at full size and along its own tilt."""
PIECE_REACH = 0.35
"""A piece of a digit (a 5's cap, a 7's bar) comes within this share of its host's height of the
host's ink (:func:`_merge_fragments`), as it does of its box."""
REGROW_ALONG = 3
"""Pixels along an erased line that a stroke through it grows back over, where the line was
erased with a band round it (found at half size or smaller, or a loose ruling at full size): the
stroke's own width and a pixel each side, so the stroke is whole again without a bar of the line
on it (tuning scenes: boxes 0.886 -> 0.891, ruled 0.968 -> 0.969; 1 px: boxes 0.889, ruled
0.970)."""
WALL_SHARE = 0.8
"""An upright run at least this share of a box's cell height, from the line above the cell to
the one below, is a wall between cells (:func:`_without_walls`): a digit in its cell is shorter
than the cell unless cramped into it (with :data:`WALL_CELL_WIDTH`, tuning frames: boxes 0.891
-> 0.898, the rest unchanged; 0.7-0.9 alike, 1.0 finds none once the lines' bands are erased;
check frames: boxes 0.903 -> 0.905, the rest unchanged)."""
WALL_CELL_WIDTH = 0.5
"""A wall has a cell on either side at least this share of the median cell's width; the stem of a
digit cramped into its cell, from line to line, leaves narrower parts of it (without this rule
such a stem was taken for a wall: boxes 0.899 on the tuning frames, 0.906 on the check frames)."""
CONTAINER_MISS = 1.5
"""Degrees from the nearest angle searched beyond which a container's line tilt is searched too."""
CONTAINER_SPREAD = 6.0
"""Degrees either side of a container's overall tilt at which its sides are also looked for: a
sheet or a box seen in perspective has sides a few degrees apart."""


def to_gray(frame: np.ndarray) -> np.ndarray:
    """HxWx3 BGR, HxWx4 BGRA, HxWx1 or HxW uint8 -> HxW uint8 grayscale."""
    if frame is None:
        raise ValueError("frame is None (cv2.imread gives None for a file it cannot read)")
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise ValueError(f"frame must be uint8, got {frame.dtype}")
    if frame.size == 0:
        raise ValueError(f"frame is empty (shape {frame.shape})")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"frame must be HxW, HxWx1, HxWx3 or HxWx4 uint8, got shape {frame.shape}")


def paper_level(gray: np.ndarray, config: DetectorConfig = DetectorConfig()) -> np.ndarray:
    """The local paper brightness at 1/``background_scale`` resolution (uint8): the frame with its
    ink closed over."""
    h, w = gray.shape
    s = config.background_scale
    small = cv2.resize(gray, (max(1, w // s), max(1, h // s)), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (config.background_kernel,) * 2)
    # A closing (max then min filter) erases ink narrower than the kernel but, unlike a plain max
    # filter, keeps the edge of a shadow where it is instead of spreading bright paper over it.
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    return cv2.blur(paper, (3, 3))


def binarize(
    gray: np.ndarray, config: DetectorConfig = DetectorConfig(), paper: np.ndarray | None = None
) -> np.ndarray:
    """HxW uint8 gray -> HxW uint8 mask, 255 where there is ink: darker by ``ink_ratio`` than the
    local paper, after rulings are lifted. ``paper`` is :func:`paper_level` of ``gray`` when the
    caller has it already."""
    return threshold(gray, config, paper)[0]


def threshold(
    gray: np.ndarray, config: DetectorConfig = DetectorConfig(), paper: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`binarize`, and where rulings run: (ink mask, ruling mask), both HxW uint8 255/0. The
    rulings are the long thin lines :func:`lift_rulings` finds: their own pixels, those it lifts
    (not those as dark as ink, which stay in the mask for the line eraser)."""
    mask, ruled, _, _ = _threshold(gray, config, paper)
    return mask, ruled


def _threshold(
    gray: np.ndarray, config: DetectorConfig, paper: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """:func:`threshold`, the gray it thresholded (smoothed if noisy, rulings lifted) and the
    frame's :func:`noise_level`."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"gray must be HxW uint8, got shape {gray.shape} dtype {gray.dtype}")
    noise = noise_level(gray)
    if noise > config.max_noise:
        return np.zeros_like(gray), np.zeros_like(gray), gray, noise  # static, not a scene: nothing in it can be read
    # A blur fades the thin strokes of tiny digits, so only a noisy frame is smoothed.
    seen = cv2.GaussianBlur(gray, (3, 3), 0) if noise > config.noisy else gray
    h, w = gray.shape
    paper = paper_level(gray, config) if paper is None else paper
    paper_full = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    rulings = _rulings(seen, paper_full, config, paper)
    # Where a ruling runs: its own dark pixels (not the spread the search added).
    floor = max(1, config.ruling_lift_min) - 1
    ruled = cv2.threshold(rulings, floor, 255, cv2.THRESH_BINARY)[1]
    if ruled.any():
        # Lifted ones only: a ruling as dark as ink stays in the mask, for the line eraser.
        above = cv2.subtract(paper_full, seen)
        dark = cv2.threshold(above, floor, 255, cv2.THRESH_BINARY)[1]
        inky = cv2.threshold(above, config.ruling_keep_dark, 255, cv2.THRESH_BINARY)[1]
        ruled = cv2.bitwise_and(ruled, cv2.subtract(dark, inky))
    seen = _lifted(seen, paper_full, rulings, config)
    level = cv2.convertScaleAbs(paper_full, alpha=1.0 - config.ink_ratio)
    mask = cv2.compare(seen, level, cv2.CMP_LT)
    return _on_the_page(mask, seen, paper, paper_full, config), ruled, seen, noise


def _on_the_page(
    mask: np.ndarray, seen: np.ndarray, paper: np.ndarray, paper_full: np.ndarray, config: DetectorConfig
) -> np.ndarray:
    """The ink ``mask`` without what lies off the page: far (:data:`PAGE_REACH`) from any surface
    ``min_surface_ratio`` as bright as the brightest in view (``paper``, the paper level at
    1/``background_scale``), only ink ``shadow_min_contrast`` darker than its surface
    (``paper_full``, the level at full size, under ``seen``, the gray thresholded) stays: ink in a
    hand's shadow on the page does, a wooden or patterned desk's grain does not. The candidates'
    own rules off the page are the same (:func:`find_candidates`); a desk's thousands of specks
    are left out here, before they are traced (tuning frames read the same; a 720p frame's
    detection 21% faster, a 640x480 one's 12%)."""
    bar = config.min_surface_ratio * float(np.percentile(paper, 99))
    near_page = cv2.dilate(paper, np.ones((2 * PAGE_REACH + 1,) * 2, np.uint8))
    off = np.where(near_page < bar, np.uint8(255), np.uint8(0))  # (cv2.compare takes a 1x1 level for a scalar)
    if not off.any():
        return mask  # the page (or a bright enough surface) everywhere
    h, w = mask.shape
    off = cv2.resize(off, (w, h), interpolation=cv2.INTER_NEAREST)
    if config.shadow_min_contrast < 1.0:
        level = cv2.convertScaleAbs(paper_full, alpha=1.0 - config.shadow_min_contrast)
        off = cv2.subtract(off, cv2.compare(seen, level, cv2.CMP_LT))  # far darker: ink in a shadow
    return cv2.subtract(mask, off)


def noise_level(gray: np.ndarray) -> float:
    """Sensor noise relative to the scene's brightness: the median absolute difference between a
    pixel and its 3x3 mean (on a half-size sample), over the median gray. Flat paper is most of a
    frame, so edges and strokes do not move the median; a dim, high-gain webcam does.

    The median is read between whole gray levels (within the level it falls in, as far as the
    half of the pixels reaches into it): a dim frame's residuals are mostly 1 or 2 levels, and the
    level itself jumped from frame to frame of one video (1.2% and 2.4% of a paper at 86 where
    the noise is ~1.8%), smoothing some frames and not others across :attr:`DetectorConfig.noisy`
    and its digits came and went (a tuning webcam video: 21% of its frame pairs changed reading)."""
    sample = gray[::2, ::2]
    residual = cv2.absdiff(sample, cv2.blur(sample, (3, 3)))
    counts = cv2.calcHist([residual], [0], None, [256], [0, 256]).ravel()
    cumulative = counts.cumsum()
    half = cumulative[-1] / 2
    level = int(np.searchsorted(cumulative, half))
    below = cumulative[level - 1] if level else 0.0
    median = max(0.0, level - 0.5 + float(half - below) / max(float(counts[level]), 1.0))
    return median / (float(np.median(sample[::4, ::4])) + 1.0)


def _remove_lines(
    mask: np.ndarray, length: int, angles: tuple[float, ...] = (0.0,), shrink: int = 1, crossings: bool = True
) -> np.ndarray:
    """Erase straight runs longer than ``length`` along each of ``angles`` degrees and across it
    (the rulings, a box's sides, the grid of squared paper, the edges of a sheet in perspective).

    Long kernels are costly at full resolution, so the runs are found on a copy shrunk until the
    kernel is ~64 px, where any ink in a block counts, and turned upright by each angle there.
    At full size with ``crossings``, only a line's own width is erased: where a digit's stroke
    crosses it, the ink runs on across the line and stays (see :func:`_thin_lines`). Full size
    means a kernel under 128 px: for a grid or a ruled page, frames up to ~1000 px on their short
    side; on larger ones lines are found at half size and erased with the band round them.
    """
    h, w = mask.shape
    f = max(shrink, length // 64)
    small = mask
    if f > 1:
        small = cv2.resize(mask, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        small = cv2.compare(small, 0, cv2.CMP_GT)
    k = max(3, length // f)
    if f == 1:
        # At full size a ruling is one or two pixels wide and, seen in perspective, a degree or
        # two off the tilt it is looked for along: over a long kernel it drifts by a pixel or
        # more and no run would be found. Widened by a pixel each side, it stays one run.
        small = cv2.dilate(small, np.ones((3, 3), np.uint8))
    runs = (cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)), cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    lines = np.zeros_like(small)
    for angle in angles:
        lines |= _runs(small, runs, angle, mask if f == 1 and crossings else None)
    if f > 1:
        lines = cv2.resize(lines, (w, h), interpolation=cv2.INTER_NEAREST)
    # Grow the lines a little so their anti-aliased edges go too.
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    rest = cv2.subtract(mask, lines)
    # Where a digit's stroke crossed a line, the ink on both sides is joined again: what is left
    # grows back over the line's ink next to it. At full size the crossings stayed: the growth
    # gives back the pixel the lines were grown by.
    k = 3 if f == 1 and crossings else 2 * f + 5 if f <= 2 else 4 * f + 3
    if k <= 3:
        return rest | cv2.bitwise_and(cv2.dilate(rest, np.ones((k, k), np.uint8)), mask)
    # Found at 1/f size, a line is erased up to ~2f wider than it is: the growth must reach
    # across that band, but only across it. Grown along the line too, it gave back a bar of line
    # on each stroke through it (a 1 through a ruling read as a cross, 7 or 4).
    # Lying lines are those running on further than the band is wide (a standing line's band is
    # at most ~k wide); the rest of the band is standing lines.
    lying = cv2.morphologyEx(lines, cv2.MORPH_OPEN, np.ones((1, 2 * k + 1), np.uint8))
    standing = cv2.subtract(lines, lying)
    across = cv2.bitwise_and(cv2.dilate(rest, np.ones((k, REGROW_ALONG), np.uint8)), lying)
    across |= cv2.bitwise_and(cv2.dilate(rest, np.ones((REGROW_ALONG, k), np.uint8)), standing)
    return rest | cv2.bitwise_and(across, mask)


def _runs(mask: np.ndarray, kernels, angle: float, raw: np.ndarray | None = None) -> np.ndarray:
    """The pixels of ``mask`` on runs as long as the line ``kernels`` along and across ``angle``;
    with ``raw`` (the unwidened mask, same size), only those :func:`_thin_lines` keeps."""
    if abs(angle) < 1.0:
        return _line_pixels(mask, kernels, raw)
    sh, sw = mask.shape
    # Turn about the centre onto a canvas that holds the whole turned box.
    side = int(np.ceil(np.hypot(sh, sw))) + 2
    matrix = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
    matrix[:, 2] += ((side - sw) / 2, (side - sh) / 2)
    turned = cv2.warpAffine(mask, matrix, (side, side), flags=cv2.INTER_NEAREST)
    if raw is not None:
        raw = cv2.warpAffine(raw, matrix, (side, side), flags=cv2.INTER_NEAREST)
    lines = _line_pixels(turned, kernels, raw)
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))  # nearest-neighbour turns leave gaps
    return cv2.warpAffine(lines, cv2.invertAffineTransform(matrix), (sw, sh), flags=cv2.INTER_NEAREST)


def _line_pixels(mask: np.ndarray, kernels, raw: np.ndarray | None) -> np.ndarray:
    """The pixels of upright ``mask`` on runs as long as ``kernels`` (lying, standing; None: no
    runs that way). OpenCV's opening takes the mask's border for ink: a run ending at the edge
    counts as running on beyond it (as a ruling running off the frame does)."""
    lying, standing = (np.zeros_like(mask) if k is None else cv2.morphologyEx(mask, cv2.MORPH_OPEN, k) for k in kernels)
    if raw is None:
        return lying | standing
    return _thin_lines(lying, standing, raw, across=0) | _thin_lines(standing, lying, raw, across=1)


def _thin_lines(lines: np.ndarray, others: np.ndarray, raw: np.ndarray, across: int) -> np.ndarray:
    """``lines`` (uint8, runs along one direction) where the ink of ``raw`` across them is no wider
    than the lines are: their mean width in ``raw`` (runs along axis ``across``) and a pixel.

    A digit's stroke that crosses a ruling, or lies along it, is ink on across the line, wider
    than the line: it stays, and no growth has to bridge the line afterwards (squared paper ruled
    as dark as the ink, a line every half digit, leaves the digits in pieces otherwise). The
    ``others`` (the lines across) are left out of that ink, so where two rulings cross nothing is
    wide; a stroke itself as long as a line is among them, and is cut where the lines cross it.
    """
    on = cv2.bitwise_and(lines, raw) > 0
    count = np.count_nonzero(on)
    if not count:
        return lines
    if across == 0:
        starts = np.count_nonzero(on[0]) + np.count_nonzero(on[1:] & ~on[:-1])
    else:
        starts = np.count_nonzero(on[:, 0]) + np.count_nonzero(on[:, 1:] & ~on[:, :-1])
    reach = int(round(count / max(starts, 1))) + 2  # runs this long are wider than a line
    kernel = np.ones((reach, 1) if across == 0 else (1, reach), np.uint8)
    wide = cv2.morphologyEx(cv2.subtract(raw, others), cv2.MORPH_OPEN, kernel)
    return cv2.subtract(lines, cv2.dilate(wide, np.ones((3, 3), np.uint8)))


def _merge_fragments(boxes: np.ndarray, hosts: np.ndarray, outlines: list | None = None) -> np.ndarray:
    """Group boxes so that small pieces join the digit they belong to (a 5's cap, a 7's bar):
    int [N], for each box the index of the box its group is named after (its own when alone).

    ``boxes`` is int [N, 4] of (x, y, w, h). A piece joins a box when it is under 60% of that
    one's height, overlaps it horizontally by half its own width, sits within 35% of its height
    above or below it, and the two together are at most 1.4x its height. All pairs are tested at
    once; a piece joins the tallest match. Only ``hosts`` (bool [N]: shapes that may be a digit)
    take pieces, so a shadow or the desk's edge cannot swallow the digits around it. With
    ``outlines`` (each box's contour), a piece also comes within that reach (:data:`PIECE_REACH`
    of the host's height) of the host's own ink, not only of its box: the corner of a page's
    outline left in the mask, three digits tall and as wide, held a date's "04" written inside
    its box, half its height from its ink, and the digits went with it (a new user's
    12-megapixel photo).
    """
    n = len(boxes)
    x, y, w, h = (boxes[:, i].astype(np.int64) for i in range(4))
    parent = np.arange(n)
    if n == 0:
        return parent
    pieces = np.nonzero(h < 0.6 * h.max())[0]
    # Pieces against hosts only: a textured desk has thousands of specks, but few digit-like hosts.
    cols = np.nonzero(hosts)[0]
    if len(pieces) and len(cols):
        # Horizontal overlap first, over all pairs: it leaves a few hosts per piece, on which the
        # other tests run.
        pw = w[pieces, None]
        overlap = np.minimum(x[pieces, None] + pw, x[cols] + w[cols]) - np.maximum(x[pieces, None], x[cols])
        row, col = np.nonzero(2 * overlap >= pw)
        p, c = pieces[row], cols[col]
        py, pw, ph = y[p], w[p], h[p]
        hy, hw, hh = y[c], w[c], h[c]
        gap = np.maximum(np.maximum(hy - (py + ph), py - (hy + hh)), 0)
        span = np.maximum(hy + hh, py + ph) - np.minimum(hy, py)
        # A speck of noise beside a digit is no piece of it: a piece covers at least 3% of its
        # host's box (a 5's cap covers about a tenth).
        sized = pw * ph >= 0.03 * hw * hh
        ok = sized & (hh > ph / 0.6) & (gap <= 0.35 * hh) & (span <= 1.4 * hh)
        if outlines is not None:
            for k in np.nonzero(ok)[0].tolist():
                ok[k] = _near_ink(boxes[p[k]], outlines[c[k]], PIECE_REACH * float(hh[k]))
        row, col, hh = row[ok], col[ok], hh[ok]
        # Each piece joins the tallest of its hosts (the first of equals).
        order = np.lexsort((col, -hh, row))
        first = order[np.r_[True, row[order][1:] != row[order][:-1]]] if len(order) else order
        parent[pieces[row[first]]] = cols[col[first]]
    # Follow each index to its root (parents are strictly taller, so the chains end).
    root = parent
    while True:
        up = parent[root]
        if np.array_equal(up, root):
            break
        root = up
    return root


def _near_ink(box: np.ndarray, outline: np.ndarray, reach: float) -> bool:
    """Does a box (x, y, w, h) come within ``reach`` px of an ``outline`` (a contour): a corner, an
    edge's midpoint or its centre that close to the outline, or inside it?"""
    x, y, w, h = (float(v) for v in box)
    points = [(x + dx * w, y + dy * h) for dx in (0.0, 0.5, 1.0) for dy in (0.0, 0.5, 1.0)]
    return any(cv2.pointPolygonTest(outline, point, True) >= -reach for point in points)


def _union_box(boxes: np.ndarray) -> tuple[int, int, int, int]:
    if len(boxes) == 1:
        x, y, w, h = boxes[0].tolist()
        return x, y, w, h
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


@dataclass
class Detection:
    """What the detector found in one frame: the ink mask (HxW uint8, 255 = ink) and the candidates."""

    mask: np.ndarray
    candidates: list[Candidate]
    clean: np.ndarray | None = None
    """The mask with the lines erased (rulings, a box's sides, a grid; a form's underline), where
    a mark sitting on a line is looked for (a decimal point); None: ``mask``."""
    noisy: bool = False
    """The frame was smoothed for its noise (``DetectorConfig.noisy``): specks of it lie between
    the digits too."""
    lifted: np.ndarray | None = None
    """The rulings lifted before the threshold (HxW uint8, 255 = ruling; never in ``mask``): a
    comb field's lines printed lighter than the ink among them (:mod:`~livedigits.walls`)."""


class Detector:
    """The detection seam: ``detect(gray) -> Detection``. Any object with that method can stand in
    for it in :class:`~livedigits.recognizer.Recognizer` (another threshold, a learned detector)."""

    def __init__(self, config: DetectorConfig = DetectorConfig()):
        self.config = config

    def detect(self, gray: np.ndarray) -> Detection:
        paper = paper_level(gray, self.config)
        mask, ruled, seen, noise = _threshold(gray, self.config, paper)
        candidates, clean = _candidates(mask, self.config, gray, paper, ruled, seen, noise)
        candidates = _wide_strokes(gray, paper, candidates, self.config)
        return Detection(mask, candidates, clean, noise > self.config.noisy, lifted=ruled)


WIDE_STROKE = 0.5
"""A digit of the shrunk frame (:func:`_wide_strokes`) is taken only with at least this share of
the paper level's closing width (``background_kernel`` x ``background_scale`` px at full size) of
ink per row: strokes the closing may not have kept as ink at full size. Narrower marks found
there (a sliver of desk at a sheet's edge, a table's cell) were left out at full size for
reasons that hold at any size (tuning frames: the one false digit it let in, a desk's sliver,
had 11 px a row)."""
WIDE_SAME = 0.5
"""A full-size candidate inside a mark of the shrunk frame covering at least this share of its
box is that mark, found at full size too (the recogniser reports one or the other:
:meth:`~livedigits.recognizer.Recognizer._wide_or_covered`)."""
COARSE_MIN_SIDE = 40
"""Pixels the shrunk frame's shorter side has at least for it to be looked at."""


def _wide_strokes(
    gray: np.ndarray, paper: np.ndarray, candidates: list[Candidate], config: DetectorConfig
) -> list[Candidate]:
    """``candidates`` (found in ``gray``, HxW uint8) with the digits whose strokes are too wide
    for them: a marker's digit written large or close to the camera, its stroke taken for paper.

    Such a stroke is a dip in the ``paper`` level (:func:`paper_level` of ``gray``): darker by
    ``ink_ratio`` than the level closed again over ``coarse_scale`` times the width, in a patch
    that does not reach the frame's edge (:func:`_paper_dips`). Only when there is one, digits are
    looked for in ``gray`` shrunk ``coarse_scale`` times, each one digit wide with at least
    :data:`WIDE_STROKE` of the closing's width of ink per row (its mask at the shrunk size, its
    box in ``gray``'s pixels) and with the page round it: a band of the bright page's level
    (``min_surface_ratio``) round its box, as round writing on a page, not the desk round a
    sheet (a ring of desk whose hollow is the sheet). The full-size candidates inside its box
    are its pieces when most of each one's ink lies on its ink or it covers :data:`WIDE_SAME` of
    its box: they are its ``covers``, and the recogniser reports it when it reads past the bar
    and at least as surely as the least sure of their readings past the bar, else them
    (:meth:`~livedigits.recognizer.Recognizer._wide_or_covered`). A full-size candidate in its
    hollows or beside its strokes is writing it encloses (a box round its numbers): it is then no
    digit."""
    s = config.coarse_scale
    h, w = gray.shape
    if s <= 1 or min(h, w) // s < COARSE_MIN_SIDE or not _paper_dips(paper, config):
        return candidates
    small = cv2.resize(gray, (w // s, h // s), interpolation=cv2.INTER_AREA)
    reach = WIDE_STROKE * config.background_kernel * config.background_scale
    # A digit is at least twice as tall as its stroke is wide: nothing shorter is looked for, nor
    # rulings, faint digits or fine ink (a wide stroke is none of them).
    shortest = math.ceil(2 * reach / s)
    plain = replace(
        config,
        coarse_scale=1,
        ruling_length=1.0,
        faint_ratio=0.0,
        fine_scale=1,
        min_height=0.0,
        min_height_clean=0.0,
        min_height_px=shortest,
        min_height_px_clean=shortest,
    )
    coarse = Detector(plain).detect(small).candidates
    page = config.min_surface_ratio * float(np.percentile(paper, 99))
    out = list(candidates)
    for c in coarse:
        if c.parts or not c.whole or cv2.countNonZero(c.mask) * s < reach * c.h:
            continue
        if _band_level(small, c) < page:
            continue  # the desk round a sheet, not writing on it
        x0, y0, x1, y1 = c.x * s, c.y * s, (c.x + c.w) * s, (c.y + c.h) * s
        inside = [f for f in candidates if x0 <= f.x + f.w / 2 <= x1 and y0 <= f.y + f.h / 2 <= y1]
        # What was found at full size on its strokes is pieces of them (the rims of a stroke
        # taken for paper in its middle: a 0's hollow ringed by one), or the mark itself (most of
        # its box); anything else in its hollows or beside them is writing it encloses.
        ink = cv2.dilate(c.mask, np.ones((3, 3), np.uint8))
        box = (x0, y0, x1 - x0, y1 - y0)
        if not all(_on_ink(f, ink, c, s) or f.w * f.h >= WIDE_SAME * box[2] * box[3] for f in inside):
            continue
        out.append(Candidate(*box, c.mask, fine=c.fine, covers=inside))
    return out


def _on_ink(f: Candidate, ink: np.ndarray, c: Candidate, s: int) -> bool:
    """Does most of full-size candidate ``f``'s ink lie on ``ink`` (uint8, the mask of ``c``, a
    mark of the frame shrunk ``s`` times, spread a pixel)?"""
    x0, y0 = f.x // s - c.x, f.y // s - c.y
    x1, y1 = -(-(f.x + f.w) // s) - c.x, -(-(f.y + f.h) // s) - c.y
    wx0, wy0, wx1, wy1 = max(x0, 0), max(y0, 0), min(x1, c.w), min(y1, c.h)
    if wx1 <= wx0 or wy1 <= wy0:
        return False
    mine = cv2.resize(f.mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)[
        wy0 - y0 : wy1 - y0, wx0 - x0 : wx1 - x0
    ]
    mine = cv2.compare(mine, 0, cv2.CMP_GT)
    total = cv2.countNonZero(mine)
    return total > 0 and cv2.countNonZero(cv2.bitwise_and(mine, ink[wy0:wy1, wx0:wx1])) >= 0.5 * total


def _band_level(gray: np.ndarray, c: Candidate) -> float:
    """The median of ``gray`` in a band a quarter of ``c``'s height wide round its box (what is
    in the frame of it)."""
    m = max(1, c.h // 4)
    y0, y1 = max(0, c.y - m), min(gray.shape[0], c.y + c.h + m)
    x0, x1 = max(0, c.x - m), min(gray.shape[1], c.x + c.w + m)
    band = _outside_box(c, (y1 - y0, x1 - x0), x0, y0)
    return float(np.median(gray[y0:y1, x0:x1][band])) if band.any() else 0.0


def _paper_dips(paper: np.ndarray, config: DetectorConfig) -> bool:
    """Does the ``paper`` level hold a dip (see :func:`_wide_strokes`) in a patch whose box does
    not reach the frame's edge? A dip reaching it is most often the desk beyond the sheet."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (config.background_kernel * config.coarse_scale,) * 2)
    wider = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, kernel)
    dips = cv2.compare(paper, cv2.convertScaleAbs(wider, alpha=1.0 - config.ink_ratio), cv2.CMP_LT)
    if not cv2.countNonZero(dips):
        return False
    h, w = dips.shape
    _, _, stats, _ = cv2.connectedComponentsWithStats(dips, connectivity=8)
    x, y, bw, bh = stats[1:, :4].T
    return bool(((x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)).any())


def find_candidates(
    mask: np.ndarray,
    config: DetectorConfig = DetectorConfig(),
    gray: np.ndarray | None = None,
    paper: np.ndarray | None = None,
    ruled: np.ndarray | None = None,
    seen: np.ndarray | None = None,
    noise: float | None = None,
) -> list[Candidate]:
    """Digit candidates in an HxW uint8 ink mask (255 = ink), in no particular order.

    Every ink component is looked at, at any depth of the contour hierarchy, so a digit inside a
    drawn box, a table cell, a sticky note or a page ringed by a darker desk is still found.
    A component that encloses other ink is a *container* (the box, the grid, the desk around the
    sheet): it is never a digit, and its long straight runs are erased so that a digit touching
    it comes free. Long thin components (rulings) are cleaned the same way.

    With the HxW uint8 ``gray`` frame the mask came from, candidates lying on an edge between
    paper and a darker surface (the sheet's edge against the desk), or on a surface much darker
    than the page, are left out, unless their ink is far darker than even the dimmest surface
    under them with plain paper all round (ink in a shadow on the page:
    ``shadow_min_contrast``); ``paper`` is :func:`paper_level` of ``gray`` if already known.
    With the pixels of the lifted rulings (``ruled``, see :func:`threshold`), a thin bar
    whose ink touches one ruling or erased line at its top and the next at its bottom (the wall
    between two cells of a table whose long lines were lifted) is left out too. ``seen``, the gray the mask was
    thresholded from (smoothed if noisy, rulings lifted), is what the candidates' darkness is read
    from (a stroke crossing a lifted ruling is not darkest there); without it, ``gray``.
    ``noise`` is :func:`noise_level` of ``gray`` when the caller has it already. In a noisy
    frame, a digit the mask holds only in pieces is regrown whole from a smoother gray
    (:func:`_regrown`).
    """
    return _candidates(mask, config, gray, paper, ruled, seen, noise)[0]


def _candidates(
    mask: np.ndarray,
    config: DetectorConfig,
    gray: np.ndarray | None,
    paper: np.ndarray | None,
    ruled: np.ndarray | None,
    seen: np.ndarray | None,
    noise: float | None,
) -> tuple[list[Candidate], np.ndarray]:
    """:func:`find_candidates`, and the mask with the structures' lines erased."""
    frame_h, frame_w = mask.shape
    if noise is None and gray is not None:
        noise = noise_level(gray)
    if noise is not None and noise <= config.noisy:
        min_h = max(config.min_height_px_clean, config.min_height_clean * frame_h)
    else:
        min_h = max(config.min_height_px, config.min_height * frame_h)
    max_h, max_w = config.max_height * frame_h, config.max_width * frame_w
    components = _components(mask, min_h)
    # Too large to be a digit: a grid or a ruled page running off the frame, with digits written
    # across its lines. Its lines are cleaned like a container's.
    rulings = _line_like(components.boxes, min_h)
    huge = ((components.boxes[:, 3] > max_h) | (components.boxes[:, 2] > max_w)) & ~rulings
    # So is a container too large to be a digit whose lines cross the digits in it: a grid, or
    # one whose cells are shorter than the ink they hold (a ruled page joined by its margin line).
    # A table's cells hold its digits whole; they are cleaned as boxes are.
    crossed = components.grids | ((components.cell_h > 0) & (components.cell_h < components.inner_h))
    components.inner_h[huge & (~components.containers | crossed)] = 0  # a grid, for the eraser
    components.containers |= huge
    structures = components.containers | rulings
    clean = mask
    if structures.any():
        clean = _erase_structures(mask, components, structures, min_h)
        components = _components(clean, min_h)
    # Specks, anything far too large and whatever still encloses ink never become candidates.
    boxes, contours = components.boxes, components.contours
    x, y, w, h = boxes.T
    keep = np.nonzero((w * h >= 4) & (h <= max_h) & (w <= max_w) & ~components.containers)[0]
    boxes = boxes[keep]
    contours = [contours[i] for i in keep]
    holes = [components.holes[i] for i in keep]
    x, y, w, h = boxes.T
    b = config.border_px
    inside = (x >= b) & (y >= b) & (x + w <= frame_w - b) & (y + h <= frame_h - b)
    # A host is what may be a digit: inside the frame, not too wide, and tall enough that with a
    # piece above or below (at most 1.4x its height together) it reaches the smallest digit.
    hosts = inside & (w <= config.max_single_aspect * h) & (h * 1.4 >= min_h)

    regions = _regions(boxes, _merge_fragments(boxes, hosts, contours), inside, min_h, max_h, max_w)
    # Erased lines and lifted rulings: never read as part of a mark beside them.
    lines = cv2.subtract(mask, clean) if ruled is None else cv2.bitwise_or(cv2.subtract(mask, clean), ruled)
    # Where a region lies is judged from its box first, before any mask is cut.
    # Off the bright page, or on its edge: the desk, or the page in a shadow. Only ink far
    # darker than its own surface, in plain surroundings, is taken there (below).
    shaded = [False] * len(regions)
    if gray is not None:
        paper = paper_level(gray, config) if paper is None else paper
        brightest = float(np.percentile(paper, 99))
        clear = _clear_of_edges(regions, gray, config.min_side_ratio)
        bright = _on_bright_surface(regions, paper, brightest, config)
        shaded = [not (a and b) for a, b in zip(clear, bright)]

    candidates = []
    for r, off_page in zip(regions, shaded):
        if off_page and config.shadow_min_contrast >= 1.0:
            continue
        gx, gy, gw, gh, group = r.x, r.y, r.w, r.h, r.group
        # The group's own ink: its filled outlines less their holes, AND the mask, so neither a
        # neighbour reaching into the box nor a digit sitting inside a hole is taken along.
        outlines, inner = [contours[i] for i in group], [hole for i in group for hole in holes[i]]
        shape = _own_pixels(outlines, inner, (gx, gy, gw, gh))
        whole = Candidate(gx, gy, gw, gh, cv2.bitwise_and(shape, clean[gy : gy + gh, gx : gx + gw]))
        if not _plausible(whole, min_h, config, blob=False):
            continue
        background = _background(paper, whole, config.background_scale) if gray is not None else 0.0
        if off_page:
            # Darker than even the dimmest surface under it: a stroke, not the desk beyond an edge.
            dimmest = _background(paper, whole, config.background_scale, darkest=True)
            contrast = 1.0 - cv2.mean(gray[gy : gy + gh, gx : gx + gw], whole.mask)[0] / max(dimmest, 1.0)
            if contrast < config.shadow_min_contrast:
                continue
            if _shade_texture(whole, gray, paper, config) - noise > config.max_texture:
                continue
        if _blob(whole.mask, config):
            # A tiny digit blurred shut (an 8, a 0) is a blob in the mask; its gray, thresholded
            # at half its darkness, keeps its hollows. A dot stays a dot there.
            if not (gray is not None and config.fine_scale > 1 and gh < 2 * min_h):
                continue
            fine = _fine_ink(whole, gray, background, config, lines=lines)
            if fine is None or _blob(cv2.compare(fine, 0, cv2.CMP_GT), config):
                continue
            whole.fine = fine
        if (
            ruled is not None
            and gray is not None
            and gw <= DIVIDER_WIDTH * gh
            and _between_rulings(whole, lines, gray, background)
        ):
            continue
        if gray is not None:
            # Ink is dark (tiny digits exempt: blur lightens them); off the page's bright surface
            # (a desk beside a note, a page's far corner under a lamp) clearly dark, small ones too.
            tall = gh >= 2 * min_h
            dim = background < config.dim_surface * brightest
            if tall or dim:
                contrast = 1.0 - cv2.mean(gray[gy : gy + gh, gx : gx + gw], whole.mask)[0] / max(background, 1.0)
                if (tall and contrast < config.min_ink_contrast) or (dim and contrast < config.dim_min_contrast):
                    continue
            if (
                tall
                and noise <= config.noisy
                and config.max_mid_tones < 1.0
                and _mid_tones(whole, gray, background, config.max_texture, config.ink_ratio) > config.max_mid_tones
            ):
                continue  # in texture: wood grain beside a note, not a stroke on paper
            if not tall:
                # Small marks are not judged by their contrast: by their surroundings instead.
                if _texture(whole, gray, background) - noise > config.max_texture:
                    continue
        if _readable_split(whole, min_h, config):
            candidates.append(whole)
    if gray is not None and config.faint_ratio > 0 and noise <= config.noisy:
        tall = [contours[i] for i in np.flatnonzero(boxes[:, 3] >= min_h).tolist()]
        # As tall as the page's own digits, give or take (handwriting on one page is of one size).
        faint_h = 2 * min_h
        if len(candidates) >= 3:
            faint_h = max(faint_h, FAINT_OF_PAGE * float(np.median([c.h for c in candidates])))
        candidates += _faint_digits(
            clean, lines, candidates, tall, gray, paper, min_h, faint_h, brightest, noise, config
        )
    if len(candidates) >= 3:
        median_h = float(np.median([c.h for c in candidates]))
        candidates = _join_stacked(candidates, median_h)
    if gray is not None:
        for c in candidates:
            if c.fine is not None:
                continue  # a faint mark, read from its gray already
            background = _background(paper, c, config.background_scale)
            # A small one is read from its gray at ``fine_scale``, each way it may be cut too
            # (tiny touching digits: tuning frames 0.801 -> 0.802, check frames 0.877 -> 0.879).
            small = config.fine_scale > 1 and c.h < 2 * min_h
            for region in c.readings:
                if small:
                    region.fine = _fine_ink(region, gray, background, config, lines=lines)
                if config.read_darkness and region.fine is None:
                    if seen is not None:
                        region.fine = _darkness(region, seen, background)
                    else:
                        region.fine = _darkness(region, gray, background, smooth=noise > config.noisy)
        if noise > config.noisy and config.faint_ratio > 0 and REGROW_SMOOTH > 1 and len(candidates) >= 3:
            candidates = _regrown(candidates, mask, lines, gray, paper, min_h, noise, brightest, config)
    return candidates, clean


REGROW_SMOOTH = 5
"""In a noisy frame, digits are also looked for in the gray smoothed over this many pixels
(Gaussian), thresholded at ``faint_ratio`` (:func:`_regrown`): a dim webcam's strokes, broken by
noise and blur into pieces at ``ink_ratio`` after the 3x3 smoothing, hold together there.
Tuning frames, webcam: F1 0.890 -> 0.912 (found 83.3% -> 85.8%, as many false digits), the
other families the same (clean frames are not looked at again); 3 and 7 px read 0.907 and 0.909.
It costs ~2.3 ms a noisy 640x480 frame of the tuning webcam frames and ~4.4 ms a 720p one
(more in heavier noise: ~18 ms on a 720p frame of noise at 20 gray levels). Odd; 1: off."""
REGROW_SNR = 5.0
"""A digit regrown in a noisy frame is on average at least this many times the frame's noise
(:func:`noise_level`) darker than its paper, in the smoothed gray: a stroke, not a clump of
sensor noise or of a JPEG's blocks, which the weak threshold also joins up. Tuning frames,
webcam: at 4 nine more false digits, 4.5-5.5 the same (F1 0.911-0.912)."""
REGROW_INSIDE = 0.5
"""A candidate with at least this share of its box inside a regrown digit's box is a piece of it:
read as the regrown digit's parts, the surer reading kept (0.3 and 0.7 read the same)."""


def _regrown(
    candidates: list[Candidate],
    mask: np.ndarray,
    lines: np.ndarray,
    gray: np.ndarray,
    paper: np.ndarray,
    min_h: float,
    noise: float,
    brightest: float,
    config: DetectorConfig,
) -> list[Candidate]:
    """``candidates`` (three or more) of a noisy frame, with its digits regrown whole where the
    ink ``mask`` holds them in pieces: the gray smoothed over :data:`REGROW_SMOOTH` px and
    thresholded at ``faint_ratio`` (a hysteresis seeded by the mask, as :func:`_faint_digits`
    in a clean frame), each mark at least ``min_h`` and at most :data:`FAINT_OF_PAGE` times the
    candidates' median height tall, inside the frame, one digit wide, touching none of ``lines``
    (erased lines, lifted rulings), plausible, on the page's bright surface and
    :data:`REGROW_SNR` times the ``noise`` darker than its paper. A regrown digit is read from its
    darkness in the smoothed gray, with the candidates mostly inside it (:data:`REGROW_INSIDE`)
    as its parts, so the recogniser keeps whichever reads surer; a candidate that is not a single
    whole one (split, or a piece of another regrown digit) leaves the mark unregrown."""
    h, w = gray.shape
    max_h = FAINT_OF_PAGE * float(np.median([c.h for c in candidates]))
    smooth = cv2.GaussianBlur(gray, (REGROW_SMOOTH, REGROW_SMOOTH), 0)
    paper_full, bright = _bright_surface(paper, (h, w), brightest, config)
    weak = cv2.compare(smooth, cv2.convertScaleAbs(paper_full, alpha=1.0 - config.faint_ratio), cv2.CMP_LT)
    # Only on the page's bright surface (as every faint mark): a desk's grain is left untraced.
    weak = cv2.bitwise_and(weak, bright)
    # Every component's outline at any depth (a darker desk's weak ring encloses the page).
    outlines, hierarchy = cv2.findContours(weak, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not outlines:
        return candidates
    boxes = np.array([cv2.boundingRect(o) for o in outlines], np.int64).reshape(-1, 4)
    x, y, bw, bh = boxes.T
    b = config.border_px
    ok = (hierarchy[0][:, 3] < 0) & (bh >= min_h) & (bh <= max_h) & (bw <= config.max_aspect * bh)
    ok &= (x >= b) & (y >= b) & (x + bw <= w - b) & (y + bh <= h - b)
    if not ok.any():
        return candidates
    known = np.array([c.box for c in candidates], np.int64).reshape(-1, 4)
    known_area = known[:, 2] * known[:, 3]
    claimed = np.zeros(len(candidates), bool)
    grown = []
    for k in np.nonzero(ok)[0].tolist():
        gx, gy, gw, gh = (int(v) for v in boxes[k])
        window = np.s_[gy : gy + gh, gx : gx + gw]
        own = cv2.bitwise_and(_own_pixels([outlines[k]], [], (gx, gy, gw, gh)), weak[window])
        if not cv2.countNonZero(cv2.bitwise_and(own, mask[window])):
            continue  # no stroke of it reaches the ink threshold
        if cv2.countNonZero(cv2.bitwise_and(cv2.dilate(own, np.ones((3, 3), np.uint8)), lines[window])):
            continue  # a line's blurred edge
        across = np.minimum(known[:, 0] + known[:, 2], gx + gw) - np.maximum(known[:, 0], gx)
        down = np.minimum(known[:, 1] + known[:, 3], gy + gh) - np.maximum(known[:, 1], gy)
        inside = np.flatnonzero((across > 0) & (down > 0) & (across * down >= REGROW_INSIDE * known_area)).tolist()
        if any(claimed[i] or not candidates[i].whole or candidates[i].parts for i in inside):
            continue
        if len(inside) == 1 and max(gw - known[inside[0], 2], gh - known[inside[0], 3]) < REGROW_SMOOTH:
            continue  # the candidate's own mark, only spread by the smoothing: nothing regrown
        regrown = Candidate(gx, gy, gw, gh, own)
        if not _plausible(regrown, min_h, config):
            continue
        background = _background(paper, regrown, config.background_scale)
        if background < config.dim_surface * brightest:
            continue
        if 1.0 - cv2.mean(smooth[window], own)[0] / max(background, 1.0) < REGROW_SNR * noise:
            continue
        regrown.fine = _as_darkness(smooth[window], own, background) if config.read_darkness else None
        regrown.parts = sorted((candidates[i] for i in inside), key=lambda c: c.x)
        claimed[inside] = True
        grown.append(regrown)
    return [c for c, taken in zip(candidates, claimed) if not taken] + grown


FAINT_OF_PAGE = 1.3
"""Faint marks grown from specks (:func:`_faint_digits`) are candidates up to this many times the
median height of the frame's other candidates tall (with three or more; never under twice
``min_h``): digits of the page's own size written with a lighter hand."""


def _faint_digits(
    clean: np.ndarray,
    lines: np.ndarray,
    candidates: list[Candidate],
    tall: list[np.ndarray],
    gray: np.ndarray,
    paper: np.ndarray,
    min_h: float,
    max_h: float,
    brightest: float,
    noise: float,
    config: DetectorConfig,
) -> list[Candidate]:
    """Small digits too faint to hold together at ``ink_ratio``: the ink of ``clean`` (the mask
    after its structures were erased) off every candidate's ink and off the ``tall``
    components (contours of those at least ``min_h`` tall) seeds a hysteresis through pixels
    ``faint_ratio`` darker than the paper (on a page of small writing, the ``candidates`` three or
    more and their median under twice ``min_h`` tall, so do pixels of ``gray`` half way between
    the two thresholds, off the same); a grown mark at least ``min_h`` and under ``max_h`` tall,
    inside the frame, touching none of ``lines`` (erased lines, lifted rulings), plausible, on the
    page's bright surface and in plain paper (as the small candidates of :func:`find_candidates`)
    is a candidate, read from its gray at ``faint_ratio`` (:func:`_fine_ink`)."""
    h, w = gray.shape
    # The candidates' own ink, and a pixel round it: neither a seed nor grown into.
    taken = np.zeros((h, w), np.uint8)
    for c in candidates:
        region = taken[c.y : c.y + c.h, c.x : c.x + c.w]
        np.maximum(region, c.mask, out=region)
    taken = cv2.dilate(taken, np.ones((3, 3), np.uint8))
    # Seeds: leftover ink on the page's bright surface, in no component tall enough to be a digit.
    paper_full, bright = _bright_surface(paper, (h, w), brightest, config)
    seeds = cv2.bitwise_and(cv2.subtract(clean, taken), bright)
    if len(candidates) >= 3 and float(np.median([c.h for c in candidates])) < 2 * min_h:
        # A page of small writing: blur lightens a small digit all through (on the tuning frames'
        # pages of tiny digits, one in seven of those missed or misread had no pixel 20% below
        # the paper, most 14-20%), so it is seeded half way between the two thresholds. Larger writing
        # keeps the ink threshold's seeds: there a card's soft shadow on a desk, as light, seeds
        # marks read as 1s (check seeds, notes: 8 false digits -> 15).
        lighter = 1.0 - (config.ink_ratio + config.faint_ratio) / 2
        light = cv2.compare(gray, cv2.convertScaleAbs(paper_full, alpha=lighter), cv2.CMP_LT)
        seeds = cv2.bitwise_or(seeds, cv2.bitwise_and(cv2.subtract(light, taken), bright))
    cv2.drawContours(seeds, tall, -1, 0, cv2.FILLED)
    if not seeds.any():
        return []
    # Growth reaches at most half the largest such digit (``max_h``) from a seed: the faint
    # threshold is only looked at there, and the outlines traced only there.
    reach = 2 * (int(max_h) // 2) + 1  # odd: centred on the seed
    near = cv2.dilate(seeds, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    weak = cv2.compare(gray, cv2.convertScaleAbs(paper_full, alpha=1.0 - config.faint_ratio), cv2.CMP_LT)
    weak = cv2.subtract(cv2.bitwise_or(weak, seeds), taken)
    outlines, _ = cv2.findContours(cv2.bitwise_and(weak, near), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not outlines:
        return []
    boxes = np.array([cv2.boundingRect(o) for o in outlines], np.int64).reshape(-1, 4)
    x, y, bw, bh = boxes.T
    b = config.border_px
    ok = (bh >= min_h) & (bh < max_h) & (bw <= config.max_single_aspect * bh)
    ok &= (x >= b) & (y >= b) & (x + bw <= w - b) & (y + bh <= h - b)
    found = []
    for k in np.nonzero(ok)[0].tolist():
        cx, cy, cw, ch = (int(v) for v in boxes[k])
        own = _own_pixels([outlines[k]], [], (cx, cy, cw, ch))
        inked = cv2.bitwise_and(own, weak[cy : cy + ch, cx : cx + cw])
        window = np.s_[cy : cy + ch, cx : cx + cw]
        # Cut off where the search stopped (a streak of wood grain, a long faint line): it goes on.
        around = np.zeros((ch + 2, cw + 2), np.uint8)
        y0, y1, x0, x1 = max(cy - 1, 0), min(cy + ch + 1, h), max(cx - 1, 0), min(cx + cw + 1, w)
        around[y0 - cy + 1 : y1 - cy + 1, x0 - cx + 1 : x1 - cx + 1] = weak[y0:y1, x0:x1]
        around[1:-1, 1:-1] = 0
        reach_out = cv2.dilate(cv2.copyMakeBorder(inked, 1, 1, 1, 1, cv2.BORDER_CONSTANT), np.ones((3, 3), np.uint8))
        if cv2.countNonZero(cv2.bitwise_and(reach_out, around)):
            continue
        if not cv2.countNonZero(cv2.bitwise_and(inked, seeds[window])):
            continue  # faint all through: no stroke of it reaches the seeds' threshold
        # A faint mark that runs into an erased line or a lifted ruling is that line's blurred edge.
        if cv2.countNonZero(cv2.bitwise_and(cv2.dilate(inked, np.ones((3, 3), np.uint8)), lines[window])):
            continue
        c = Candidate(cx, cy, cw, ch, inked)
        if not _plausible(c, min_h, config):
            continue
        background = _background(paper, c, config.background_scale)
        if background < config.dim_surface * brightest or _texture(c, gray, background) - noise > config.max_texture:
            continue
        if not _readable_split(c, min_h, config):
            continue
        if cw <= config.max_aspect * ch and config.fine_scale > 1:
            c.fine = _fine_ink(c, gray, background, config, config.faint_ratio, lines)
        found.append(c)
    return found


def _bright_surface(
    paper: np.ndarray, shape: tuple[int, int], brightest: float, config: DetectorConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The ``paper`` level enlarged to ``shape`` (h, w), and where it is the page's bright surface
    (at least ``dim_surface`` times the ``brightest``; uint8 255/0): where faint marks are looked
    for (:func:`_faint_digits`, :func:`_regrown`)."""
    h, w = shape
    paper_full = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    bright = cv2.threshold(paper_full, math.ceil(config.dim_surface * brightest) - 1, 255, cv2.THRESH_BINARY)[1]
    return paper_full, bright


def _regions(boxes: np.ndarray, root: np.ndarray, inside: np.ndarray, min_h: float, max_h: float, max_w: float) -> list:
    """The groups of ``boxes`` [N,4] named by ``root`` [N] (see :func:`_merge_fragments`) that
    may be one digit: between ``min_h`` and ``max_h`` tall, at most ``max_w`` wide and all
    ``inside`` [N] the frame; as :class:`_Region`, in the order of their first member (the order
    the components came in). Judged on all groups at once: a noisy frame has thousands."""
    if len(boxes) == 0:
        return []
    order = np.argsort(root, kind="stable")
    starts = np.flatnonzero(np.r_[True, root[order][1:] != root[order][:-1]])
    ends = np.r_[starts[1:], len(order)]
    x, y, w, h = (boxes[order, i].astype(np.int64) for i in range(4))
    x0, y0 = np.minimum.reduceat(x, starts), np.minimum.reduceat(y, starts)
    gw, gh = np.maximum.reduceat(x + w, starts) - x0, np.maximum.reduceat(y + h, starts) - y0
    whole = np.minimum.reduceat(inside[order].astype(np.uint8), starts).astype(bool)
    ok = np.nonzero((gh >= min_h) & (gh <= max_h) & (gw <= max_w) & whole)[0]
    ok = ok[np.argsort(order[starts[ok]], kind="stable")]  # stable sort: a group's first is its smallest
    return [
        _Region(int(x0[k]), int(y0[k]), int(gw[k]), int(gh[k]), order[starts[k] : ends[k]].tolist())
        for k in ok.tolist()
    ]


@dataclass
class _Region:
    """A group of components that may be one digit: its box and the component indices."""

    x: int
    y: int
    w: int
    h: int
    group: list[int]


@dataclass
class _Components:
    """The ink components of a mask: outer contours, their boxes int [N, 4], the contours of
    their holes, and which of them are containers (hold other ink of digit size)."""

    contours: list[np.ndarray]
    boxes: np.ndarray
    holes: list[list[np.ndarray]]
    containers: np.ndarray
    inner_h: np.ndarray
    """int [N]: height of the tallest component inside each one's holes; its own height when
    it has none (a ruling with digits touching it is about as tall as they are)."""
    grids: np.ndarray
    """bool [N]: which are grids, many cells of one size (see :data:`GRID_CELLS`)."""
    cell_h: np.ndarray
    """float [N]: the median height of each one's holes as tall as the smallest digit (0: none)."""


def _components(mask: np.ndarray, min_h: float) -> _Components:
    """Trace every border of the mask once (RETR_CCOMP: each component's outline at the top level,
    its holes one level down) and mark the components whose holes hold ink at least half the
    smallest digit height: a box, a table, a ring of desk around the sheet. A 0, 6, 8 or 9 holds
    no ink in its holes (at most a speck), so it stays a digit."""
    found, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        none = np.zeros(0, bool)
        return _Components([], np.zeros((0, 4), np.int64), [], none, np.zeros(0, np.int64), none, np.zeros(0))
    parent = hierarchy[0][:, 3]
    outer = np.nonzero(parent < 0)[0]
    index = {int(c): k for k, c in enumerate(outer)}
    contours = [found[i] for i in outer]
    boxes = np.array([cv2.boundingRect(c) for c in contours], np.int64).reshape(-1, 4)
    holes: list[list[np.ndarray]] = [[] for _ in outer]
    hole_boxes: list[tuple[int, tuple[int, int, int, int]]] = []
    cells: dict[int, list[int]] = {}
    for i in np.nonzero(parent >= 0)[0]:
        owner = index[int(parent[i])]
        holes[owner].append(found[i])
        bx, by, bw, bh = cv2.boundingRect(found[i])
        if bh >= 0.5 * min_h:
            hole_boxes.append((owner, (bx, by, bw, bh)))
            if bh >= min_h:
                cells.setdefault(owner, []).append(bh)
    containers = np.zeros(len(outer), bool)
    filled = np.zeros(len(outer), np.int64)  # holes holding ink of digit size
    inner_h = boxes[:, 3].copy()
    x, y, w, h = boxes.T
    if hole_boxes:
        # A component lies in a hole when its box lies in the hole's box; only components of
        # digit size count, and only holes big enough to hold one are looked at. All pairs at once.
        owners = np.array([o for o, _ in hole_boxes])
        bx, by, bw, bh = (np.array([b[k] for _, b in hole_boxes])[:, None] for k in range(4))
        within = (h >= 0.5 * min_h) & (x >= bx) & (y >= by) & (x + w <= bx + bw) & (y + h <= by + bh)
        within[np.arange(len(owners)), owners] = False
        for row in np.nonzero(within.any(axis=1))[0]:
            owner = owners[row]
            filled[owner] += 1
            tallest = h[within[row]].max()
            inner_h[owner] = max(inner_h[owner], tallest) if containers[owner] else tallest
            containers[owner] = True
    # A large component whose box holds two or more digit-sized ones wraps them without closing
    # round them: the desk's edge along three sides of the sheet, a bracket, an open table.
    large = np.nonzero((h >= 2 * min_h) & ~containers)[0]
    if len(large):
        lx, ly, lw, lh = (v[large, None] for v in (x, y, w, h))
        within = (h >= min_h) & (x > lx) & (y > ly) & (x + w < lx + lw) & (y + h < ly + lh)
        for row in np.nonzero(np.count_nonzero(within, axis=1) >= 2)[0]:
            containers[large[row]] = True
            inner_h[large[row]] = h[within[row]].max()
    grids = np.zeros(len(outer), bool)
    cell_h = np.zeros(len(outer))
    for owner, heights in cells.items():
        heights.sort()  # quartiles by position: np.percentile costs ~20 us a call, a digit's hole counts
        n = len(heights)
        low, cell_h[owner], high = heights[n // 4], heights[n // 2], heights[(3 * n) // 4]
        grids[owner] = (
            n >= GRID_CELLS and high - low <= GRID_SPREAD * cell_h[owner] and filled[owner] <= GRID_FILLED * n
        )
    return _Components(contours, boxes, holes, containers, inner_h, grids, cell_h)


def _own_pixels(outlines: list[np.ndarray], holes: list[np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray:
    """uint8 mask of a box (x, y, w, h) with the components' outlines filled and their holes left
    empty. A hole's contour runs along the ink round it, so that line is kept."""
    x, y, w, h = box
    own = np.zeros((h, w), np.uint8)
    cv2.drawContours(own, outlines, -1, 255, cv2.FILLED, offset=(-x, -y))
    if holes:
        cv2.drawContours(own, holes, -1, 0, cv2.FILLED, offset=(-x, -y))
        cv2.drawContours(own, holes, -1, 255, 1, offset=(-x, -y))
    return own


def _line_like(boxes: np.ndarray, min_h: float) -> np.ndarray:
    """bool [N]: long thin boxes (rulings, maybe with digits touching them): at least four times
    as wide as tall and longer than a few digits could be written without a gap."""
    x, y, w, h = boxes.T
    return (w > 4 * h) & (w > 8 * min_h)


def _erase_structures(mask: np.ndarray, components: _Components, structures: np.ndarray, min_h: float) -> np.ndarray:
    """A copy of ``mask`` with the long straight runs of the structure components erased.

    Only their own pixels (outline filled, holes left out) are cleaned, in their own box (a
    ruling's with a blank margin round it) and turned by their own tilt (a ruling or a box seen
    at an angle; :func:`_ruling_tilt` for a ruling), so a large digit's long stroke elsewhere in
    the frame is never mistaken for a ruling, and a digit touching a line survives. Rulings of
    about the same tilt (a ruled page) are cleaned together, in one pass. ``min_h``: the smallest
    digit's height.
    """
    out = mask.copy()
    rulings: dict[int, list[tuple[int, float]]] = {}
    jobs: list[tuple[list[int], tuple[float, ...]]] = []
    for i in np.nonzero(structures)[0]:
        x, y, w, h = (int(v) for v in components.boxes[i])
        area = cv2.contourArea(components.contours[i]) - sum(cv2.contourArea(c) for c in components.holes[i])
        if area > MAX_LINE_FILL * w * h:
            continue  # not drawn lines but a surface (the desk round a sheet, noise): left whole
        if components.containers[i]:
            jobs.append(([int(i)], ()))  # its tilt is read from its lines once they are drawn
        else:
            tilt = _ruling_tilt(components.contours[i], components.holes[i], min_h)
            rulings.setdefault(round(tilt / 2.0), []).append((int(i), tilt))
    for members in rulings.values():
        jobs.append(([i for i, _ in members], (float(np.median([t for _, t in members])),)))
    frame_h, frame_w = mask.shape
    for group, angles in jobs:
        # Runs longer than the digits the structures hold or touch, and than any stroke of a
        # digit of ordinary size, are lines.
        length = int(max(15, 0.12 * min(mask.shape), 1.2 * max(components.inner_h[i] for i in group)))
        x, y, w, h = _union_box(components.boxes[group])
        if angles:
            # Rulings are boxed with a blank margin half a line's length wide (within the frame):
            # the runs are found by an opening, which takes a box's edge for ink, and a digit
            # standing on the ruling reaches the top of a tight box: its stem counted as a run
            # going on beyond it, and was erased. At the frame's edge the lines do go on (for a
            # level ruling: one turned is looked for on a blank canvas, see _runs).
            pad = length // 2 + 2
            x0, y0 = max(0, x - pad), max(0, y - pad)
            x, y, w, h = x0, y0, min(frame_w, x + w + pad) - x0, min(frame_h, y + h + pad) - y0
        box = (x, y, w, h)
        outlines = [components.contours[i] for i in group]
        own = _own_pixels(outlines, [hole for i in group for hole in components.holes[i]], box)
        roi = out[y : y + h, x : x + w]
        own = cv2.bitwise_and(own, roi)
        shrink, walls_tilt = 1, None
        if not angles:
            # A container's lines (a grid, a box, a sheet's outline) are tilted as its edges say,
            # not as its outline's box (a grid running off the frame is boxed by the frame).
            tilt = _line_tilt(own)
            lined = _grid_tilt(own, tilt)
            if components.inner_h[group[0]]:
                # The sides of a box seen in perspective spread a few degrees about that; looking
                # three ways costs three times, so a box's long sides are found at half size.
                # The lines' own tilt, when apart from those, is a fourth way (a squared page
                # holding digits in its cells, askew).
                angles = (tilt - CONTAINER_SPREAD, tilt, tilt + CONTAINER_SPREAD)
                if min(abs(lined - a) for a in angles) > CONTAINER_MISS:
                    angles += (lined,)
                shrink = 2
                if components.cell_h[group[0]] > 0:
                    walls_tilt = lined
            else:
                # A grid too large to be a digit: many close lines, parallel in a small view,
                # looked for along its tilt only and at full size, so the digits on it survive.
                angles = (lined,)
        # A container's crossings stay (see _thin_lines); loose rulings are erased as they were:
        # a wood grain's bands are rulings too, and its short dark streaks across them are no 1s.
        kept = _remove_lines(own, length, angles, shrink, crossings=bool(components.containers[group[0]]))
        erased = cv2.subtract(own, kept)  # the long lines: the ends of walls and dividers
        if walls_tilt is not None:
            cells = [hole for i in group for hole in components.holes[i]]
            kept = _without_walls(kept, erased, cells, box, components.cell_h[group[0]], walls_tilt)
        kept = _without_dividers(kept, erased)
        roi[:] = cv2.subtract(roi, own) | kept
    return out


def _between_rulings(c: Candidate, ruled: np.ndarray, gray: np.ndarray, background: float) -> bool:
    """Is a candidate a wall between two lines (``ruled``, HxW uint8: the lifted rulings and the
    erased lines): does its ink touch one in the two rows above its first row of ink and one in
    the two below its last, and is it no darker than the darkest pixel of the lighter of them, as
    printed lines are alike (a handwritten 1 that reaches from line to line is darker than light
    rulings: :data:`WALL_DARKNESS`)? A grid's column cut short by the frame's edge leaves such a
    piece between the last lifted row and an erased one."""
    h, w = ruled.shape
    rows = np.nonzero(c.mask.any(axis=1))[0]
    if len(rows) == 0:
        return False
    ends = []
    for row, y0, y1 in ((rows[0], -2, 0), (rows[-1], 1, 3)):
        cols = np.nonzero(c.mask[row])[0]
        y, x0, x1 = c.y + int(row), max(0, c.x + int(cols[0]) - 1), min(w, c.x + int(cols[-1]) + 2)
        band = ruled[max(0, y + y0) : y + y1, x0:x1]
        if not band.any():
            return False
        ends.append(float(gray[max(0, y + y0) : y + y1, x0:x1][band > 0].min()))
    line = background - max(ends)  # the lighter of the two rulings, in gray levels below the paper
    bar = background - cv2.mean(gray[c.y : c.y + c.h, c.x : c.x + c.w], c.mask)[0]
    return bar <= WALL_DARKNESS * line


def _without_walls(
    kept: np.ndarray, erased: np.ndarray, cells: list[np.ndarray], box: tuple, cell_h: float, tilt: float
) -> np.ndarray:
    """``kept`` (uint8 mask of what is left of a box or a table, in its ``box`` x, y, w, h, once
    its long lines, ``erased``, are taken out) without the walls between its cells: upright runs
    (across ``tilt`` degrees) at least :data:`WALL_SHARE` of a cell (``cell_h``, the median height
    of its cells) tall, reaching from an erased line above to one below, with a cell (one of the
    hole contours ``cells``, in frame pixels) on either side, each at least half as wide as the
    median cell. A wall is as tall as its cell and so shorter than the long lines erased; where a
    digit touches it, it is one component with the digit, no divider standing alone
    (:func:`_without_dividers`), and the digit's crop took it in (a 4 in a comb field read with a
    bar beside it). A stroke of the digit across the wall grows back over it. The stem of a digit
    cramped into its cell reaches both lines too, but splits its cell into two narrow parts."""
    # (An odd length: an even kernel's anchor is off centre and the opening shifts by a pixel.)
    standing = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(WALL_SHARE * cell_h)) | 1))
    runs = cv2.bitwise_and(_runs(kept, (None, standing), tilt), kept)
    if not runs.any() or not cells:
        return kept
    bx, by, bw, bh = box
    label = np.zeros((bh, bw), np.int32)
    for k, hole in enumerate(cells):
        cv2.drawContours(label, [hole], -1, k + 1, cv2.FILLED, offset=(-bx, -by))
    rects = [cv2.boundingRect(hole) for hole in cells]
    widths = np.array([0] + [r[2] for r in rects])  # by label: 0 is no cell
    tall = [r[3] >= 0.5 * cell_h for r in rects]
    if not any(tall):
        return kept
    wide = WALL_CELL_WIDTH * float(np.median(widths[1:][tall]))
    reach = int(wide)  # a cell beside a wall is looked for this far from it
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    near = cv2.dilate(erased, np.ones((5, 1), np.uint8))  # up and down only: a side beside it is no end
    walls = np.zeros_like(kept)
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        own = labels[y : y + h, x : x + w] == i
        if not _line_to_line(own, near[y : y + h, x : x + w]):
            continue
        # A cell on either side: the widest hole within reach (a digit against the wall closes
        # small holes of its own there, the hollows of a 3 or a 6).
        rows = slice(y + h // 3, y + h - h // 3)
        left, right = label[rows, max(x - reach, 0) : x], label[rows, x + w : x + w + reach]
        if widths[left].max(initial=0) >= wide and widths[right].max(initial=0) >= wide:
            walls[y : y + h, x : x + w][own] = 255
    if not walls.any():
        return kept
    walls = cv2.dilate(walls, np.ones((1, 3), np.uint8))
    rest = cv2.subtract(kept, walls)
    across = cv2.bitwise_and(cv2.dilate(rest, np.ones((REGROW_ALONG, 5), np.uint8)), walls)
    return rest | cv2.bitwise_and(across, kept)


def _line_to_line(own: np.ndarray, near: np.ndarray) -> bool:
    """Does a component (``own``, bool, its box) reach lines (``near``, uint8, the same box: the
    erased lines grown) in its top two rows and in its bottom two?"""
    reach = near > 0
    return bool((own[:2] & reach[:2]).any() and (own[-2:] & reach[-2:]).any())


def _without_dividers(kept: np.ndarray, erased: np.ndarray) -> np.ndarray:
    """``kept`` (uint8 mask of what is left of a box or a table once its long lines are erased)
    without its dividers: thin upright bars that ran from an erased line above them to one below
    (the walls between the cells of a table or of a comb field for one digit each), which are as
    tall as a cell and read as 1s. A digit in a cell reaches both of its lines only when it is
    cramped into it."""
    # The components' outlines (8-connected, as labelling them would be; labelling them with
    # their stats costs ~8x as much on a frame-sized mask): a bar holds no hole, so its outline
    # filled is its ink.
    outlines, _ = cv2.findContours(kept, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    bars = []
    for outline in outlines:
        x, y, w, h = cv2.boundingRect(outline)
        if h >= 6 and w <= DIVIDER_WIDTH * h:
            bars.append((outline, x, y, w, h))
    if not bars:
        return kept
    near = cv2.dilate(erased, np.ones((5, 1), np.uint8))  # up and down only: a side beside it is no end
    out = kept
    for outline, x, y, w, h in bars:
        own = np.zeros((h, w), np.uint8)
        cv2.drawContours(own, [outline], -1, 255, cv2.FILLED, offset=(-x, -y))
        own = (own > 0) & (kept[y : y + h, x : x + w] > 0)
        if _line_to_line(own, near[y : y + h, x : x + w]):
            if out is kept:
                out = kept.copy()
            out[y : y + h, x : x + w][own] = 0
    return out


def _grid_tilt(lines: np.ndarray, rough: float) -> float:
    """The ``rough`` tilt of :func:`_line_tilt` made good: of the turns a whole number of degrees
    from it (within :data:`GRID_TILT_REFINE`), the one at which the mask's row and column sums
    peak. A grid's lines are looked for along one angle only, and thin lines a few degrees off
    level are staircases of level steps whose edges vote for level: a squared page at -4 degrees
    measured 0.5, and its lines stayed in the mask."""
    turns = [rough + step for step in np.arange(-GRID_TILT_REFINE, GRID_TILT_REFINE + 0.5).tolist()]
    scores = _profile_scores(lines, turns, GRID_TILT_SIDE)
    if not scores:
        return rough
    return (max(scores, key=scores.get) + 45.0) % 90.0 - 45.0


def _line_tilt(lines: np.ndarray) -> float:
    """The tilt in degrees (-45..45) of the straight lines that dominate an HxW uint8 mask (a
    grid, a box, a ruled page), from the histogram of its edges' directions modulo 90 degrees
    (a grid's two families of lines, and a line's two sides, fall in one bin)."""
    h, w = lines.shape
    f = max(1, max(h, w) // 256)
    small = cv2.resize(lines, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else lines
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.abs(gx) + np.abs(gy)
    edges = magnitude > 0
    if not edges.any():
        return 0.0
    direction = np.degrees(np.arctan2(gy[edges], gx[edges])) % 90.0
    votes = np.bincount(direction.astype(np.int64) % 90, weights=magnitude[edges], minlength=90)
    votes = votes + 0.5 * (np.roll(votes, 1) + np.roll(votes, -1))  # neighbouring degrees agree
    best = float(np.argmax(votes)) + 0.5
    return (best + 45.0) % 90.0 - 45.0  # the same sense as :func:`_tilt`


def _tilt(contour: np.ndarray) -> float:
    """The angle in degrees (-45..45) of a contour's minimum-area rectangle: the tilt of a ruling
    or of a box's sides as the camera sees them."""
    angle = cv2.minAreaRect(contour)[2]
    return (angle + 45.0) % 90.0 - 45.0


def _ruling_tilt(contour: np.ndarray, holes: list[np.ndarray], min_h: float) -> float:
    """The tilt in degrees (-45..45) of a ruling's line (one component: its outline ``contour``
    and ``holes``): its minimum-area rectangle's (:func:`_tilt`), unless the rectangle is at least
    half a digit (``min_h``) across, when digits written on the line, crossing it, are part of
    the component and turn the rectangle: then the turn within :data:`GRID_TILT_REFINE` degrees
    of that at which the line falls along one row (:func:`_grid_tilt`). Looked for along a tilt 2
    degrees off, a form's underline with the numbers standing on it was never found, and the
    numbers were read as one wide mark with it. (One digit at the end of a short line can turn
    the rectangle further than that; seeding the search with the edges' vote, :func:`_line_tilt`,
    instead reads such lines better but ruled pages worse: the check seeds' mid-dark ruled page
    0.976 -> 0.963.)"""
    rough = _tilt(contour)
    if min(cv2.minAreaRect(contour)[1]) < 0.5 * min_h:
        return rough  # a bare line: its rectangle lies along it
    return _grid_tilt(_own_pixels([contour], holes, cv2.boundingRect(contour)), rough)


def _background(paper: np.ndarray, c, scale: int, darkest: bool = False) -> float:
    """The brightest (``darkest``: dimmest) local background (``paper``, at 1/``scale``) over a
    box with x, y, w, h."""
    # Clamped: the frame's last few pixels past a multiple of ``scale`` fall in its last cell.
    y0, x0 = min(c.y // scale, paper.shape[0] - 1), min(c.x // scale, paper.shape[1] - 1)
    cells = paper[y0 : (c.y + c.h) // scale + 1, x0 : (c.x + c.w) // scale + 1]
    return float(cells.min() if darkest else cells.max())


def _on_bright_surface(candidates: list, paper: np.ndarray, brightest: float, config: DetectorConfig) -> list[bool]:
    """For each candidate: is it written on a surface at least ``min_surface_ratio`` as bright as
    the ``brightest`` surface in view (the 99th percentile of the local background ``paper``,
    uint8 at 1/``background_scale``, closed and blurred), so that a page of a few percent of the
    frame counts and a speck of glare or a lamp does not? A candidate's surface is the brightest
    background within its box (a stroke broader than the closing can darken the middle of a
    huge digit, never all of its box). The marks of a wooden or dark desk, a keyboard, a sleeve
    are not on the page."""
    bar = config.min_surface_ratio * brightest
    return [_background(paper, c, config.background_scale) >= bar for c in candidates]


def _fine_ink(
    c: Candidate,
    gray: np.ndarray,
    background: float,
    config: DetectorConfig,
    ratio: float | None = None,
    lines: np.ndarray | None = None,
) -> np.ndarray | None:
    """A candidate's ink thresholded again on its gray crop enlarged ``fine_scale`` times, within
    1 1/3 px of its own mask and off ``lines`` (HxW uint8: erased lines, lifted rulings), as its
    darkness: uint8, 255 at its darkest pixel, 0 off the ink (0/255 when ``read_darkness`` is
    off); or None when nothing is left. Ink is what is darker than the ink level (``ratio``, by
    default ``ink_ratio``, below the ``background``) or than the level half way from the
    ``background`` to the candidate's darkest pixel, whichever of the two levels is lighter."""
    h, w = gray.shape
    s = config.fine_scale
    x0, y0, x1, y1 = max(c.x - 1, 0), max(c.y - 1, 0), min(c.x + c.w + 1, w), min(c.y + c.h + 1, h)
    big = cv2.resize(gray[y0:y1, x0:x1], None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
    own = np.zeros((y1 - y0, x1 - x0), np.uint8)
    own[c.y - y0 : c.y - y0 + c.h, c.x - x0 : c.x - x0 + c.w] = c.mask
    size = (big.shape[1], big.shape[0])
    own = cv2.resize(own, size, interpolation=cv2.INTER_NEAREST)
    reach = 2 * ((4 * s) // 3) + 1  # a third more than a pixel each way, centred
    near = cv2.dilate(own, np.ones((reach, reach), np.uint8))
    if lines is not None:
        # Not onto an erased line or a lifted ruling beside it (its own pixels stay).
        beside = cv2.resize(lines[y0:y1, x0:x1], size, interpolation=cv2.INTER_NEAREST)
        near = cv2.bitwise_or(cv2.subtract(near, beside), own)
    # A blurred stroke reaches as far as its darkness is half its peak (its width at half maximum):
    # a faint digit whose mask holds only its cores keeps its strokes to there.
    darkest = cv2.minMaxLoc(big, near)[0]
    level = max(background * (1.0 - (config.ink_ratio if ratio is None else ratio)), (background + darkest) / 2)
    ink = cv2.compare(big, level, cv2.CMP_LT)
    fine = cv2.bitwise_and(ink, near)
    if not cv2.countNonZero(fine):
        return None
    if not config.read_darkness:
        return fine
    # How dark, not only where: anti-aliased as MNIST's digits are (a blurred stroke's binary
    # mask is a thick blob; its darkness keeps a core and soft edges).
    return _as_darkness(big, fine, background)


def _darkness(c: Candidate, gray: np.ndarray, background: float, smooth: bool = False) -> np.ndarray:
    """A candidate's ink as its darkness below its ``background``: uint8, 255 at its darkest
    pixel, 0 off its mask (see :attr:`DetectorConfig.read_darkness`). ``smooth``: the gray is
    3x3-smoothed first, as a noisy frame is before its threshold."""
    if smooth:
        h, w = gray.shape
        x0, y0, x1, y1 = max(c.x - 1, 0), max(c.y - 1, 0), min(c.x + c.w + 1, w), min(c.y + c.h + 1, h)
        around = cv2.GaussianBlur(gray[y0:y1, x0:x1], (3, 3), 0)
        crop = around[c.y - y0 : c.y - y0 + c.h, c.x - x0 : c.x - x0 + c.w]
    else:
        crop = gray[c.y : c.y + c.h, c.x : c.x + c.w]
    return _as_darkness(crop, c.mask, background)


def _as_darkness(image: np.ndarray, mask: np.ndarray, background: float) -> np.ndarray:
    """How much darker than ``background`` ``image`` is under ``mask`` (uint8 HxW both): uint8,
    255 at the darkest pixel under the mask, 0 off it."""
    darkest = cv2.minMaxLoc(image, mask)[0]
    darkness = np.float32(background) - image.astype(np.float32)  # positive under the mask
    return cv2.bitwise_and(cv2.convertScaleAbs(darkness, alpha=255.0 / max(background - darkest, 1.0)), mask)


def _texture(c: Candidate, gray: np.ndarray, background: float) -> float:
    """How far the gray round a candidate's box departs from its paper (``background``): the
    median of |1 - gray / background| over a ring half the candidate's height wide, 3x3-averaged
    so that sensor noise weighs less. Plain paper, even between close digits or beside a ruling
    (each covers less than half the ring), measures about its noise; wood grain does not."""
    return _median(np.abs(_ring(c, gray, background)))


def _median(values: np.ndarray) -> float:
    """``float(np.median(values))`` of a 1-D array without NaNs (the mean of the two middle
    values of an even count, in the array's dtype), by partition: ~8 us where np.median costs
    ~30 us, for the tens of candidates of each frame."""
    k = values.size // 2
    if values.size % 2:
        return float(np.partition(values, k)[k])
    middle = np.partition(values, (k - 1, k))
    return float((middle[k - 1] + middle[k]) / 2)


def _shade_texture(c: Candidate, gray: np.ndarray, paper: np.ndarray, config: DetectorConfig) -> float:
    """How far the gray beside a candidate departs from the local paper level under each pixel
    (``paper``, at 1/``background_scale``), on its most departing side: the median of
    |1 - gray / level| over each of the four margins half the candidate's height wide (the gray
    3x3-averaged), the largest of the four. A page's shading (a shadow's soft edge) is plain paper
    on every side; a desk's grain beyond the sheet's edge is not, on that side."""
    around, (x0, y0, x1, y1) = _around(c, gray)
    level = _paper_under(paper, gray.shape, x0, y0, x1, y1).astype(np.float32)
    departure = np.abs(1.0 - around / np.maximum(level, 1.0))
    bx0, by0, bx1, by1 = c.x - x0, c.y - y0, c.x - x0 + c.w, c.y - y0 + c.h
    sides = (departure[:, :bx0], departure[:, bx1:], departure[:by0, bx0:bx1], departure[by1:, bx0:bx1])
    return max((_median(side.ravel()) for side in sides if side.size), default=0.0)


def _paper_under(paper: np.ndarray, frame: tuple[int, int], x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """The window [y0:y1, x0:x1] of ``paper`` (a frame's paper level at a fraction of its size)
    enlarged to the ``frame`` (h, w), as ``cv2.resize`` to the whole frame gives it (bilinear),
    without enlarging the rest."""
    ph, pw = paper.shape
    sx, sy = pw / frame[1], ph / frame[0]
    to_paper = np.float32([[sx, 0, (x0 + 0.5) * sx - 0.5], [0, sy, (y0 + 0.5) * sy - 0.5]])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(paper, to_paper, (x1 - x0, y1 - y0), flags=flags, borderMode=cv2.BORDER_REPLICATE)


def _mid_tones(c: Candidate, gray: np.ndarray, background: float, low: float, high: float) -> float:
    """The share of the ring round a candidate (see :func:`_texture`) darker than its paper by
    more than ``low`` and less than ``high`` (fractions of the ``background``): neither paper nor ink."""
    dark = _ring(c, gray, background)
    return float(np.count_nonzero((dark > low) & (dark < high))) / max(dark.size, 1)


def _ring(c: Candidate, gray: np.ndarray, background: float) -> np.ndarray:
    """1 - gray / background over a ring half the candidate's height wide round its box (the gray
    3x3-averaged): float32 [K], positive where darker than the paper."""
    around, (x0, y0, _, _) = _around(c, gray)
    return 1.0 - around[_outside_box(c, around.shape, x0, y0)] / max(background, 1.0)


def _outside_box(c: Candidate, shape: tuple[int, int], x0: int, y0: int) -> np.ndarray:
    """bool ``shape``: which pixels of a window of that shape at (``x0``, ``y0``) lie outside
    ``c``'s box (the window holds the box: a band round it)."""
    outside = np.ones(shape, bool)
    outside[c.y - y0 : c.y - y0 + c.h, c.x - x0 : c.x - x0 + c.w] = False
    return outside


def _around(c: Candidate, gray: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The gray (3x3-averaged, float32) of a candidate's box with a margin half its height wide
    all round (cut at the frame's edges), and that window's x0, y0, x1, y1."""
    h, w = gray.shape
    m = max(4, round(0.5 * c.h))
    x0, y0, x1, y1 = max(0, c.x - m), max(0, c.y - m), min(w, c.x + c.w + m), min(h, c.y + c.h + m)
    return cv2.blur(gray[y0:y1, x0:x1], (3, 3)).astype(np.float32), (x0, y0, x1, y1)


def _clear_of_edges(candidates: list, gray: np.ndarray, min_ratio: float) -> list[bool]:
    """For each candidate: has it paper on all four sides? The brightest pixel of each side's
    margin (half its height wide, on a 1/4-scale copy that averages the noise away) is at least
    ``min_ratio`` times the brightest of the four. Strokes of neighbouring digits never cover a
    whole margin; the desk beyond the sheet's edge does."""
    if not candidates:
        return []
    f = 4
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    gh, gw = small.shape
    clear = []
    for c in candidates:
        m = max(2, c.h // (2 * f))
        x0, y0 = min(max(c.x // f, 0), gw), min(max(c.y // f, 0), gh)
        x1, y1 = min(max(-(-(c.x + c.w) // f), 0), gw), min(max(-(-(c.y + c.h) // f), 0), gh)
        strips = (
            small[y0:y1, max(0, x0 - m) : x0],
            small[y0:y1, x1 : x1 + m],
            small[max(0, y0 - m) : y0, x0:x1],
            small[y1 : y1 + m, x0:x1],
        )
        sides = [int(strip.max()) for strip in strips if strip.size]
        clear.append(not sides or min(sides) >= min_ratio * max(sides))
    return clear


def _join_stacked(candidates: list[Candidate], median_h: float) -> list[Candidate]:
    """Offer two short pieces stacked one above the other as one digit too (a faint 5 broken at its
    waist). Both must be under 75% of the page's median digit height and together at most 130% of
    it; the recogniser reads the pair joined and apart and keeps the more confident reading."""
    short = [i for i, c in enumerate(candidates) if c.h < 0.75 * median_h and not c.parts]
    used: set[int] = set()
    joined: list[Candidate] = []
    for i in short:
        for j in short:
            if j <= i or i in used or j in used:
                continue
            a, b = candidates[i], candidates[j]
            overlap = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
            x0, y0 = min(a.x, b.x), min(a.y, b.y)
            x1, y1 = max(a.x + a.w, b.x + b.w), max(a.y + a.h, b.y + b.h)
            gap = max(a.y, b.y) - min(a.y + a.h, b.y + b.h)
            if overlap < 0.5 * min(a.w, b.w) or gap > 0.25 * median_h or y1 - y0 > 1.3 * median_h:
                continue
            mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
            for c in (a, b):
                region = mask[c.y - y0 : c.y - y0 + c.h, c.x - x0 : c.x - x0 + c.w]
                np.maximum(region, c.mask, out=region)
            joined.append(Candidate(x0, y0, x1 - x0, y1 - y0, mask, parts=[a, b]))
            used.update((i, j))
    return [c for k, c in enumerate(candidates) if k not in used] + joined


def _readable_split(c: Candidate, min_h: float, config: DetectorConfig) -> bool:
    """A candidate wider than ``max_aspect`` x its height may be touching digits: its plausible
    parts are offered too (``parts``), and it is read whole only if at most ``max_single_aspect``
    wide (``whole``). False when nothing of it is left to read."""
    if c.w <= config.max_aspect * c.h:
        return True
    ways = cuts.split_options(c, config.max_aspect)
    options = [[p for p in pieces if _plausible(p, min_h, config)] for pieces in ways]
    options = [pieces for pieces in options if pieces]
    c.parts = options[0] if options else []
    c.alternatives = options[1:]
    if len(c.parts) >= 2:
        pieces = cuts.cut_lattice(c, len(c.parts))
        end = max((j for _, j, _ in pieces), default=0)  # every piece is on a path to the right end
        c.lattice = cuts.on_a_path([(i, j, p) for i, j, p in pieces if _plausible(p, min_h, config)], len(c.parts), end)
    c.whole = c.w <= config.max_single_aspect * c.h
    return bool(c.parts) or c.whole


def _plausible(c: Candidate, min_h: float, config: DetectorConfig, blob: bool = True) -> bool:
    """Size, fill and stroke-thickness checks that every digit passes and most non-digits fail;
    with ``blob``, also not a filled round blob (:func:`_blob`)."""
    if c.h < min_h:
        return False
    ink = cv2.countNonZero(c.mask)
    if ink < config.min_area_px:
        return False
    fill = ink / float(c.w * c.h)
    if fill < config.min_fill or (fill > config.max_fill and c.w > 0.35 * c.h):
        return False
    # Mean stroke width (ink over height): at least a share of the height, or a pen's width on a
    # digit written large; a hairline is a ruling or an edge, not a stroke.
    if ink / c.h < min(config.min_thickness * c.h, config.min_stroke_px):
        return False
    return not (blob and _blob(c.mask, config))


def _blob(mask: np.ndarray, config: DetectorConfig) -> bool:
    """Filled and round (``max_blob_fill``, ``max_blob_solidity``): a dot of a tablecloth's
    pattern, a button, a blot. Every digit has a hollow or a bend that its convex hull spans."""
    h, w = mask.shape
    ink = cv2.countNonZero(mask)
    if ink <= config.max_blob_fill * w * h or w <= 0.6 * h:
        return False
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = [k for k, row in enumerate(hierarchy[0]) if row[3] >= 0]
    if any(cv2.contourArea(contours[k]) >= 0.01 * w * h for k in holes):
        return False  # a bold 0, 8 or 6 keeps a hollow, however small
    outlines = [contours[k] for k, row in enumerate(hierarchy[0]) if row[3] < 0]
    hull = cv2.contourArea(cv2.convexHull(np.vstack(outlines)))
    return ink >= config.max_blob_solidity * hull
