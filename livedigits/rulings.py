"""Rulings and grid lines of ruled and squared paper, found in gray and lifted before the threshold.

A ruling near the ink threshold breaks into dashes there, and the dashes read as 1s; lifted first,
in gray, it never reaches the ink mask (:func:`lift_rulings`). Pure functions on arrays; the
tuning comes from :class:`~livedigits.config.DetectorConfig`.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.config import DetectorConfig

RULING_TURN = 1.5
"""Degrees of tilt from which a page is turned upright before its rulings are looked for: up to
that, a one-pixel line stays within the spread of :func:`lift_rulings`' kernels."""
PAGE_TILT_RANGE = 12.0
"""Degrees either way a page's rulings are looked for at (in whole degrees): a sheet held or laid
more askew than that is read without lifting its rulings (the line eraser still sees them)."""
PAGE_TILT_GAIN = 1.1
"""A page is turned only when its marks line up at least this much better (row and column
profiles' energy) turned than as they are: a page with no rulings is left as it is."""


def lift_rulings(gray: np.ndarray, paper: np.ndarray, config: DetectorConfig = DetectorConfig()) -> np.ndarray:
    """``gray`` (HxW uint8) with the long straight lines of a ruled or squared page brightened
    towards the ``paper`` level (HxW uint8) under them, before any threshold.

    A ruling near the ink threshold breaks into dashes there, and the dashes read as 1s and the
    squares of a grid as 0s; lifted first, in gray, it never reaches the mask. The page is turned
    upright first when it is askew, each family of lines by its own angle when a grid is seen
    sheared (:func:`_page_tilts`). Lines are found by a grayscale opening of
    the darkness with horizontal and vertical kernels ``ruling_length`` of the frame height long,
    the darkness first spread ``ruling_spread`` px across the line so that a line a little off
    straight is still one run; runs as thick as a bold stroke, runs spanning less than
    ``ruling_min_span`` of the frame (``ruling_min_span_down`` for a grid's columns) and pixels
    darker than ``ruling_keep_dark`` are not lifted, so a digit's strokes stay. A line is lifted by
    its excess darkness over the paper, at most ``ruling_lift_max`` gray levels, as a filter in
    the light's path is taken out (divided, not subtracted: ink crossing the line keeps its own
    darkness); a line darker than that (printed as dark as the ink) is erased from the mask as a
    line (:func:`_erase_structures`).
    Excesses under ``ruling_lift_min`` are noise and paper grain lined up by the long kernel.
    """
    return _lifted(gray, paper, _rulings(gray, paper, config), config)


def _rulings(
    gray: np.ndarray, paper: np.ndarray, config: DetectorConfig, paper_small: np.ndarray | None = None
) -> np.ndarray:
    """The darkness (uint8, beyond the ``paper``'s own) of the long thin lines of ``gray``, as
    :func:`lift_rulings` finds them (spread across by ``ruling_spread``); 0 elsewhere.
    ``paper_small``: the paper level at the size :func:`~livedigits.detect.paper_level` gives it,
    turned there when the page is turned (the same within a gray level or two, at 3% of a 720p
    frame's detection)."""
    h, w = gray.shape
    length = max(15, int(config.ruling_length * h))
    if min(h, w) <= length:
        return np.zeros_like(gray)  # too small to hold a ruling longer than a digit's stroke
    spread = config.ruling_spread
    dark = cv2.bitwise_not(gray)
    floor = cv2.bitwise_not(paper)  # the paper's own darkness
    small = None if paper_small is None else cv2.bitwise_not(paper_small)
    above = cv2.subtract(paper, gray)  # how much darker than its paper each pixel is
    # A page askew by more than the spread allows is turned upright first, by the angles at which
    # whatever stands out of the paper (the rulings, where there are any) lines up best.
    marks = cv2.compare(above, config.ruling_lift_min, cv2.CMP_GE)
    # Only on the page (a surface as bright as paper): a wooden desk's grain has straight runs too.
    page = cv2.compare(paper, config.min_surface_ratio * float(np.percentile(paper[::8, ::8], 99)), cv2.CMP_GE)
    # Seen sheared or in perspective, a grid's rows and columns turn by different angles: each
    # family is turned upright by its own.
    row_tilt, col_tilt = _page_tilts(cv2.bitwise_and(marks, page))
    thick = 2 * spread + 1  # a ruling is thin: a run thicker than a pen's width is a bold stroke

    # A ruling runs across the page; a digit's straight stroke is as long as the digit is tall.
    def lying(d, f):
        rows = _runs_along(d, f, spread, length, thick, True)
        return _spanning(rows, config.ruling_lift_min, config.ruling_min_span * w, cv2.CC_STAT_WIDTH)

    def standing(d, f):
        cols = _runs_along(d, f, spread, length, thick, False)
        return _spanning(cols, config.ruling_lift_min, config.ruling_min_span_down * h, cv2.CC_STAT_HEIGHT)

    # The darkness of thin lines beyond the paper's own.
    if row_tilt == col_tilt:
        return _upright(dark, floor, row_tilt, (lying, standing), small)
    return cv2.max(
        _upright(dark, floor, row_tilt, (lying,), small), _upright(dark, floor, col_tilt, (standing,), small)
    )


