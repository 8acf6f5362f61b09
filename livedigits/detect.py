"""Find digit candidates in a frame: binarise, connected components, filters, merges and splits.

Pure functions on arrays: nothing here reads files, prints or displays.

The threshold compares each pixel with the local paper brightness (a max-filtered, heavily
downscaled copy of the frame), so shadows and uneven light move the threshold with them, and a
stroke of any width stays solid (an adaptive mean threshold hollows out thick strokes).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class DetectorConfig:
    """Tuning of the detector; sizes are fractions of the frame height unless stated."""

    ink_ratio: float = 0.25
    """A pixel is ink when it is this much darker than the local paper (0.25 = 25% darker; printed rulings are ~10-18% darker)."""
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
    """Width over height above which a component is taken as touching digits and split."""
    min_thickness: float = 0.07
    """Mean stroke thickness (ink area / box height) as a fraction of the height: rejects pen-thin
    straight lines (paper rulings, edges) while a thin "1" (~10% of its height) passes."""
    border_px: int = 2
    """Components this close to the frame edge are cut off by it, so they are not read."""


@dataclass
class Candidate:
    """A region believed to hold one digit: its box in frame pixels and its ink mask (uint8 0/255)."""

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray

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
    """Erase horizontal and vertical runs longer than ``length`` (ruled and squared paper)."""
    lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    lines |= cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    # Grow the lines a little so their anti-aliased edges go too.
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    return cv2.subtract(mask, lines)


def _merge_fragments(stats: np.ndarray, ids: np.ndarray) -> list[list[int]]:
    """Group component ids so that small pieces join the digit they belong to (a 5's cap, a 7's bar).

    A piece joins a taller component when it is under 60% of its height, overlaps it horizontally
    by half its own width, and sits within 35% of its height above or below it.
    """
    x, y, w, h = (stats[ids, i].astype(np.int64) for i in range(4))
    parent = np.arange(len(ids))
    for s in np.argsort(h):
        ok = h > h[s] / 0.6
        if not ok.any():
            continue
        overlap = np.minimum(x[s] + w[s], x + w) - np.maximum(x[s], x)
        gap = np.maximum(np.maximum(y - (y[s] + h[s]), y[s] - (y + h)), 0)
        span = np.maximum(y + h, y[s] + h[s]) - np.minimum(y, y[s])
        ok &= (overlap >= 0.5 * w[s]) & (gap <= 0.35 * h) & (span <= 1.4 * h) & (parent == np.arange(len(ids)))
        hits = np.nonzero(ok)[0]
        if len(hits):
            parent[s] = hits[np.argmax(h[hits])]
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        root = i
        while parent[root] != root:
            root = parent[root]
        groups.setdefault(int(root), []).append(int(ids[i]))
    return list(groups.values())


def _group_box(stats: np.ndarray, labels: list[int]) -> tuple[int, int, int, int]:
    s = stats[labels]
    x0, y0 = s[:, 0].min(), s[:, 1].min()
    x1, y1 = (s[:, 0] + s[:, 2]).max(), (s[:, 1] + s[:, 3]).max()
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


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
    parts = max(2, int(round(c.w / (0.7 * c.h))))
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


def find_candidates(mask: np.ndarray, config: DetectorConfig = DetectorConfig()) -> list[Candidate]:
    """Digit candidates in a binary ink mask, in no particular order."""
    frame_h, frame_w = mask.shape
    min_h = max(config.min_height_px, config.min_height * frame_h)
    max_h, max_w = config.max_height * frame_h, config.max_width * frame_w
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)

    # Long thin components are ruled/squared paper lines, maybe with digits touching them: erase
    # the long straight runs inside their boxes and look again. Rare, so done only when seen.
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    liney = ((w > 4 * h) & (w > 0.3 * frame_w)) | ((h > 4 * w) & (h > 0.8 * frame_h))
    if liney.any():
        length = max(15, int(0.12 * min(frame_h, frame_w)))
        cleaned = _remove_lines(mask, length)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(cleaned, connectivity=8)
        x, y, w, h, area = (stats[1:, i] for i in range(5))

    # Specks and anything far too large never become candidates, nor do their fragments.
    keep = (area >= max(3, config.min_area_px // 4)) & (h <= max_h) & (w <= max_w)
    ids = np.nonzero(keep)[0] + 1
    if len(ids) == 0:
        return []
    groups = _merge_fragments(stats, ids)

    candidates: list[Candidate] = []
    for group in groups:
        gx, gy, gw, gh = _group_box(stats, group)
        if gh < min_h or gh > max_h or gw > max_w:
            continue
        ink = int(stats[group, cv2.CC_STAT_AREA].sum())
        if ink < config.min_area_px:
            continue
        b = config.border_px
        if gx < b or gy < b or gx + gw > frame_w - b or gy + gh > frame_h - b:
            continue
        region = labels[gy : gy + gh, gx : gx + gw]
        if len(group) == 1:
            piece_mask = cv2.compare(region, group[0], cv2.CMP_EQ)
        else:
            piece_mask = np.isin(region, group).astype(np.uint8) * 255
        for c in split_touching(Candidate(gx, gy, gw, gh, piece_mask), config.max_aspect):
            if c.h < min_h or c.w > config.max_aspect * c.h * 1.2:
                continue
            ink = cv2.countNonZero(c.mask)
            fill = ink / float(c.w * c.h)
            if fill < config.min_fill or (fill > config.max_fill and c.w > 0.35 * c.h):
                continue
            if ink / c.h < config.min_thickness * c.h:
                continue
            candidates.append(c)
    return candidates


def reading_order(boxes: list[tuple[int, int, int, int]]) -> list[int]:
    """Indices of boxes in reading order: lines top to bottom, left to right within a line."""
    if not boxes:
        return []
    arr = np.asarray(boxes, dtype=np.float64)
    centre_y = arr[:, 1] + arr[:, 3] / 2
    median_h = float(np.median(arr[:, 3]))
    order = np.argsort(centre_y, kind="stable")
    lines: list[list[int]] = []
    line_y = None
    for i in order:
        if line_y is None or centre_y[i] - line_y > 0.5 * median_h:
            lines.append([])
            line_y = centre_y[i]
        lines[-1].append(int(i))
    return [i for line in lines for i in sorted(line, key=lambda j: arr[j, 0])]
