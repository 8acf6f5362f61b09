"""The walls between digits: a table's or a comb field's upright lines, which decide the numbers.

Digits in two cells of a table are two numbers however close the cells stand ("906" and "77" in
neighbouring columns read "90677" when only the gap between them was looked at), while a comb
field (a printed box per digit: postcodes, account numbers, dates on forms) is one number however
wide its boxes part its digits ("8672" read as four numbers). The detector erases such lines
before the digits are read (:attr:`~livedigits.detect.Detection.clean`); what it erased between
two neighbours of a line tells a wall.

::

    walls = find_walls(cv2.subtract(mask, clean), boxes, lines)
    numbers = parted_by_walls(boxes, group_numbers(boxes, lines), walls_after(boxes, lines, walls))
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.records import Box

WALL_ROWS = 0.7
"""A wall crosses the band the two neighbours share: erased ink in the gap between them on at least
this share of the rows common to both boxes. An underline or a ruling through the gap covers a
few rows; a table's or a comb's upright line, even leaning a few degrees, covers them all."""
COMB_WALLS = 2
"""Walls standing between lifted lines are taken only where a line of digits has at least this
many: a comb's boxes come in a row, while a tall hand's 1 on a ruled page, read under the
confidence bar, stands from one ruling to the next alone."""
WALL_FILL = 0.9
WALL_WIDTH = 0.25
"""A wall left in the ink between two lifted lines touches both, covers this share of the rows
between them (a pixel or two lost on the way), and its box is at most ``WALL_WIDTH`` of its
height wide: a line, upright or leaning up to ~14 degrees in perspective. A digit read under the
confidence bar between two digits on a ruled page stands on its ruling, short of the next."""
CROSSING = 0.5
"""An erased line on at least this share of a digit's box width in one row crosses the digit."""
COMB_PITCH = 2.0
"""Neighbours each alone in its cell, their centres at most this many of their heights apart, are
in the boxes of a comb field: one number. A cell narrower than two digit heights has no room for
two digits with the space between them (each ~0.6 of a height wide, the space ~0.3, the margins),
so it was drawn for one; a table's cell holds a number, and a digit alone in it stands further
from the next cell's. (A table of one-digit cells, a golf scorecard, reads each row as one
number.)"""


COMB_ROW = 2.0
"""A comb field is one row of boxes: its walls end at its top and bottom lines, some 1.1-1.6 digit
heights apart. A wall running on beyond this many digit heights (through a table's other rows, a
scorecard's grid) parts the digits either side but never joins them as a comb's."""
COMB_ALIKE = 0.6
"""The digits of a comb's boxes are written alike: the shorter at least this share of the taller's
height. A box's side read as a 1 beside the digit in its box stands as tall as the box (a tuning
video's: twice the digit, 0.51); a hand's digits vary by up to a third. (First set at 0.75 from
that one case; an independent trial's comb photos, MNIST digits written at varying sizes, then
cut 33 of its comb numbers between neighbours at 0.73-0.74: lowered to 0.6 after it, so that
trial no longer stands apart from this constant.)"""


