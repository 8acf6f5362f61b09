"""Find digit candidates in a frame: binarise, outer contours, filters, merges and splits.

Pure functions on arrays: nothing here reads files, prints or displays.

The threshold compares each pixel with the local paper brightness (a morphological closing of a
heavily downscaled copy of the frame), so shadows and uneven light move the threshold with them,
and a stroke of any width stays solid (an adaptive mean threshold hollows out thick strokes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class DetectorConfig:
    """Tuning of the detector; sizes are fractions of the frame height unless stated."""

    ink_ratio: float = 0.2
    """A pixel is ink when it is this much darker than the local paper (0.2 = 20% darker).
    Printed rulings and squares are typically 10-18% darker than their paper, so they stay out."""
    background_scale: int = 8
    """The paper brightness is estimated at 1/8 resolution: cheap, and smooth as light is."""
    background_kernel: int = 9
    """Closing width at that scale (9 x 8 = 72 px): wider than any stroke we must keep solid."""
    min_height: float = 0.015
    min_height_px: int = 8
    max_height: float = 0.75
    max_width: float = 0.6
    min_area_px: int = 12
    max_fill: float = 0.9
    """Ink area over box area; a solid blob is not a digit (a "1" is allowed to be solid)."""
    min_fill: float = 0.06
    max_aspect: float = 1.25
    """Width over height above which a component may be touching digits: it is also read split."""
    max_single_aspect: float = 2.0
    """Width over height above which a component cannot be one digit: it is only read split."""
    min_thickness: float = 0.07
    """Mean stroke thickness (ink area / box height) as a fraction of the height: rejects pen-thin
    straight lines (paper rulings, edges) while a thin "1" (~10% of its height) passes."""
    border_px: int = 3
    """Components this close to the frame edge are cut off by it, so they are not read."""
    max_surround_ink: float = 0.2
    """Ink covering more than this share of the margin around a candidate means it sits in
    texture or noise (a patterned cloth, a noisy dark frame), not on paper."""
    min_relative_height: float = 0.4
    """With three or more candidates, one shorter than this times their median height is a speck
    or a scratch, not a digit: handwriting on one page is of one size, give or take."""


@dataclass
class Candidate:
    """A region believed to hold a digit: its box in frame pixels and its ink mask (uint8 0/255).

    A region wider than one digit usually is (``max_aspect``) may be one wide digit or several
    touching ones: ``parts`` then holds the split, and the recogniser reads it both ways and keeps
    the more confident reading. ``whole`` is False when the region is too wide to be one digit.
    """

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray
    parts: list[Candidate] = field(default_factory=list)
    whole: bool = True

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.w, self.h


def to_gray(frame: np.ndarray) -> np.ndarray:
    """HxWx3 BGR, HxWx4 BGRA or HxW uint8 -> HxW uint8 grayscale."""
    if frame.dtype != np.uint8:
        raise ValueError(f"frame must be uint8, got {frame.dtype}")
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"frame must be HxW, HxWx3 or HxWx4 uint8, got shape {frame.shape}")


def paper_threshold(gray: np.ndarray, config: DetectorConfig = DetectorConfig()) -> np.ndarray:
    """Per-pixel gray level below which a pixel counts as ink: (1 - ink_ratio) x local paper."""
    h, w = gray.shape
    s = config.background_scale
    small = cv2.resize(gray, (max(1, w // s), max(1, h // s)), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (config.background_kernel,) * 2)
    # A closing (max then min filter) erases ink narrower than the kernel but, unlike a plain max
    # filter, keeps the edge of a shadow where it is instead of spreading bright paper over it.
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    paper = cv2.blur(paper, (3, 3))
    level = cv2.convertScaleAbs(paper, alpha=1.0 - config.ink_ratio)
    return cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)


def binarize(gray: np.ndarray, config: DetectorConfig = DetectorConfig()) -> np.ndarray:
    """HxW uint8 gray -> HxW uint8 mask, 255 where there is ink."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"gray must be HxW uint8, got shape {gray.shape} dtype {gray.dtype}")
    return cv2.compare(gray, paper_threshold(gray, config), cv2.CMP_LT)


