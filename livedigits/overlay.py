"""Draws what a frame reads (boxes, digits or whole numbers, confidence, fps), and the debug view.

:class:`Overlay` is configured once; ``annotate(image, reading)`` draws on the image it is given.
Where the labels go is a pure function, :meth:`Overlay.layout_labels`: each label takes the first
free place beside its box (above, below, at the sides; the places above first, for every digit),
so labels never overlap each other. When a line is so dense that nothing beside a box is free, a
digit's label may cover a neighbour's box, as little of it as it can (else goes inside its own),
and a confidence label is stacked on its digit's label or left out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from livedigits.records import DEFAULT_MIN_CONFIDENCE, Box, Digit, Reading, overlaps

FONT = cv2.FONT_HERSHEY_SIMPLEX
BGR = tuple[int, int, int]


def percent(confidence: float) -> str:
    """A confidence as whole percent, rounded down: 0.9477 reads 94%, as its orange box says (95% and
    up is green); rounded, it read 95% on an orange tab."""
    return f"{math.floor(confidence * 100 + 1e-9):d}%"


@dataclass(frozen=True)
class Label:
    """One filled tab of text, placed: ``rect`` (x, y, w, h) in frame pixels, x,y top-left."""

    text: str
    rect: Box
    color: BGR
    scale: float
    thickness: int
    kind: str
    """"main" (a digit or a number), "confidence" (with "#id" when ids are shown) or "fps"."""
    owner: int
    """Index of its digit (or number) in the reading; -1 for the fps banner."""


def _as_reading(reading: Reading | Sequence[Digit]) -> Reading:
    return reading if isinstance(reading, Reading) else Reading(digits=list(reading))


@dataclass(frozen=True)
class Overlay:
    """Configured once, then ``annotate(image, reading)`` draws on the image it is given.

    Line widths and text sizes follow the frame (one unit per 480 rows or 640 columns, at least
    one), so labels stay readable from 320x240 to 4K; the digit's own label also follows the
    digit's size a little.
    """

    box_color: BGR = (0, 200, 0)
    low_color: BGR = (0, 165, 255)
    """Colour of boxes whose confidence is below ``low_confidence``."""
    low_confidence: float = 0.95
    text_color: BGR = (255, 255, 255)
    show_confidence: bool = True
    show_ids: bool = False
    """Add a digit's track id to its confidence label ("97% #12") when it has one."""

    def annotate(
        self,
        image: np.ndarray,
        reading: Reading | Sequence[Digit],
        fps: float | None = None,
        show_numbers: bool = False,
    ) -> np.ndarray:
        """Draw on ``image`` (HxWx3 uint8 BGR) in place and return it: a box and a label for each
        digit, or with ``show_numbers`` for each whole number; a banner with ``fps`` when given.
        ``reading`` may also be a plain list of digits (it then has no numbers)."""
        reading = _as_reading(reading)
        items = reading.numbers if show_numbers else reading.digits
        thickness = self._thickness(image.shape)
        for item in items:
            x, y, w, h = item.box
            cv2.rectangle(image, (x, y), (x + w, y + h), self._color(item.confidence), thickness)
        for label in self.layout_labels(image.shape, reading, fps, show_numbers):
            x, y, w, h = label.rect
            fill = (0, 0, 0) if label.kind == "fps" else label.color
            cv2.rectangle(image, (x, y), (x + w - 1, y + h - 1), fill, cv2.FILLED)
            (_, th), _ = cv2.getTextSize(label.text, FONT, label.scale, label.thickness)
            pad = (h - th) // 2
            cv2.putText(
                image,
                label.text,
                (x + pad, y + pad + th),
                FONT,
                label.scale,
                self.text_color,
                label.thickness,
                cv2.LINE_AA,
            )
        return image

    def layout_labels(
        self,
        shape: tuple[int, ...],
        reading: Reading | Sequence[Digit],
        fps: float | None = None,
        show_numbers: bool = False,
    ) -> list[Label]:
        """Where every label goes on a frame of ``shape`` (H, W[, C]): no two labels overlap and
        all lie inside the frame. Pure: draws nothing.

        The fps banner takes the top-left corner; then each digit (or number) whose main label
        fits above its box, free, takes that place; then the others, in reading order, the first
        free place of: above its box, below, left, right (aligned to either end), preferring
        places that cover no box (so no label gone below its box takes the place above a digit
        of the next line); then the confidence labels the same way, or stacked on their digit's
        label. A main label with no free place beside its box
        covers as little of its neighbours' boxes as it can, else goes inside its own; a
        confidence label never covers a box and is left out when it fits nowhere.
        """
        reading = _as_reading(reading)
        frame_h, frame_w = shape[:2]
        unit = self._unit(shape)
        thickness = self._thickness(shape)
        items = reading.numbers if show_numbers else reading.digits
        # The boxes, and the labels as they are placed, filed by where they are (cells about a
        # label's size): each place tried is checked against its neighbours only.
        cell = 4 * round(14 * unit)
        boxes = _Rects(cell, [item.box for item in items])
        taken = _Rects(cell)
        placed: list[Label] = []
        mains: dict[int, Box] = {}

        def put(label: Label) -> None:
            placed.append(label)
            taken.add(label.rect)

        if fps is not None:
            what = "numbers" if show_numbers else "digits"
            text = f"{fps:5.1f} fps  {len(items)} {what}"
            w, h = self._size(text, 0.6 * unit, thickness, unit)
            put(Label(text, (0, 0, w, h), (0, 0, 0), 0.6 * unit, thickness, "fps", -1))

        texts, sizes, scales = [], [], []
        for item in items:
            # large enough to read at a glance, following the digit a little and the frame more
            scales.append(0.7 * unit * min(1.5, max(0.8, item.box[3] / (50 * unit))))
            texts.append(item.text if show_numbers else str(item.digit))
            sizes.append(self._size(texts[-1], scales[-1], thickness, unit))
        # First every label that fits above its own box takes that place, then the others look
        # further: a label of the line above gone below its box took the place above a digit of
        # the next line, which read as that digit's (two lines close together).
        for above in (True, False):
            for i, item in enumerate(items):
                if i in mains:
                    continue
                places = [(item.box, p) for p in (MAIN_PLACES[:2] if above else MAIN_PLACES)]
                rect = self._place(sizes[i], places, taken, boxes, (frame_w, frame_h), not above)
                if rect is None and not above:  # crowded all round: inside the box, unless a label is there
                    rect = self._clamp((item.box[0], item.box[1], *sizes[i]), (frame_w, frame_h))
                    if taken.overlapped(rect):
                        continue
                if rect is not None:
                    put(Label(texts[i], rect, self._color(item.confidence), scales[i], thickness, "main", i))
                    mains[i] = rect

        small, small_thickness = 0.45 * unit, max(1, thickness // 2)
        for i, item in enumerate(items):
            parts = [percent(item.confidence)] if self.show_confidence else []
            track_id = getattr(item, "track_id", None)
            if self.show_ids and track_id is not None:
                parts.append(f"#{track_id}")
            if not parts:
                continue
            text = " ".join(parts)
            size = self._size(text, small, small_thickness, unit)
            # beside the box, else stacked on the digit's own label (which says whose it is)
            anchors = [(item.box, p) for p in CONFIDENCE_PLACES]
            if i in mains:
                anchors += [(mains[i], p) for p in STACKED_PLACES]
            rect = self._place(size, anchors, taken, boxes, (frame_w, frame_h), False)
            if rect is not None:
                put(Label(text, rect, self._color(item.confidence), small, small_thickness, "confidence", i))
        return placed

    # -- helpers --

    @staticmethod
    def _unit(shape: tuple[int, ...]) -> float:
        return max(1.0, min(shape[0] / 480.0, shape[1] / 640.0))

    def _thickness(self, shape: tuple[int, ...]) -> int:
        return max(1, int(round(2 * self._unit(shape))))

    def _color(self, confidence: float) -> BGR:
        return self.box_color if confidence >= self.low_confidence else self.low_color

    @staticmethod
    def _size(text: str, scale: float, thickness: int, unit: float) -> tuple[int, int]:
        (tw, th), base = cv2.getTextSize(text, FONT, scale, thickness)
        pad = max(2, int(round(2 * unit)))
        return tw + 2 * pad, th + base + 2 * pad

    @staticmethod
    def _clamp(rect: Box, frame: tuple[int, int]) -> Box:
        x, y, w, h = rect
        return max(0, min(x, frame[0] - w)), max(0, min(y, frame[1] - h)), w, h

    def _place(
        self, size, anchors: list[tuple[Box, str]], placed: _Rects, boxes: _Rects, frame, may_cover_boxes: bool
    ) -> Box | None:
        """The first candidate place (``beside`` each anchor) free of labels and boxes; else, when
        ``may_cover_boxes``, of those free of labels the one covering the least of the boxes (the
        first of equals: a tab over most of the next row's digit reads as that digit's); else
        None."""
        fallback, least = None, math.inf
        for anchor, place in anchors:
            rect = self._clamp(beside(size, anchor, place), frame)
            if placed.overlapped(rect):
                continue
            if not boxes.overlapped(rect):
                return rect
            if may_cover_boxes:  # measured only where it may be used: a crowded main label
                covered = boxes.shared_area(rect)
                if covered < least:
                    fallback, least = rect, covered
        return fallback if may_cover_boxes else None


MAIN_PLACES = ("above-left", "above-right", "below-left", "below-right", "left-top", "right-top", "left-bottom")
"""Where a digit's (or number's) label may go, in order of preference."""
CONFIDENCE_PLACES = ("below-left", "below-right", "above-left", "above-right", "right-bottom", "left-bottom")
STACKED_PLACES = ("below-left", "above-left", "below-right", "above-right")
"""Where a confidence label may go against its digit's own label when nothing beside the box is free."""


def _shared_area(a: Box, b: Box) -> int:
    """Pixels two (x, y, w, h) rectangles share."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


class _Rects:
    """Rectangles (x, y, w, h) filed in a grid of square cells, so that those a rectangle overlaps
    are looked for in the cells it touches, not among them all: a page of 600 tiny digits took
    ~1 s a frame to label, every place tried against every box and label."""

    def __init__(self, cell: int, rects: Sequence[Box] = ()):
        self.cell = max(8, int(cell))
        self.rects: list[Box] = []
        self._cells: dict[tuple[int, int], list[int]] = {}
        for rect in rects:
            self.add(rect)

    def _keys(self, rect: Box):
        x, y, w, h = rect
        c = self.cell
        return [
            (gx, gy)
            for gx in range(x // c, (x + max(w, 1) - 1) // c + 1)
            for gy in range(y // c, (y + max(h, 1) - 1) // c + 1)
        ]

    def add(self, rect: Box) -> None:
        index = len(self.rects)
        self.rects.append(rect)
        for key in self._keys(rect):
            self._cells.setdefault(key, []).append(index)

    def _near(self, rect: Box) -> set[int]:
        return {k for key in self._keys(rect) for k in self._cells.get(key, ())}

    def overlapped(self, rect: Box) -> bool:
        """Does ``rect`` share a pixel with one of the rectangles?"""
        return any(overlaps(rect, self.rects[k]) for k in self._near(rect))

    def shared_area(self, rect: Box) -> int:
        """Pixels ``rect`` shares with the rectangles, summed."""
        return sum(_shared_area(rect, self.rects[k]) for k in self._near(rect))


def beside(size: tuple[int, int], box: Box, place: str) -> Box:
    """The rectangle of a label of ``size`` (w, h) at ``place`` ("above-left": above the box,
    aligned with its left edge; "left-top": left of it, aligned with its top) beside ``box``."""
    w, h = size
    x, y, bw, bh = box
    side, end = place.split("-")
    if side in ("above", "below"):
        return (x if end == "left" else x + bw - w), (y - h if side == "above" else y + bh), w, h
    return (x - w if side == "left" else x + bw), (y if end == "top" else y + bh - h), w, h


# --- the debug view -----------------------------------------------------------------------------

DEBUG_ROWS = 2
"""Rows of crop tiles under the mask: a fixed height, so the window does not jump with the count."""
DEBUG_BACKGROUND = (40, 40, 40)
DEBUG_MIN_TILE = 48
"""Tile side in pixels on small frames: room under it for a readable confidence."""


DEBUG_DROPPED = (230, 160, 60)
"""Caption colour (BGR, blue) of a crop read above the bar but not reported."""


def debug_view(image: np.ndarray, analysis, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> np.ndarray:
    """What the model saw: the ink mask at the frame's size, and under it a strip of tiles, one per
    normalised 28x28 crop in ``analysis.crops`` captioned with its reading and confidence: green
    when reported, orange under ``min_confidence``, blue when sure enough but not reported (a
    printed word's letter, far smaller than the rest, or the whole beaten by its parts). Nothing
    is drawn over the mask.

    ``image``: the HxWx3 frame analysed (for its size); ``analysis``: a
    :class:`livedigits.recognizer.Analysis` (``mask`` HxW uint8, ``crops`` [N,28,28,1] float32,
    ``probs`` [N,10], the classifier's output per crop, and ``reported`` bool [N], when it has
    them; without ``reported``, every crop at or above the bar counts as reported). Returns a new
    (H + strip)xWx3 uint8 image; the strip's height depends on W only.
    """
    frame_h, frame_w = image.shape[:2]
    mask = analysis.mask
    if mask.shape[:2] != (frame_h, frame_w):  # read at a smaller size (a huge frame)
        mask = cv2.resize(mask, (frame_w, frame_h), interpolation=cv2.INTER_NEAREST)
    top = cv2.cvtColor(mask, cv2.COLOR_GRAY2BGR)

    crops = analysis.crops
    probs = getattr(analysis, "probs", None)
    if probs is not None and len(probs) != len(crops):
        probs = None  # not the crops' readings: say nothing rather than something wrong
    reported = getattr(analysis, "reported", None)
    if reported is not None and len(reported) != len(crops):
        reported = None
    tile = max(DEBUG_MIN_TILE, frame_w // 12)
    per_row = max(1, frame_w // tile)
    thickness = max(1, tile // 40)
    # under each tile: the digit read, large, in the overlay's colours; its confidence smaller
    digit_scale = _fit_scale("9", int(tile * 0.3), thickness)
    confidence_scale = _fit_scale("100%", int(tile * 0.62), thickness)
    (_, text_h), base = cv2.getTextSize("9", FONT, digit_scale, thickness)
    cell_h = tile + text_h + base + 6
    strip = np.full((DEBUG_ROWS * cell_h, frame_w, 3), DEBUG_BACKGROUND, np.uint8)
    grey = (200, 200, 200)

    capacity = per_row * DEBUG_ROWS
    shown = len(crops) if len(crops) <= capacity else capacity - 1
    for i in range(shown):
        r, c = divmod(i, per_row)
        x, y = c * tile, r * cell_h
        pixels = np.clip(crops[i, :, :, 0] * 255.0, 0, 255).astype(np.uint8)
        strip[y : y + tile, x : x + tile] = cv2.resize(pixels, (tile, tile), interpolation=cv2.INTER_NEAREST)[..., None]
        cv2.rectangle(strip, (x, y), (x + tile - 1, y + tile - 1), (90, 90, 90), 1)
        baseline = y + tile + 3 + text_h
        if probs is None:
            cv2.putText(strip, "?", (x + 2, baseline), FONT, digit_scale, grey, thickness, cv2.LINE_AA)
            continue
        digit = int(np.argmax(probs[i]))
        confidence = float(probs[i][digit])
        if confidence < min_confidence:
            color = (0, 165, 255)
        elif reported is not None and not reported[i]:
            color = DEBUG_DROPPED
        else:
            color = (0, 200, 0)
        cv2.putText(strip, str(digit), (x + 2, baseline), FONT, digit_scale, color, thickness, cv2.LINE_AA)
        text = percent(confidence)
        (tw, _), _ = cv2.getTextSize(text, FONT, confidence_scale, thickness)
        cv2.putText(strip, text, (x + tile - 3 - tw, baseline), FONT, confidence_scale, grey, thickness, cv2.LINE_AA)
    if len(crops) > shown:
        r, c = divmod(shown, per_row)
        origin = (c * tile + 2, r * cell_h + tile // 2)
        cv2.putText(strip, f"+{len(crops) - shown}", origin, FONT, confidence_scale, grey, thickness, cv2.LINE_AA)
    if not len(crops):
        cv2.putText(strip, "no candidates", (4, 4 + text_h), FONT, confidence_scale, grey, thickness, cv2.LINE_AA)
    return np.vstack([top, strip])


def _fit_scale(text: str, width: int, thickness: int) -> float:
    """The largest font scale (up to 1.5) at which ``text`` fits in ``width`` pixels."""
    (tw, _), _ = cv2.getTextSize(text, FONT, 1.0, thickness)
    return min(1.5, width / max(tw, 1))


def benchmark(n_digits: int, frame: tuple[int, int] = (640, 480), repeat: int = 5, seed: int = 0) -> float:
    """Milliseconds of :meth:`Overlay.layout_labels` (the median of ``repeat`` runs) on a frame
    (width, height) filled with ``n_digits`` digits in rows, each a little off the grid."""
    from livedigits.layout import arrange

    rng = np.random.default_rng(seed)
    width, height = frame
    cols = int(math.sqrt(n_digits * width / height)) + 1
    rows = n_digits // cols + 1
    h = max(8, int(0.6 * (height - 20) / rows))
    digits = []
    for k in range(n_digits):
        r, c = divmod(k, cols)
        x, y = 10 + c * (width - 20) / cols + rng.normal(0, 1), 10 + r * (height - 20) / rows + rng.normal(0, 1)
        digits.append(Digit((int(x), int(y), int(0.6 * h), h), int(rng.integers(10)), 0.97))
    reading, overlay, runs = arrange(digits), Overlay(), []
    for _ in range(repeat):
        start = time.perf_counter()
        overlay.layout_labels((height, width, 3), reading, 30.0)
        runs.append(time.perf_counter() - start)
    return sorted(runs)[len(runs) // 2] * 1e3


if __name__ == "__main__":
    for n, size in ((25, (1280, 720)), (100, (1280, 720)), (300, (640, 480)), (600, (640, 480))):
        print(f"Overlay.layout_labels, {n} digits at {size[0]}x{size[1]}: {benchmark(n, size):.1f} ms")