def find_walls(
    erased: np.ndarray,
    boxes: list[Box],
    lines: list[list[int]],
    ink: np.ndarray | None = None,
    lifted: np.ndarray | None = None,
) -> list[Box]:
    """The walls (boxes of the erased ink between two neighbours, frame pixels) standing between
    neighbours of ``lines`` (index lists into ``boxes``, left to right); ``erased`` is the ink the
    detector took out as lines (HxW uint8, nonzero = erased). With ``ink`` (the ink left once
    lines are erased) and ``lifted`` (the rulings lifted before the threshold, never ink), a wall
    is also an upright stroke of ink in the gap from a lifted line above the two to one below
    them (:func:`_between_lifted`): a comb field printed lighter than the ink, whose long lines
    were lifted and whose walls, each shorter than a ruling, stayed in the ink."""
    walls: list[Box] = []
    height, width = erased.shape[:2]
    # Most frames have no lines erased and none lifted (a page of a thousand tiny digits took
    # ~18 ms looking between every two for nothing): asked once, not for every pair.
    any_erased = cv2.countNonZero(erased) > 0
    any_lifted = ink is not None and lifted is not None and cv2.countNonZero(lifted) > 0
    if not (any_erased or any_lifted):
        return walls
    for line in lines:
        standing: list[Box] = []  # walls between lifted lines, this line's
        for i, j in zip(line, line[1:]):
            (xa, ya, wa, ha), (xb, yb, _, hb) = boxes[i], boxes[j]
            x0, x1 = max(xa + wa, 0), min(xb, width)
            y0, y1 = max(ya, yb, 0), min(ya + ha, yb + hb, height)
            if x1 <= x0 or y1 - y0 < 0.5 * min(ha, hb):
                continue  # touching or overlapping boxes, or neighbours hardly side by side
            strip = erased[y0:y1, x0:x1]
            rows = np.count_nonzero(strip.any(axis=1)) if any_erased else 0
            if rows >= WALL_ROWS * (y1 - y0) and not _crossed(erased[y0:y1], boxes[i], boxes[j]):
                walls += [_extended(erased, x0 + x, y0 + y, w, h, y1 - y0) for x, y, w, h in _apart(strip)]
            elif any_lifted:
                wall = _between_lifted(ink, lifted, x0, x1, y0, y1)
                if wall is not None:
                    standing.append(wall)
        if len(standing) >= COMB_WALLS:
            walls += standing
    return walls


def _between_lifted(ink: np.ndarray, lifted: np.ndarray, x0: int, x1: int, y0: int, y1: int) -> Box | None:
    """A wall in the gap columns [x0, x1) of two neighbours sharing rows [y0, y1): lifted line
    ink in those columns above the rows' middle and below it, within half the rows' height of
    them (a comb's top and bottom lines), and ink on :data:`WALL_FILL` of the rows between those
    two lines (a wall standing from one to the other; a slash or a letter between two digits
    has no such lines, a ruled page's rulings stand further off). The wall's box, or None."""
    reach = (y1 - y0) // 2
    top, bottom = max(y0 - reach, 0), min(y1 + reach, lifted.shape[0])
    middle = (y0 + y1) // 2
    lined = np.flatnonzero(lifted[top:bottom, x0:x1].any(axis=1)) + top
    above, below = lined[lined < middle], lined[lined > middle]
    if not len(above) or not len(below):
        return None
    first, last = int(above.max()) + 1, int(below.min())  # the rows between the two lines
    if last - first < y1 - y0 - 2:
        return None  # lines through the two digits' rows: not a cell's top and bottom
    strip = ink[first:last, x0:x1]
    rows = strip.any(axis=1)
    if np.count_nonzero(rows) < WALL_FILL * (last - first) or not (rows[0] and rows[-1]):
        return None  # not standing from one line to the other (a digit stands on its ruling only)
    x, y, w, h = cv2.boundingRect(strip)
    if w > WALL_WIDTH * (last - first):
        return None  # a mark as wide as a digit (one under the confidence bar), not a line
    return x0 + x, first + y, w, h


def _extended(erased: np.ndarray, x: int, y: int, w: int, h: int, band: int) -> Box:
    """A wall's box (x, y, w, h: its ink on the digits' rows) grown up and down as far as its
    line runs on (a pixel of lean either way allowed), at most :data:`COMB_ROW` + 1 ``band``
    heights each way: a comb's wall ends at its top and bottom lines, a table's runs on through
    its other rows."""
    reach = int((COMB_ROW + 1) * band)
    first = max(y - reach, 0)  # only the rows it may grow into are looked at
    cols = erased[first : y + h + reach, max(x - 1, 0) : x + w + 1].any(axis=1)
    top, bottom = y - first, y - first + h
    while top > 0 and y - first - top < reach and cols[top - 1]:
        top -= 1
    while bottom < len(cols) and bottom - (y - first) - h < reach and cols[bottom]:
        bottom += 1
    return x, first + top, w, bottom - top


