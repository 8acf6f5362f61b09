"""Decimal points: a dot on the baseline between two digits of a line ("12.50", "3.99").

The detector drops marks far smaller than a digit (specks), so a written price read digit by
digit loses its point, and "12.50" became the number "1250", a hundred times too much. The
points are looked for in the ink mask only where one can sit: in the gap between neighbouring
digits of a line, at the foot of the line (:func:`find_points`), and are then placed between
digits by geometry alone (:func:`points_after`), so the tracker can place the frame's points
between its own, smoothed boxes.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.records import Box, overlaps

POINT_SIZE = (0.09, 0.3)
POINT_MIN_PX = 3
"""A point is this many of the digits' height across (its longer side), and at least
``POINT_MIN_PX`` pixels: a pen's dot, not a speck of noise or grain (tiny digits' gaps hold
those) nor a stroke."""
POINT_GAP = 1.0
"""A point sits between digits at most this many of their heights apart: a stray mark in the
space between two numbers does not join them."""
POINT_FILL = 0.45
POINT_ASPECT = 2.5
"""A point is filled (its ink at least ``POINT_FILL`` of its box) and round-ish (its box at most
``POINT_ASPECT`` times as long as wide): a dash or a comma's tail is not."""
POINT_FOOT = (-0.35, 0.15)
"""A point's centre lies this far (in digit heights) from the digits' foot, their mean bottom:
low, where a decimal point sits, not at mid-height, where a dash or a colon's dot would."""


def find_points(mask: np.ndarray, boxes: list[Box], lines: list[list[int]]) -> list[Box]:
    """The decimal points in ``mask`` (HxW uint8, ink 255) between neighbouring digits of
    ``lines`` (index lists, left to right, into ``boxes``, the digits' x, y, w, h): in each gap,
    the one mark there, if it is point-sized, filled, round-ish and at the digits' foot."""
    frame_h, frame_w = mask.shape
    points = []
    for line in lines:
        for i, j in zip(line, line[1:]):
            x0, x1, h, foot = _gap(boxes[i], boxes[j])
            if x1 - x0 < 2 or x1 - x0 > POINT_GAP * h:
                continue
            (_, ay, _, ah), (_, by, _, bh) = boxes[i], boxes[j]
            y0, y1 = max(0, int(min(ay, by))), min(frame_h, int(max(ay + ah, by + bh) + POINT_FOOT[1] * h) + 1)
            window = mask[y0:y1, max(0, x0) : min(frame_w, x1)]
            stats = cv2.connectedComponentsWithStats(window, connectivity=8)[2]
            marks = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 2]
            if len(marks) != 1:
                continue  # nothing between them, or more than a point (a dash, a letter, a stroke's end)
            px, py, pw, ph, area = (int(v) for v in marks[0])
            side = max(pw, ph)
            centre = y0 + py + 0.5 * ph
            if (
                max(POINT_SIZE[0] * h, POINT_MIN_PX) <= side <= POINT_SIZE[1] * h
                and area >= POINT_FILL * pw * ph
                and side <= POINT_ASPECT * max(1, min(pw, ph))
                and POINT_FOOT[0] * h <= centre - foot <= POINT_FOOT[1] * h
                and px > 0
                and px + pw < window.shape[1]  # clear of both digits
            ):
                point = (max(0, x0) + px, y0 + py, pw, ph)
                if not any(overlaps(point, box) for box in boxes):  # not a piece of a digit above or below
                    points.append(point)
    return points


def points_after(boxes: list[Box], lines: list[list[int]], points: list[Box]) -> set[int]:
    """Indices into ``boxes`` of the digits a point of ``points`` follows: the point's centre lies
    in the gap between that digit and the next of its line (index lists, left to right), at the
    foot of the two (:data:`POINT_FOOT`)."""
    if not points:
        return set()
    after = set()
    centres = [(x + 0.5 * w, y + 0.5 * h) for x, y, w, h in points]
    for line in lines:
        for i, j in zip(line, line[1:]):
            x0, x1, h, foot = _gap(boxes[i], boxes[j])
            if any(x0 <= cx <= x1 and POINT_FOOT[0] * h <= cy - foot <= POINT_FOOT[1] * h for cx, cy in centres):
                after.add(i)
    return after


def _gap(a: Box, b: Box) -> tuple[int, int, float, float]:
    """The gap between neighbouring digit boxes ``a`` and ``b`` (left to right): where it starts and
    ends (x), the two's mean height and their foot (mean bottom)."""
    return a[0] + a[2], b[0], 0.5 * (a[3] + b[3]), 0.5 * (a[1] + a[3] + b[1] + b[3])
