"""Decimal points and commas: a dot on the baseline between two digits of a line ("12.50",
"3.99"), or a comma dipping under it ("3,50", "1,250").

The detector drops marks far smaller than a digit (specks), so a written price read digit by
digit loses its point, and "12.50" became the number "1250", a hundred times too much (as "3,50"
became "350"). The
points are looked for in the ink mask only where one can sit: in the gap between neighbouring
digits of a line, at the foot of the line (:func:`find_points`), and are then placed between
digits by geometry alone (:func:`points_after`), so the tracker can place the frame's points
between its own, smoothed boxes.
"""

from __future__ import annotations

from statistics import median

import cv2
import numpy as np

from livedigits.records import Box, Point, overlaps

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
POINT_ASPECT_ON_LINE = 1.5
"""A dot on a line is round: at most this much longer one way than the other."""
SLANT_MIN = 0.1
"""A line whose writing leans by at least this (x per y, ~6 degrees, as the detector's slanted
cuts: ``livedigits.cuts.SPLIT_MIN_SLANT``) is looked at sheared upright for its points."""
SLOPE_MIN = 0.06
"""Lines sloping by at least this (y per x, ~3.5 degrees: a sheet or a camera turned) are looked
at turned level for their points, and stood upright if they lean: each digit of a turned line
leans by the turn, and the corner of its box reaches over the point after it (``python -m
benchmarks.prices``, seed 100: turned 6-12 degrees clockwise, 14 of 57 marks kept before, 31
with the turned look; seed 200: 27 of 54, 38 of 55)."""
COMMA_SIZE = (0.15, 0.6)
COMMA_WIDTH = 0.3
COMMA_DIP = (0.05, 0.45)
"""A comma is a short stroke down from the foot: ``COMMA_SIZE`` of the digits' height tall (a head
0.1 over the foot and a tail 0.3 under it, a new user's commas, are 0.53: at 0.5 their price lists
read 57% of commas), at
most ``COMMA_WIDTH`` wide and narrower than tall, its top within ``POINT_FOOT`` of the foot and
its bottom ``COMMA_DIP`` under it (a dot on the line does not dip; a 1's foot is no mark of its
own). A bold printed comma's head is ~0.27 of the digits' height across (at 0.25, a new user's
"3,50" in a bold font read "350"; the family frames' numbers and the underline pages read the
same at 0.3)."""


COMMA_AS_DIGIT = 0.7
"""A mark read as a digit between two digits of a line, at most this share of their height, that
starts at or under their middle and dips under their foot (:data:`COMMA_DIP`), is a comma written
long (a head and a tail 0.6 of the digits' height): read as a 1, it split "30,31" into 30, 31
and 1 (a new user's price lists: 57% of commas kept)."""