def _remove_lines(mask: np.ndarray, length: int) -> np.ndarray:
    """Erase horizontal and vertical runs longer than ``length`` (ruled and squared paper).

    Long kernels are costly at full resolution (a 130-px opening over a 1080p frame), so the runs
    are found on a copy shrunk until the kernel is ~32 px, where any ink in a block counts.
    """
    h, w = mask.shape
    f = max(1, length // 32)
    small = mask
    if f > 1:
        small = cv2.resize(mask, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        small = cv2.compare(small, 0, cv2.CMP_GT)
    k = max(3, length // f)
    lines = cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    lines |= cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    if f > 1:
        lines = cv2.resize(lines, (w, h), interpolation=cv2.INTER_NEAREST)
    # Grow the lines a little so their anti-aliased edges go too.
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    return cv2.subtract(mask, lines)


def _merge_fragments(boxes: np.ndarray, hosts: np.ndarray) -> list[list[int]]:
    """Group box indices so that small pieces join the digit they belong to (a 5's cap, a 7's bar).

    ``boxes`` is int [N, 4] of (x, y, w, h). A piece joins a box when it is under 60% of that
    one's height, overlaps it horizontally by half its own width, sits within 35% of its height
    above or below it, and the two together are at most 1.4x its height. All pairs are tested at
    once; a piece joins the tallest match. Only ``hosts`` (bool [N]: shapes that may be a digit)
    take pieces, so a shadow or the desk's edge cannot swallow the digits around it.
    """
    x, y, w, h = (boxes[:, i].astype(np.int64) for i in range(4))
    n = len(boxes)
    parent = np.arange(n)
    pieces = np.nonzero(h < 0.6 * h.max())[0]
    if len(pieces):
        px, py, pw, ph = x[pieces, None], y[pieces, None], w[pieces, None], h[pieces, None]
        overlap = np.minimum(px + pw, x + w) - np.maximum(px, x)
        gap = np.maximum(np.maximum(y - (py + ph), py - (y + h)), 0)
        span = np.maximum(y + h, py + ph) - np.minimum(y, py)
        ok = hosts & (h > ph / 0.6) & (overlap >= 0.5 * pw) & (gap <= 0.35 * h) & (span <= 1.4 * h)
        for row in np.nonzero(ok.any(axis=1))[0]:
            hits = np.nonzero(ok[row])[0]
            parent[pieces[row]] = hits[np.argmax(h[hits])]
    groups: dict[int, list[int]] = {}
    for i in range(n):
        root = i
        while parent[root] != root:  # parents are strictly taller, so this ends
            root = parent[root]
        groups.setdefault(int(root), []).append(i)
    return list(groups.values())


def _union_box(boxes: np.ndarray) -> tuple[int, int, int, int]:
    if len(boxes) == 1:
        x, y, w, h = boxes[0].tolist()
        return x, y, w, h
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _outer_contours(mask: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """External contours and their boxes int [N, 4]. Much faster than connected-component stats:
    only the borders of the (sparse) ink are traced."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = np.array([cv2.boundingRect(c) for c in contours], np.int64).reshape(-1, 4)
    return list(contours), boxes


def _tight(x: int, y: int, mask: np.ndarray) -> Candidate | None:
    bx, by, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return None
    return Candidate(x + bx, y + by, bw, bh, mask[by : by + bh, bx : bx + bw])


def split_touching(candidate: Candidate, max_aspect: float) -> list[Candidate]:
    """Split a component wider than ``max_aspect`` x its height into digits at projection minima."""
    c = candidate
    if c.w <= max_aspect * c.h:
        return [c]
    parts = max(2, int(round(c.w / (0.8 * c.h))))  # handwritten digits are ~0.5-0.9 as wide as tall
    columns = (c.mask > 0).sum(axis=0)
    step = c.w / parts
    cuts = [0]
    for j in range(1, parts):
        lo, hi = int(j * step - 0.3 * step), int(j * step + 0.3 * step) + 1
        lo, hi = max(lo, cuts[-1] + 1), min(hi, c.w - 1)
        if lo >= hi:
            continue
        cuts.append(lo + int(np.argmin(columns[lo:hi])))
    cuts.append(c.w)
    pieces = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        piece = _tight(c.x + a, c.y, c.mask[:, a:b])
        if piece is not None:
            pieces.append(piece)
    return pieces


@dataclass
class Detection:
    """What the detector found in one frame: the ink mask (HxW uint8, 255 = ink) and the candidates."""

    mask: np.ndarray
    candidates: list[Candidate]


class Detector:
    """The detection seam: ``detect(gray) -> Detection``. Any object with that method can stand in
    for it in :class:`~livedigits.recognizer.Recognizer` (another threshold, a learned detector)."""

    def __init__(self, config: DetectorConfig = DetectorConfig()):
        self.config = config

    def detect(self, gray: np.ndarray) -> Detection:
        mask = binarize(gray, self.config)
        return Detection(mask, find_candidates(mask, self.config))


def find_candidates(mask: np.ndarray, config: DetectorConfig = DetectorConfig()) -> list[Candidate]:
    """Digit candidates in an HxW uint8 ink mask (255 = ink), in no particular order."""
    frame_h, frame_w = mask.shape
    min_h = max(config.min_height_px, config.min_height * frame_h)
    max_h, max_w = config.max_height * frame_h, config.max_width * frame_w
    contours, boxes = _outer_contours(mask)
    line_like = _line_like(boxes, frame_h, frame_w)
    if line_like.any():
        mask = _erase_rulings(mask, contours, boxes, line_like)
        contours, boxes = _outer_contours(mask)

    # Specks and anything far too large never become candidates, nor do their fragments.
    x, y, w, h = boxes.T
    keep = np.nonzero((w * h >= 4) & (h <= max_h) & (w <= max_w))[0]
    boxes = boxes[keep]
    contours = [contours[i] for i in keep]
    x, y, w, h = boxes.T
    b = config.border_px
    inside = (x >= b) & (y >= b) & (x + w <= frame_w - b) & (y + h <= frame_h - b)
    hosts = inside & (w <= config.max_single_aspect * h)

    candidates = []
    for group in _merge_fragments(boxes, hosts) if len(boxes) else []:
        gx, gy, gw, gh = _union_box(boxes[group])
        if gh < min_h or gh > max_h or gw > max_w or not inside[group].all():
            continue
        # The group's own ink: its filled outlines AND the mask, so a neighbour reaching into
        # the box is left out.
        shape = np.zeros((gh, gw), np.uint8)
        cv2.drawContours(shape, [contours[i] for i in group], -1, 255, cv2.FILLED, offset=(-gx, -gy))
        whole = Candidate(gx, gy, gw, gh, cv2.bitwise_and(shape, mask[gy : gy + gh, gx : gx + gw]))
        if not _plausible(whole, min_h, config):
            continue
        if gw > config.max_aspect * gh:
            whole.parts = [p for p in split_touching(whole, config.max_aspect) if _plausible(p, min_h, config)]
            whole.whole = gw <= config.max_single_aspect * gh
            if not whole.parts and not whole.whole:
                continue
        candidates.append(whole)
    candidates = _on_paper(candidates, mask, config.max_surround_ink)
    if len(candidates) >= 3:
        median_h = float(np.median([c.h for c in candidates]))
        candidates = _join_stacked(candidates, median_h)
        candidates = [c for c in candidates if c.h >= config.min_relative_height * median_h]
    return candidates


def _line_like(boxes: np.ndarray, frame_h: int, frame_w: int) -> np.ndarray:
    """bool [N]: long thin boxes (paper rulings, the sheet's edge), maybe with digits touching them."""
    x, y, w, h = boxes.T
    return ((w > 4 * h) & (w > 0.3 * frame_w)) | ((h > 4 * w) & (h > 0.8 * frame_h))


def _erase_rulings(mask, contours, boxes, line_like) -> np.ndarray:
    """A copy of ``mask`` with the long straight runs of the line-like components erased.

    Only those components are cleaned, inside their common box, so a large digit's long stroke
    elsewhere in the frame is never mistaken for a ruling. A digit touching a ruling survives.
    """
    length = max(15, int(0.12 * min(mask.shape)))
    lx, ly, lw, lh = _union_box(boxes[line_like])
    lines = np.zeros((lh, lw), np.uint8)
    cv2.drawContours(lines, [contours[i] for i in np.nonzero(line_like)[0]], -1, 255, cv2.FILLED, offset=(-lx, -ly))
    mask = mask.copy()
    roi = mask[ly : ly + lh, lx : lx + lw]
    lines = cv2.bitwise_and(lines, roi)
    roi[:] = cv2.subtract(roi, lines) | _remove_lines(lines, length)
    return mask


def _on_paper(candidates: list[Candidate], mask: np.ndarray, max_ink: float) -> list[Candidate]:
    """Keep candidates whose surroundings (a margin half their height wide) are mostly blank."""
    if not candidates:
        return []
    cell = 8
    h, w = mask.shape
    # Ink share per 8x8 cell, summed in an integral image: each candidate's margin costs O(1).
    density = cv2.resize(mask, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    integral = cv2.integral(density, sdepth=cv2.CV_64F)
    gh, gw = density.shape

    def cells(x0, y0, x1, y1):
        x0, y0 = min(max(x0 // cell, 0), gw), min(max(y0 // cell, 0), gh)
        x1, y1 = min(max(-(-x1 // cell), 0), gw), min(max(-(-y1 // cell), 0), gh)
        total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
        return total / 255.0, (x1 - x0) * (y1 - y0)

    kept = []
    for c in candidates:
        m = max(cell, c.h // 2)
        outer, outer_n = cells(c.x - m, c.y - m, c.x + c.w + m, c.y + c.h + m)
        inner, inner_n = cells(c.x, c.y, c.x + c.w, c.y + c.h)
        if outer_n - inner_n <= 0 or (outer - inner) / (outer_n - inner_n) <= max_ink:
            kept.append(c)
    return kept


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


def _plausible(c: Candidate, min_h: float, config: DetectorConfig) -> bool:
    """Size, fill and stroke-thickness checks that every digit passes and most non-digits fail."""
    if c.h < min_h:
        return False
    ink = cv2.countNonZero(c.mask)
    if ink < config.min_area_px:
        return False
    fill = ink / float(c.w * c.h)
    if fill < config.min_fill or (fill > config.max_fill and c.w > 0.35 * c.h):
        return False
    return ink / c.h >= config.min_thickness * c.h