def _apart(strip: np.ndarray) -> list[Box]:
    """The boxes (in ``strip``) of its ink's column runs, left to right: one for a wall, two for the
    sides of two boxes standing side by side with paper between them."""
    columns = np.flatnonzero(strip.any(axis=0))
    breaks = np.flatnonzero(np.diff(columns) > 1)
    starts = np.concatenate([[columns[0]], columns[breaks + 1]])
    ends = np.concatenate([columns[breaks], [columns[-1]]]) + 1
    out = []
    for a, b in zip(starts.tolist(), ends.tolist()):
        x, y, w, h = cv2.boundingRect(strip[:, a:b])
        out.append((a + x, y, w, h))
    return out


def _crossed(band: np.ndarray, a: Box, b: Box) -> bool:
    """Does an erased line run across either digit (``band``: the erased ink on the rows the two
    share, whole frame width)? Then the lines are a grid's or a ruling's drawn through the writing
    (squared paper, digits over several squares), not the sides of cells holding it."""
    inner = band[1:-1]  # a cell's top or bottom line may touch the band's first or last row
    for x, _, w, _ in (a, b):
        box = inner[:, max(x, 0) : x + w]
        if box.size and (np.count_nonzero(box, axis=1) >= CROSSING * w).any():
            return True
    return False


def walls_after(boxes: list[Box], lines: list[list[int]], walls: list[Box]) -> dict[int, int]:
    """For the digits (indices into ``boxes``) with walls of ``walls`` between them and the next of
    their line (each wall's middle between the two's middles, its rows reaching into both), how
    many: one between two cells of a comb or a one-row table, two between two boxes side by side
    or across a table's wall that runs through its other rows."""
    after: dict[int, int] = {}
    if not walls:
        return after
    for line in lines:
        for i, j in zip(line, line[1:]):
            (xa, ya, wa, ha), (xb, yb, wb, hb) = boxes[i], boxes[j]
            left, right = xa + 0.5 * wa, xb + 0.5 * wb
            top, bottom = max(ya, yb), min(ya + ha, yb + hb)
            between = [(x, w, h) for x, y, w, h in walls if left < x + 0.5 * w < right and y < bottom and y + h > top]
            if between:
                # A wall running on through other rows (a table's, longer than COMB_ROW digit
                # heights) counts two: never a comb's, as two boxes side by side are not.
                tall = COMB_ROW * 0.5 * (ha + hb)
                after[i] = sum(2 if h > tall else 1 for _, _, h in between)
    return after


def parted_by_walls(boxes: list[Box], numbers: list[list[list[int]]], walled: dict[int, int]) -> list[list[list[int]]]:
    """``numbers`` (per line, runs of indices into ``boxes``, as
    :func:`~livedigits.layout.group_numbers` gives them) parted at every wall (``walled``: the
    indices walls follow, and how many, :func:`walls_after`), except between the digits of a
    comb field, one wall apart (:data:`COMB_PITCH`, :data:`COMB_ALIKE`), which are joined into
    one number. Two walls are two boxes side by side: never a comb's."""
    if not walled:
        return numbers
    out = []
    for line in numbers:
        order = [i for number in line for i in number]
        ends = {number[-1] for number in line}
        # A cell of one digit: walled on both sides (or the line's end on one, the wall on the other).
        single = [
            (k == 0 or order[k - 1] in walled) and (k == len(order) - 1 or i in walled) for k, i in enumerate(order)
        ]
        parted: list[list[int]] = []
        for k, i in enumerate(order):
            if k == 0:
                parted.append([i])
                continue
            prev = order[k - 1]
            if prev in walled:
                a, b = boxes[prev][3], boxes[i][3]
                alike = min(a, b) >= COMB_ALIKE * max(a, b)  # not a box's side read as a 1 beside a digit
                comb = walled[prev] == 1 and single[k - 1] and single[k] and alike
                join = comb and _pitch(boxes[prev], boxes[i]) <= COMB_PITCH
            else:
                join = prev not in ends
            if join:
                parted[-1].append(i)
            else:
                parted.append([i])
        out.append(parted)
    return out


def _pitch(a: Box, b: Box) -> float:
    """How far apart two neighbours' centres are (x), in their mean height."""
    return (b[0] + 0.5 * b[2] - a[0] - 0.5 * a[2]) / max(0.5 * (a[3] + b[3]), 1.0)