def commas_read_as_digits(boxes: list[Box]) -> list[int]:
    """Indices of ``boxes`` (the digits read, x, y, w, h) that are commas (:data:`COMMA_AS_DIGIT`):
    narrower than tall, between the nearest digits either side whose boxes hold its top row,
    about as tall as each other (within a quarter), standing on one foot (within a quarter of
    their height) and at most :data:`POINT_GAP` of their height apart."""
    commas: list[int] = []
    if len(boxes) < 3:
        return commas
    # The boxes filed by the bands of rows they span (a band a median digit tall), with each
    # band's tallest: a mark looks only at its band's boxes, and not at all when none of them
    # is tall enough (a page of hundreds of tiny digits: a few ms, not tens).
    band = max(1, sorted(b[3] for b in boxes)[len(boxes) // 2])
    rows: dict[int, list[int]] = {}
    for i, (_, by, _, bh) in enumerate(boxes):
        for r in range(by // band, (by + bh) // band + 1):
            rows.setdefault(r, []).append(i)
    tallest = {r: max(boxes[i][3] for i in members) for r, members in rows.items()}
    for k, (x, y, w, hh) in enumerate(boxes):
        if w >= hh or tallest.get(y // band, 0) * COMMA_AS_DIGIT < hh:
            continue
        cx = x + 0.5 * w
        beside = [
            i for i in rows[y // band] if i != k and boxes[i][1] <= y <= boxes[i][1] + boxes[i][3] and boxes[i][3] > hh
        ]
        lefts = [i for i in beside if boxes[i][0] + 0.5 * boxes[i][2] < cx]
        rights = [i for i in beside if boxes[i][0] + 0.5 * boxes[i][2] > cx]
        if not lefts or not rights:
            continue
        a = boxes[max(lefts, key=lambda i: boxes[i][0] + boxes[i][2])]
        b = boxes[min(rights, key=lambda i: boxes[i][0])]
        h, foot = 0.5 * (a[3] + b[3]), 0.5 * (a[1] + a[3] + b[1] + b[3])
        if (
            max(a[3], b[3]) <= 1.25 * min(a[3], b[3])
            and abs((a[1] + a[3]) - (b[1] + b[3])) <= 0.25 * h
            and b[0] - (a[0] + a[2]) <= POINT_GAP * h + w
            and hh <= COMMA_AS_DIGIT * h
            and y >= foot - 0.5 * h
            and y + hh - foot >= COMMA_DIP[0] * h
        ):
            commas.append(k)
    return commas


def find_points(
    mask: np.ndarray,
    boxes: list[Box],
    lines: list[list[int]],
    clean: np.ndarray | None = None,
    slope: float = 0.0,
    noisy: bool = False,
) -> list[Point]:
    """The decimal points and commas in ``mask`` (HxW uint8, ink 255) between neighbouring digits
    of ``lines`` (index lists, left to right, into ``boxes``, the digits' x, y, w, h): in each gap,
    the one mark there at the line's height, if it is a dot (point-sized, filled, round-ish, at
    the digits' foot) or a comma (:data:`COMMA_SIZE`); a digit's ink reaching past its box into
    the gap is no second mark, unless the frame is ``noisy`` (``Detection.noisy``). Where that
    mark is a line running through the gap (a form's underline), ``clean`` (the mask with the
    lines erased, when given) is looked in instead, for a round dot sitting on the line
    (:func:`_on_the_line`). A line written leaning (:data:`SLANT_MIN`), or on a page turned by
    ``slope`` (y per x, the lines' common slope: :data:`SLOPE_MIN`), with a loose mark under one
    of its digits' boxes (:func:`_loose_mark`) is also looked at turned level and stood upright
    (:func:`_upright_points`): a leaning or turned digit's top reaches over the point after it,
    into the gap its box leaves. (That look costs ~0.9 ms a 640x480 frame and ~1.45 ms a 720p
    one on the tuning frames, a fifth of whose lines hold such a mark; the plain look ~0.3-0.45
    ms.)"""
    points = []
    for line in lines:
        if len(line) < 2:
            continue
        found = _line_points(mask, boxes, line, clean, noisy=noisy)
        if len(found) == len(line) - 1:
            points += found
            continue
        turned = abs(slope) >= SLOPE_MIN
        if _loose_mark(mask, boxes, line, slope if turned else 0.0):
            lean = _lean(mask, [boxes[k] for k in line])
            # a turned line's digits lean by the turn (x per y up: +slope for a clockwise turn)
            lean = lean - slope if turned else lean
            if turned or abs(lean) >= SLANT_MIN:
                # turned level and stood upright, for the points under a digit's top (each point once)
                look = _upright_points(mask, boxes, line, clean, lean, slope if turned else 0.0, noisy)
                found += [p for p in look if not _among(p, found)]
        points += found
    return points


def _among(point: Point, points: list[Point]) -> bool:
    return any(overlaps(point.box, other.box) for other in points)


def _loose_mark(mask: np.ndarray, boxes: list[Box], line: list[int], slope: float = 0.0) -> bool:
    """Is there, along the foot of ``line`` (sloping by ``slope``, y per x) and between the middles
    of its first and last digits, under a digit's box, a mark that hangs from nothing (a digit's
    stroke reaches down into the foot from above) and passes for a point or a comma
    (:func:`_mark`)? Only then is a leaning or turned line stood upright, to tell whether it lies
    in a gap: most lines hold no such mark."""
    frame_h, frame_w = mask.shape
    own = [boxes[k] for k in line]
    h = median([b[3] for b in own])
    x0 = max(0, int(own[0][0] + 0.5 * own[0][2]))
    x1 = min(frame_w, int(own[-1][0] + 0.5 * own[-1][2]))
    # The foot where x is: through the digits' mean centre and mean bottom, along the slope.
    mid, foot = sum(b[0] + 0.5 * b[2] for b in own) / len(own), sum(b[1] + b[3] for b in own) / len(own)
    ends = (foot + slope * (x0 - mid), foot + slope * (x1 - mid))
    y0, y1 = max(0, int(min(ends) + POINT_FOOT[0] * h)), min(frame_h, int(max(ends) + COMMA_DIP[1] * h) + 1)
    if y1 - y0 < 3 or x1 - x0 < 3:
        return False
    strip = mask[y0:y1, x0:x1]
    # Outlines, not connectedComponentsWithStats: on a strip this shape that costs ~7x as much.
    outlines, _ = cv2.findContours(strip, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    least, most = max(POINT_SIZE[0] * h, POINT_MIN_PX), COMMA_SIZE[1] * h
    # On a turned line a mark against a digit's box counts too: the box's corner reaches over the
    # gap at the foot, and the plain look takes no mark against a digit's side. (A level line's
    # look is as it was.)
    touch = 1 if slope else 0
    for outline in outlines:
        x, y, w, hh = cv2.boundingRect(outline)
        # Its top under where a point may start (not a stroke from above), of a point's or a
        # comma's size at most, under a digit's box, where the plain look does not see (in a gap
        # it did), and a point or a comma by its ink (the ink of its box: a speck beside it
        # counts too, rarely).
        here = foot + slope * (x0 + x + 0.5 * w - mid)
        if y0 + y <= max(0, int(here + POINT_FOOT[0] * h)) or not least <= max(w, hh) <= most:
            continue
        if not any(x0 + x < bx + bw + touch and x0 + x + w > bx - touch for bx, _, bw, _ in own):
            continue
        if _mark((x0 + x, y0 + y, w, hh), cv2.countNonZero(strip[y : y + hh, x : x + w]), h, here):
            return True
    return False


def _line_points(
    mask: np.ndarray,
    boxes: list[Box],
    line: list[int],
    clean: np.ndarray | None,
    unjudged: bool = False,
    noisy: bool = False,
) -> list[Point]:
    """:func:`find_points` for one line of upright digits. ``unjudged``: the line was stood upright
    (:func:`_upright_points`): the one mark of a gap is returned as it is (mark "?"), to be judged
    in the frame."""
    frame_h, frame_w = mask.shape
    points = []
    for i, j in zip(line, line[1:]):
        x0, x1, h, foot = _gap(boxes[i], boxes[j])
        if x1 - x0 < 2 or x1 - x0 > POINT_GAP * h:
            continue
        y0, y1 = max(0, int(min(boxes[i][1], boxes[j][1]))), min(frame_h, int(foot + COMMA_DIP[1] * h) + 1)
        cols = slice(max(0, x0), min(frame_w, x1))
        window = mask[y0:y1, cols]
        if window.size == 0:
            continue  # a gap outside the frame (boxes from elsewhere than this frame's detector)
        marks = _marks(window, y0, foot + POINT_FOOT[1] * h)
        if clean is not None and len(marks) == 1 and marks[0][0] == 0 and marks[0][2] >= window.shape[1]:
            # One mark from side to side: a line through the gap. A point on it is a round dot
            # left standing on the line once it is erased.
            dot = _on_the_line(window, clean[y0:y1, cols], y0, foot + POINT_FOOT[1] * h)
            marks = [dot] if dot is not None else []
        if len(marks) > 1 and not noisy:
            # Ink that runs on from the gap's side into the digit beside it is that digit's (its
            # box a pixel or two short of its ink): no second mark. (In a noisy frame the mark
            # left may be a speck of the noise: two marks stay no point.)
            marks = [m for m in marks if not _runs_on(mask, m, cols, y0, window.shape[1])]
        if len(marks) != 1:
            continue  # nothing between them, or more than a point (a dash, a letter, a stroke's end)
        px, py, pw, ph, area = (int(v) for v in marks[0])
        if px == 0 or px + pw >= window.shape[1]:
            continue  # not clear of both digits
        box = (cols.start + px, y0 + py, pw, ph)
        # A sheared line's marks are judged back in the frame's own pixels (:func:`_upright_points`).
        mark = "?" if unjudged else _mark(box, area, h, foot)
        if mark and not any(overlaps(box, b) for b in boxes):  # not a piece of a digit above or below
            points.append(Point(box, mark))
    return points


def _runs_on(mask: np.ndarray, mark, cols: slice, y0: int, width: int) -> bool:
    """Does the ``mark`` (stats row: x, y, w, h, area) of a gap's window (columns ``cols``, top
    row ``y0``, ``width`` wide) reach one side of the window and run on into the column beyond
    it, on its rows (one more each way)? (A mark across the window is a line through the gap.)"""
    x, y, w, h = (int(v) for v in mark[:4])
    if x == 0 and x + w >= width:
        return False
    rows = slice(max(0, y0 + y - 1), y0 + y + h + 1)
    if x == 0 and cols.start > 0 and mask[rows, cols.start - 1].any():
        return True
    return x + w >= width and cols.stop < mask.shape[1] and bool(mask[rows, cols.stop].any())


def _lean(mask: np.ndarray, boxes: list[Box]) -> float:
    """How far a line's writing leans (x to the right per pixel up) by its ink's second moments in
    its digits' ``boxes`` (x, y, w, h), each about its own centre; 0 without ink."""
    cov = var = 0.0
    frame_h, frame_w = mask.shape
    for x, y, w, h in boxes:
        ys, xs = np.nonzero(mask[max(0, y) : min(frame_h, y + h), max(0, x) : min(frame_w, x + w)])
        if len(xs) < 2:
            continue
        ys = ys - ys.mean()
        cov += float((ys * (xs - xs.mean())).sum())
        var += float((ys * ys).sum())
    return -cov / var if var > 0 else 0.0


def _upright_points(
    mask: np.ndarray,
    boxes: list[Box],
    line: list[int],
    clean: np.ndarray | None,
    lean: float,
    slope: float = 0.0,
    noisy: bool = False,
) -> list[Point]:
    """:func:`_line_points` on the band of ``mask`` (and ``clean``) round a line that slopes by
    ``slope`` (y per x; a turned sheet or camera) turned level about the line's foot, then, if it
    leans by ``lean`` (:func:`_lean`, after the turn), sheared upright: each digit's ink then
    stands in a box of its own width, and the gaps at the foot are as wide as they were written.
    The points found are returned in the frame's pixels."""
    frame_h, frame_w = mask.shape
    own = [boxes[k] for k in line]
    top, bottom = min(b[1] for b in own), max(b[1] + b[3] for b in own)
    height = median([b[3] for b in own])
    r0, r1 = max(0, int(top - height)), min(frame_h, int(bottom + height) + 1)
    c0 = max(0, int(min(b[0] for b in own) - height))
    c1 = min(frame_w, int(max(b[0] + b[2] for b in own) + height) + 1)
    # The line's foot, in the band's pixels: through its digits' mean centre and mean bottom.
    fx = sum(b[0] + 0.5 * b[2] for b in own) / len(own) - c0
    fy = sum(b[1] + b[3] for b in own) / len(own) - r0
    # Turned level about the foot, sheared along it (x' = x + lean * (y - foot)), then moved so
    # that every pixel of the band stays in view.
    cos, sin = 1.0 / np.hypot(1.0, slope), slope / np.hypot(1.0, slope)
    turn = np.array([[cos, sin, 0.0], [-sin, cos, 0.0], [0.0, 0.0, 1.0]])
    turn[:2, 2] = [fx, fy] - turn[:2, :2] @ [fx, fy]
    shear = np.array([[1.0, lean, -lean * fy], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    matrix = shear @ turn
    corners = matrix[:2, :2] @ np.array([[0, r1 - r0], [0, 0], [c1 - c0, 0], [c1 - c0, r1 - r0]]).T.astype(float)
    corners += matrix[:2, 2:]
    low = corners.min(axis=1)  # (not rounded: a level line's pixels keep their columns' fractions)
    matrix[:2, 2] -= low
    width, rows = (int(v) + 2 for v in np.ceil(corners.max(axis=1) - low))
    forward = matrix[:2].astype(np.float32)
    back = np.linalg.inv(matrix)[:2]

    def upright(image: np.ndarray) -> np.ndarray:
        # any ink under a pixel counts: sheared pixel by pixel, a thin stroke would break into specks
        turned = cv2.warpAffine(image[r0:r1, c0:c1], forward, (width, rows), flags=cv2.INTER_LINEAR)
        return cv2.compare(turned, 0, cv2.CMP_GT)

    (a, b, e), (c, d, f) = matrix[:2].tolist()

    def stood(box: Box) -> Box:
        # The box the digit stands in there: between the second-outermost of its corners each way
        # (a sheared box's corners reach over its neighbours' gaps; its inner sides do not).
        x, y, w, h = box
        x, y = x - c0, y - r0
        corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        xs = sorted(a * u + b * v + e for u, v in corners)
        if slope:
            ys = sorted(c * u + d * v + f for u, v in corners)
            top, bottom = int(round(ys[0])), int(round(ys[3]))
        else:  # rows as they were (a shear moves none)
            top, bottom = y, y + h
        left, right = int(round(xs[1])), int(round(xs[2]))
        return (left, top, max(1, right - left), max(1, bottom - top))

    near = [k for k, b in enumerate(boxes) if b[1] < r1 and b[1] + b[3] > r0 and b[0] < c1 and b[0] + b[2] > c0]
    index = {k: n for n, k in enumerate(near)}
    if any(k not in index for k in line):
        return []  # a digit off the frame's band (boxes from elsewhere than this frame's detector)
    band = upright(mask)
    stood_boxes = [stood(boxes[k]) for k in near]
    # Each of the line's digits, stood up, is the largest piece of ink in its box there: its box
    # becomes that piece's (a bent stroke's foot reaches further than the box's corners say), and
    # its ink leaves the band, so that what reaches into a gap from a digit is no mark of its own.
    count, labels = cv2.connectedComponents(band, connectivity=8)  # (with stats: ~7x the cost)
    digits = []
    for k in line:
        x, y, w, h = stood_boxes[index[k]]
        inside = labels[max(0, y) : y + h, max(0, x) : x + w]
        counts = np.bincount(inside.ravel(), minlength=count)
        counts[0] = 0
        if counts.any():
            piece = int(counts.argmax())
            digits.append(piece)
            # (its columns looked for within a height of its box: a digit's piece is no wider)
            reach = int(height)
            start = max(0, x - reach)
            columns = np.flatnonzero((labels[:, start : x + w + reach] == piece).any(axis=0)) + start
            stood_boxes[index[k]] = (int(columns[0]), y, int(columns[-1] - columns[0]) + 1, h)
    if digits:
        band = np.where(np.isin(labels, digits), np.uint8(0), band)
    found = _line_points(
        band, stood_boxes, [index[k] for k in line], None if clean is None else upright(clean), True, noisy
    )
    points = []
    for (x, y, w, h), _ in found:
        # Back to the frame (the turn and shear undone at the mark's centre), and judged again
        # there, by its own pixels: sheared, a speck grows by a pixel and could pass for a pen's
        # dot. Its foot is the line's where it stands.
        bx, by = back @ [x + 0.5 * w, y + 0.5 * h, 1.0]
        cx, cy = int(round(bx)) + c0, int(np.floor(by)) + r0
        mark = _own_mark(mask, cx, cy, w + 2, h + 2, height, fy + r0 + slope * (cx - c0 - fx))
        if mark is not None:
            points.append(mark)
    return points


def _own_mark(mask: np.ndarray, cx: int, cy: int, w: int, h: int, height: float, foot: float) -> Point | None:
    """The mark of ``mask`` (HxW uint8) at (``cx``, ``cy``), looked for in a ``w`` x ``h`` window
    round it, as :func:`_mark` judges it in the frame's own pixels next to digits ``height`` tall
    standing on ``foot``; None when there is none or it is no point."""
    frame_h, frame_w = mask.shape
    x0, y0 = max(0, cx - w), max(0, cy - h)
    window = mask[y0 : min(frame_h, cy + h + 1), x0 : min(frame_w, cx + w + 1)]
    if not window.size:
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(window, connectivity=8)
    own = labels[min(cy - y0, window.shape[0] - 1), min(cx - x0, window.shape[1] - 1)]
    if own == 0:
        return None
    bx, by, bw, bh, area = (int(v) for v in stats[own])
    box = (x0 + bx, y0 + by, bw, bh)
    mark = _mark(box, area, height, foot)
    return Point(box, mark) if mark else None


def _marks(window: np.ndarray, y0: int, below: float) -> list:
    """The marks (connected components' stats rows: x, y, w, h, area) of a gap's ``window``, whose
    top is at ``y0`` in the frame, that start above ``below`` (what starts lower is the next
    line's), specks of one pixel left out."""
    stats = cv2.connectedComponentsWithStats(window, connectivity=8)[2]
    return [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 2 and y0 + s[1] < below]


def _on_the_line(window: np.ndarray, clean: np.ndarray, y0: int, below: float):
    """The one mark of a gap's ``clean`` window (the lines erased) that is a dot sitting on the
    line erased from ``window``: its foot within two pixels of the line's top, as wide as tall
    within :data:`POINT_ASPECT_ON_LINE`; else None. A digit's piece cut off by a ruling, or a 5's
    tail, is a stroke, not a dot."""
    marks = _marks(clean, y0, below)
    if len(marks) != 1:
        return None
    x, y, w, h, _ = (int(v) for v in marks[0])
    line_rows = np.flatnonzero(cv2.subtract(window, clean).any(axis=1))
    if not len(line_rows) or abs(int(line_rows[0]) - (y + h)) > 2:
        return None
    return marks[0] if max(w, h) <= POINT_ASPECT_ON_LINE * min(w, h) else None


def _mark(box: Box, area: int, h: float, foot: float) -> str:
    """ "." for a dot at the foot of digits ``h`` tall, "," for a comma dipping under it, else ""."""
    _, y, w, hh = box
    side = max(w, hh)
    if (
        max(POINT_SIZE[0] * h, POINT_MIN_PX) <= side <= POINT_SIZE[1] * h
        and area >= POINT_FILL * w * hh
        and side <= POINT_ASPECT * max(1, min(w, hh))
        and POINT_FOOT[0] * h <= y + 0.5 * hh - foot <= POINT_FOOT[1] * h
    ):
        return "."
    if (
        max(COMMA_SIZE[0] * h, POINT_MIN_PX) <= hh <= COMMA_SIZE[1] * h
        and w <= COMMA_WIDTH * h
        and w < hh
        and POINT_FOOT[0] * h <= y - foot
        and COMMA_DIP[0] * h <= y + hh - foot <= COMMA_DIP[1] * h
    ):
        return ","
    return ""


def points_after(boxes: list[Box], lines: list[list[int]], points: list[Point]) -> dict[int, str]:
    """For the digits (indices into ``boxes``) a point or comma of ``points`` follows, its mark:
    its box lies between the middles of that digit and the next of its line (index lists, left to
    right; a leaning digit's box reaches over the point after it) and its top within
    :data:`POINT_FOOT` of the two's foot."""
    after: dict[int, str] = {}
    if not points:
        return after
    for line in lines:
        for i, j in zip(line, line[1:]):
            _, _, h, foot = _gap(boxes[i], boxes[j])
            x0, x1 = boxes[i][0] + 0.5 * boxes[i][2], boxes[j][0] + 0.5 * boxes[j][2]
            for (x, y, w, hh), mark in points:
                top = y if mark == "," else y + 0.5 * hh  # a comma by where it starts, a dot by its centre
                # (half open: a point at a digit's very middle goes to one pair, the one it ends)
                if x0 <= x + 0.5 * w < x1 and POINT_FOOT[0] * h <= top - foot <= POINT_FOOT[1] * h:
                    after[i] = mark
                    break
    return after


def _gap(a: Box, b: Box) -> tuple[int, int, float, float]:
    """The gap between neighbouring digit boxes ``a`` and ``b`` (left to right): where it starts and
    ends (x), the two's mean height and their foot (mean bottom)."""
    return a[0] + a[2], b[0], 0.5 * (a[3] + b[3]), 0.5 * (a[1] + a[3] + b[1] + b[3])