def _upright(dark: np.ndarray, floor: np.ndarray, tilt: float, finders, small: np.ndarray | None = None) -> np.ndarray:
    """The greatest of ``finders``' answers (``(dark, floor) -> HxW uint8``) on ``dark`` and
    ``floor`` (HxW uint8) turned by ``tilt`` degrees when that is :data:`RULING_TURN` or more,
    turned back. ``small``: ``floor`` at a lower resolution (the paper level is smooth), turned
    there and enlarged, a ninth of the cost of turning it at full size."""
    turned = abs(tilt) >= RULING_TURN
    if turned:
        h, w = dark.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
        dark = cv2.warpAffine(dark, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if small is None:
            floor = cv2.warpAffine(floor, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        else:
            sh, sw = small.shape
            little = cv2.getRotationMatrix2D((sw / 2, sh / 2), tilt, 1.0)
            little = cv2.warpAffine(small, little, (sw, sh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            floor = cv2.resize(little, (w, h), interpolation=cv2.INTER_LINEAR)
    found = finders[0](dark, floor)
    for find in finders[1:]:
        found = cv2.max(found, find(dark, floor))
    if turned:
        found = cv2.warpAffine(found, cv2.invertAffineTransform(matrix), (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    return found


def _runs_along(dark: np.ndarray, floor: np.ndarray, spread: int, length: int, thick: int, lying: bool) -> np.ndarray:
    """The darkness beyond ``floor`` of the thin runs of ``dark`` (both HxW uint8) at least
    ``length`` px long, lying (along the rows) or standing: ``dark`` spread ``spread`` px across
    first, so a line a little off straight is one run; runs ``thick`` px or thicker (a marker 1's
    stem, a bold 8's side) give nothing."""
    across = (spread, 1) if lying else (1, spread)
    along = (1, length) if lying else (length, 1)
    runs = cv2.morphologyEx(cv2.dilate(dark, np.ones(across, np.uint8)), cv2.MORPH_OPEN, np.ones(along, np.uint8))
    bold = cv2.morphologyEx(runs, cv2.MORPH_OPEN, np.ones((thick, 1) if lying else (1, thick), np.uint8))
    return cv2.subtract(runs, cv2.max(bold, floor))


def _lifted(gray: np.ndarray, paper: np.ndarray, excess: np.ndarray, config: DetectorConfig) -> np.ndarray:
    """``gray`` with the rulings' ``excess`` darkness (see :func:`_rulings`) lifted off, within
    the bounds of :func:`lift_rulings`."""
    if not excess.any():
        return gray  # no ruling (or a frame too small to hold one)
    above = cv2.subtract(paper, gray)
    # What is itself clearly dark is ink, or an ink-dark ruling the line eraser takes: never lifted.
    excess = cv2.bitwise_and(excess, cv2.compare(above, config.ruling_keep_dark, cv2.CMP_LE))
    excess = cv2.min(excess, config.ruling_lift_max)
    _, excess = cv2.threshold(excess, config.ruling_lift_min - 1, 0, cv2.THRESH_TOZERO)  # under the minimum: 0
    # Light through ink and a printed line is dimmed by each in turn: the line's share (what
    # reaches the eye through it, (paper - excess) / paper) is divided out, so a stroke crossing
    # the line keeps its own darkness there (taking the line's darkness off instead would cut a
    # pencil stroke at every line of a squared page).
    through = cv2.max(cv2.subtract(paper, excess), 1).astype(np.uint16)
    return cv2.convertScaleAbs(cv2.divide(cv2.multiply(gray, paper, dtype=cv2.CV_16U), through, dtype=cv2.CV_16U))


def _spanning(excess: np.ndarray, floor: int, span: float, extent: int) -> np.ndarray:
    """``excess`` (uint8) kept only on its connected runs (at or above ``floor``) whose extent
    (``cv2.CC_STAT_WIDTH`` or ``cv2.CC_STAT_HEIGHT``) is at least ``span`` pixels. The runs are
    traced on a quarter-size copy (any mark in a 4x4 block counts): long runs stay long there."""
    h, w = excess.shape
    f = 4
    marks = cv2.compare(excess, floor, cv2.CMP_GE)
    quarter = cv2.resize(marks, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.compare(quarter, 0, cv2.CMP_GT)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    keep = np.where(stats[:, extent] * f >= span, 255, 0).astype(np.uint8)
    keep[0] = 0
    if not keep.any():
        return np.zeros_like(excess)
    if keep[1:].all():  # every run is long (a ruled page): nothing to cut out
        return cv2.bitwise_and(excess, marks)
    kept = cv2.resize(keep[labels], (w, h), interpolation=cv2.INTER_NEAREST)
    return cv2.bitwise_and(excess, cv2.bitwise_and(kept, marks))


def _page_tilts(marks: np.ndarray) -> tuple[float, float]:
    """The turns in degrees (for ``cv2.getRotationMatrix2D``) that line up the lying and the
    standing straight lines among ``marks`` (HxW uint8) with the rows and with the columns.

    The page's turn is the angle, in whole degrees within :data:`PAGE_TILT_RANGE`, at which the
    row and column sums of a small copy are most peaked together (a ruled page's lines each fall
    in one row), when it does :data:`PAGE_TILT_GAIN` better than none. Seen in perspective, a
    grid's columns can lean by degrees more than its rows: a family whose own sums peak
    :data:`PAGE_TILT_GAIN` higher at another angle than at the page's turn is turned by that,
    and the other family, with no such angle of its own, with it when its own sums are at least
    as high there (the long straight edge of a desk beside the sheet turns one family's sums
    more than the grid's own lines do; the other family's follow the grid)."""
    # Every whole degree: on a page with close rulings the peak is under a degree wide.
    angles = np.arange(-PAGE_TILT_RANGE, PAGE_TILT_RANGE + 0.5).tolist()
    rows, cols = _profile_energies(marks, angles)
    if not rows:
        return 0.0, 0.0
    page = _best_turn({angle: rows[angle] + cols[angle] for angle in angles}, 0.0)
    row_tilt, col_tilt = _best_turn(rows, page), _best_turn(cols, page)
    # A family with no clear angle of its own turns with the other when its lines line up at
    # least as well there: the page is turned (lifting one family and not the other breaks the
    # other into cell-high bars); a ruled page's upright margin, lining up worse turned, stays.
    if row_tilt != page == col_tilt and cols[row_tilt] >= cols[page]:
        col_tilt = row_tilt
    elif col_tilt != page == row_tilt and rows[col_tilt] >= rows[page]:
        row_tilt = col_tilt
    return row_tilt, col_tilt


def _best_turn(scores: dict[float, float], default: float) -> float:
    """The angle of the highest of ``scores`` when it is :data:`PAGE_TILT_GAIN` above the score
    at ``default``; else ``default``."""
    best = max(scores, key=scores.get)
    return best if scores[best] >= PAGE_TILT_GAIN * scores[default] else default


def _profile_scores(marks: np.ndarray, angles: list[float], side: int = 256) -> dict[float, float]:
    """For each turn in ``angles`` (degrees), how peaked the row and column sums of ``marks``
    (HxW uint8) are once turned by it, on a copy of at most ``side`` px: highest where straight
    lines fall along the rows and columns. Empty when there are no marks."""
    rows, cols = _profile_energies(marks, angles, side)
    return {angle: rows[angle] + cols[angle] for angle in rows}


def _profile_energies(
    marks: np.ndarray, angles: list[float], side: int = 256
) -> tuple[dict[float, float], dict[float, float]]:
    """For each turn in ``angles`` (degrees), how peaked the row sums and the column sums of
    ``marks`` (HxW uint8) are once turned by it (their sums of squares), on a copy of at most
    ``side`` px. Both empty when there are no marks."""
    h, w = marks.shape
    f = max(1, -(-max(h, w) // side))  # rounded up: the copy is never over ``side`` px
    small = cv2.resize(marks, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA).astype(np.float32)
    if not small.any():
        return {}, {}
    sh, sw = small.shape
    rows: dict[float, float] = {}
    cols: dict[float, float] = {}
    for angle in angles:
        matrix = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
        turned = cv2.warpAffine(small, matrix, (sw, sh), flags=cv2.INTER_LINEAR)
        rows[angle] = float((turned.sum(axis=1) ** 2).sum())
        cols[angle] = float((turned.sum(axis=0) ** 2).sum())
    return rows, cols
