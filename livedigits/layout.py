"""Lines and whole numbers from recognised digits: reading order, ``line`` indices, numbers.

Lines are found by fitting, not by distance to a line's first box, so a line may slope (up to
~20 degrees), curve a little and sit close to the next one:

1. a common slope is estimated robustly from neighbour pairs (each box and its nearest
   neighbour to the right; the median of their slopes);
2. boxes are chained left to right: each box joins the line whose local fit (a least-squares
   line through its last few boxes, pulled towards the common slope) passes nearest to its
   centre, within half a digit height; otherwise it starts a new line;
3. lines are ordered top to bottom by their intercept along the common slope.

Numbers are runs of a line's digits separated by gaps (in digit heights) wider than a threshold
read from the page's gaps: the natural break between the tight gaps inside numbers and the wide
gaps between them when there is one, :data:`NUMBER_GAP` when there is not (a page of one number).

Pure functions over :class:`~livedigits.records.Digit` lists: a frame holds tens of digits, so
plain Python (with one small numpy step) stays well under 0.1 ms at 20 digits.
"""

from __future__ import annotations

import math

from livedigits.points import points_after
from livedigits.records import Box, Digit, Number, Point, Reading, fast_number
from livedigits.walls import parted_by_walls, walls_after

MAX_SLOPE = 0.36
"""tan(20 degrees): the steepest common slope believed; the issue asks for lines up to 10 degrees."""
LINE_TOLERANCE = 0.5
"""A box joins a line when its centre is within this many digit heights of the line's fit.
Half a height: the next line's centres are at least ~1.3 heights away (lines sit close), while a
digit's own centre wanders ~0.1 height around its line."""
LINE_SIZES = 2.0
"""A box joins a line only when its height is within this factor of the line's last box's: a
digit written several lines tall beside small writing (a heading, a page number) is a line of its
own, and does not join the small lines it spans (a new user's page split "305 8" in two)."""
FIT_BOXES = 4
"""A line's fit uses its last few boxes, so a gently curving line is followed along its bend."""
REACH_COST = 0.02
"""Cost per digit height of reaching right from a line's last box: of two lines whose fits pass
equally near, the one that has just been followed wins over one extrapolated from far away."""
SLOPE_PRIOR = 2.0
"""Weight of the common slope in a line's fit, as the x-spread (in squared digit heights) of the
evidence it is worth: a line's own two boxes a height apart do not outvote it."""
NUMBER_GAP = 0.6
"""Digits of one number sit closer than this times their height, when the page's gaps show no
clear break of their own (a single number, evenly spaced digits)."""
NUMBER_GAP_RANGE = (0.35, 1.3)
"""Where a break read from the page's gaps may fall: a writer who spaces digits 0.7 heights apart
and numbers 1.9 apart is read right, and the break is never so tight it cuts ordinary numbers."""
NUMBER_GAP_JUMP = 1.5
"""A break between consecutive sorted gaps counts when the wider is at least this times the tighter."""
NUMBER_SPACE_JUMP = 2.5
"""When the page's gaps show no break at :data:`NUMBER_GAP` or wider (numbers a single space apart,
as a neat hand or a printed form writes them: "31 4159" with gaps of ~0.1 heights inside and
~0.45 between), a break between consecutive sorted gaps under it counts when the wider is at
least :data:`NUMBER_GAP_JUMP` times the tighter and this times the median of the gaps under the
break (touching digits' gaps counted as 0.1), at least two gaps are that wide, and the break is
at least :data:`NUMBER_GAP_RANGE`'s low end: a lone wider gap in one number parts nothing, nor
do a loose hand's gaps (0.2-0.42 heights inside one number: 2x its median). A slanted script's
gaps measured along its lean (0.12-0.24 inside, median 0.17; 0.48 and 0.57 between) are parted.
The page's gaps are pooled, so two lines with a lone space each ("1 000" over "2 500") are read
as four numbers, as "31 4159" over "265 358" is."""
SLANT_WIDENING = 0.5
"""The share of a leaning digit's lean over its height by which its upright box is wider than its
ink on its middle row: all of it for a stroke along the box's diagonal (a 1, a 7's stem), less
for a round digit (a sheared ellipse's box grows by sqrt(a^2 + s^2 b^2) - a a side, not s b: a
third for a wide oval); half is taken. On the slanted-hands benchmark's tuning seed (300;
``python -m benchmarks.slanted``), whose ink gaps stand about a third of the lean wider than its
boxes', of 440 numbers read exactly: 0.25 78.2%, 0.5 87.0%, 0.75 86.1%, 1.0 72.5% (upright gaps:
63.2%)."""
SLANT_DIGITS = 8
"""The fewest digits whose leans tell a hand's (:func:`writing_slant`)."""
SLANT_AGREE = 0.8
"""The share of the digits that must lean the same way by :data:`SLANT_MIN` or more."""
SLANT_MIN = 0.1
"""A hand is taken to lean (:func:`writing_slant`) when at least ``SLANT_AGREE`` of at least
``SLANT_DIGITS`` digits lean the same way by ``SLANT_MIN`` (x per y, ~6 degrees) or more: a
digit's own shape leans too (a 7's diagonal, a 4's), and the median of a few digits, or of digits
by different hands, wanders by 0.2 and more either way. Measured along such a wandering lean, the
gaps inside numbers widened and numbers were cut (the generated scenes' notes, 4-7 digits each)."""


def find_lines(boxes: list[Box]) -> list[list[int]]:
    """Indices of ``boxes`` (x, y, w, h) grouped into lines, top to bottom, each left to right."""
    return lines_and_slope(boxes)[0]


def lines_and_slope(boxes: list[Box]) -> tuple[list[list[int]], float]:
    """:func:`find_lines`, and the slope (y per x) the lines share (:func:`common_slope`), which it
    finds them along: one pass for both (a decimal point's look turns a sloping line level)."""
    n = len(boxes)
    if n == 0:
        return [], 0.0
    cx = [b[0] + b[2] / 2 for b in boxes]
    cy = [b[1] + b[3] / 2 for b in boxes]
    hs = [max(b[3], 1) for b in boxes]
    height = sorted(hs)[n // 2]
    order = sorted(range(n), key=cx.__getitem__)
    slope = common_slope(cx, cy, height, order)
    prior = SLOPE_PRIOR * height * height
    lines: list[list[int]] = []
    fits: list[tuple[float, float, float, float, float]] = []  # per line: _fit's, last box's x and height
    for i in order:
        x, y, h = cx[i], cy[i], hs[i]
        best, best_cost = -1, LINE_TOLERANCE
        for k, (mx, my, b, last_x, last_h) in enumerate(fits):
            if max(h, last_h) > LINE_SIZES * min(h, last_h):
                continue
            cost = (abs(y - my - b * (x - mx)) + REACH_COST * (x - last_x)) * 2 / (h + last_h)
            if cost < best_cost:
                best, best_cost = k, cost
        if best < 0:
            best = len(lines)
            lines.append([])
            fits.append((x, y, slope, x, h))
        line = lines[best]
        line.append(i)
        fits[best] = (*_fit([cx[j] for j in line[-FIT_BOXES:]], [cy[j] for j in line[-FIT_BOXES:]], slope, prior), x, h)
    # Top to bottom by where each line crosses the left edge along the common slope.
    return sorted(lines, key=lambda line: sum(cy[j] - slope * cx[j] for j in line) / len(line)), slope


def common_slope(cx: list[float], cy: list[float], height: float, order: list[int] | None = None) -> float:
    """The slope dy/dx shared by the lines: the median over each box and its nearest neighbour to
    the right (0.5..3 heights away, no steeper than :data:`MAX_SLOPE`); 0 without such pairs.
    ``order``: the box indices sorted by ``cx``, when the caller has them."""
    if order is None:
        order = sorted(range(len(cx)), key=cx.__getitem__)
    near, far, margin = 0.5 * height, 3.0 * height, 0.1 * height
    slopes = []
    for n, i in enumerate(order):
        x, y = cx[i], cy[i]
        best, best_d2 = 0.0, math.inf
        for j in order[n + 1 :]:
            dx = cx[j] - x
            if dx > far or dx * dx >= best_d2:
                break
            dy = cy[j] - y
            if dx >= near and abs(dy) <= MAX_SLOPE * dx + margin and dx * dx + dy * dy < best_d2:
                best, best_d2 = dy / dx, dx * dx + dy * dy
        if best_d2 < math.inf:
            slopes.append(best)
    if not slopes:
        return 0.0
    slopes.sort()
    m = len(slopes)
    median = slopes[m // 2] if m % 2 else (slopes[m // 2 - 1] + slopes[m // 2]) / 2
    return min(max(median, -MAX_SLOPE), MAX_SLOPE)


def _fit(xs: list[float], ys: list[float], slope: float, prior: float) -> tuple[float, float, float]:
    """The least-squares line through centres (``xs``, ``ys``) as (mean x, mean y, slope), its slope
    pulled towards the common ``slope`` (a ridge prior worth ``prior`` of x-spread)."""
    k = len(xs)
    mx = sum(xs) / k
    my = sum(ys) / k
    sxx = sxy = 0.0
    for x, y in zip(xs, ys):
        dx = x - mx
        sxx += dx * dx
        sxy += dx * (y - my)
    return mx, my, (sxy + prior * slope) / (sxx + prior)


def number_gap(gaps: list[float]) -> float:
    """The gap, in digit heights, above which neighbours on a line belong to different numbers.

    ``gaps`` are the page's gaps between neighbours (:func:`line_gaps` of every line), pooled
    because one writer spaces all lines alike and a line of one number borrows the page's
    evidence. The threshold is the widest jump between consecutive sorted gaps, when the wider is
    at least :data:`NUMBER_GAP_JUMP` times the tighter, is itself wider than :data:`NUMBER_GAP`,
    and the break falls within :data:`NUMBER_GAP_RANGE`; :data:`NUMBER_GAP` otherwise. So a page
    of one evenly written number (one lone wider gap of 0.5 heights) stays one number, while a
    widely spacing writer's numbers (gaps 0.7 inside, 1.9 between) are still told apart. A jump
    that two gaps or more stand beyond goes before one that a single gap does (a digit missed).
    A tight hand's break (0.1 inside, 0.76 between), its geometric mean under the range, is put
    at the range's low end, unless a break in the range is backed by two gaps or more. When
    there is no break at a wide gap, numbers a single space apart are told apart by a clearer jump among
    the gaps under :data:`NUMBER_GAP` (:data:`NUMBER_SPACE_JUMP`), the break then at least the
    range's low end.
    """
    gaps = sorted(gaps)
    lo, hi = NUMBER_GAP_RANGE
    floor = 0.1  # gaps of touching or overlapping digits count as a tenth of a height
    best, best_ratio, found, backed = NUMBER_GAP, NUMBER_GAP_JUMP, False, False
    tight_ratio = None  # the jump of a tight hand's break: its geometric mean under the range
    for k, (a, b) in enumerate(zip(gaps, gaps[1:])):
        a, b = max(a, floor), max(b, floor)
        cut = math.sqrt(a * b)
        if b < NUMBER_GAP or b / a < NUMBER_GAP_JUMP or cut > hi:
            continue
        if cut >= lo:
            # The widest jump, but one that two gaps or more stand beyond before one that a single
            # gap does: a digit missed leaves one gap of 1.8 beside the single spaces of 0.75,
            # and set the break over them.
            backing = len(gaps) - k - 1 >= 2
            if not found or (backing, b / a) >= (backed, best_ratio):
                best, best_ratio, found, backed = cut, b / a, True, backing
        elif tight_ratio is None or b / a >= tight_ratio:
            tight_ratio = b / a
    # A tight hand's break (0.1 inside, 0.76 between) is put at the range's low end, between them
    # still, unless a break in the range is backed by two gaps or more: a line's double space (one
    # gap of 1.5) set the break over every other line's single spaces, while a hand spacing its
    # numbers 1.8 apart keeps its odd 0.7 inside a number.
    if tight_ratio is not None and (not found or (not backed and tight_ratio > best_ratio)):
        return lo
    if found:
        return best
    # No break at a wide gap: numbers a single space apart, if two spaces at least say so, each
    # clearly wider than the gaps inside numbers are as a rule (their median: a loose hand's
    # widest gap inside a number is no measure of them).
    for k, (a, b) in enumerate(zip(gaps, gaps[1:])):
        a, b = max(a, floor), max(b, floor)
        cut = max(math.sqrt(a * b), lo)
        inside = max(gaps[(k + 1) // 2], floor)  # the (upper) median of the gaps up to a
        if b < NUMBER_GAP and cut < b and b / a >= best_ratio and b / inside >= NUMBER_SPACE_JUMP:
            if len(gaps) - k - 1 >= 2:
                best, best_ratio = cut, b / a
    return best


def line_gaps(boxes: list[Box], line: list[int], slant: float = 0.0) -> list[float]:
    """The gaps between neighbours of a line (indices, left to right), in the line's median digit
    height, measured along the writing's ``slant`` (x per y, :func:`writing_slant`): a leaning
    digit's upright box is wider than its ink by up to the lean over its height
    (:data:`SLANT_WIDENING` of it is taken), so the boxes of a slanted hand's neighbours close up
    (overlap, even) although the digits stand apart."""
    if len(line) < 2:
        return []
    height = max(sorted(boxes[i][3] for i in line)[len(line) // 2], 1)
    if not slant or not math.isfinite(slant):
        return [(boxes[j][0] - boxes[i][0] - boxes[i][2]) / height for i, j in zip(line, line[1:])]
    # Along the lean: x - slant * y. A box's side stands up to |slant| * h / 2 beyond its ink's
    # at the ink's middle row (SLANT_WIDENING of that), and two neighbours' middle rows are
    # apart when the line slopes.
    lean = SLANT_WIDENING * abs(slant) / 2
    gaps = []
    for i, j in zip(line, line[1:]):
        (xi, yi, wi, hi), (xj, yj, _, hj) = boxes[i], boxes[j]
        rise = yj + hj / 2 - yi - hi / 2
        gaps.append((xj - xi - wi + lean * (hi + hj) - slant * rise) / height)
    return gaps


def writing_slant(leans) -> float:
    """The lean of a hand, x per y (y down), from its digits' own ``leans`` (see
    :func:`~livedigits.mnist.leans`): their median when at least :data:`SLANT_AGREE` of them lean
    that way by :data:`SLANT_MIN` or more; 0 when they do not agree or are fewer than
    :data:`SLANT_DIGITS` (a writing not known to lean is measured upright)."""
    n = len(leans)
    if n < SLANT_DIGITS:
        return 0.0
    ordered = sorted(float(v) for v in leans)
    median = 0.5 * (ordered[(n - 1) // 2] + ordered[n // 2])
    way = 1.0 if median >= 0 else -1.0
    agree = sum(1 for v in ordered if way * v >= SLANT_MIN)
    return median if agree >= SLANT_AGREE * n else 0.0


def split_numbers(line: list[int], gaps: list[float], threshold: float = NUMBER_GAP) -> list[list[int]]:
    """Split one line (indices, left to right) into numbers at its ``gaps`` (:func:`line_gaps`)
    wider than ``threshold``."""
    numbers = [[line[0]]] if line else []
    for i, g in zip(line[1:], gaps):
        if g <= threshold:
            numbers[-1].append(i)
        else:
            numbers.append([i])
    return numbers


def arrange(
    digits: list[Digit],
    points: list[Point] | None = None,
    lines: list[list[int]] | None = None,
    slant: float | None = None,
    walls: list[Box] | None = None,
) -> Reading:
    """Digits in reading order with their ``line`` set, the lines, and the numbers; a decimal
    point or comma of ``points`` (:func:`~livedigits.points.find_points`) between two digits of a
    line joins them into one number, and is in its text ("12.50", "3,50"). ``lines``: the
    digits' :func:`find_lines`, when the caller has them; ``slant``: the writing's lean, x per y
    (:attr:`~livedigits.records.Reading.slant`; None: not known, measured upright), along which
    the gaps are measured; ``walls``: a table's or a comb field's upright lines between digits
    (:func:`~livedigits.walls.find_walls`), which part numbers, or join a comb's."""
    boxes = [d.box for d in digits]
    lines = find_lines(boxes) if lines is None else lines
    after = points_after(boxes, lines, points) if points else {}
    numbers = group_numbers(boxes, lines, slant or 0.0)
    if walls:
        numbers = parted_by_walls(boxes, numbers, walls_after(boxes, lines, walls))
    reading = assemble(digits, joined_at(numbers, after), after)
    reading.points = list(points or [])
    reading.walls = list(walls or [])
    reading.slant = slant
    return reading


def group_numbers(boxes: list[Box], lines: list[list[int]], slant: float = 0.0) -> list[list[list[int]]]:
    """For each line (as :func:`find_lines` gives them), its numbers: runs of box indices, left to
    right, parted where the gap along the writing's ``slant`` (:func:`line_gaps`) is wide."""
    gaps = [line_gaps(boxes, line, slant) for line in lines]
    threshold = number_gap([g for line in gaps for g in line])
    return [split_numbers(line, line_gap, threshold) for line, line_gap in zip(lines, gaps)]


def joined_at(numbers: list[list[list[int]]], after) -> list[list[list[int]]]:
    """``numbers`` (per line, runs of indices, as :func:`group_numbers` gives them) with each
    number ending at an index in ``after`` (a decimal point or comma follows it) joined to the
    next of its line: the point's gap never parts two numbers."""
    if not after:
        return numbers
    joined = []
    for line in numbers:
        out: list[list[int]] = []
        for g in line:
            if out and out[-1][-1] in after:
                out[-1] = out[-1] + g
            else:
                out.append(list(g))
        joined.append(out)
    return joined


_DIGITS = "0123456789"


def assemble(digits: list[Digit], numbers: list[list[list[int]]], after: dict[int, str] | None = None) -> Reading:
    """The :class:`Reading` of ``digits`` grouped into lines of numbers: for each line, top to
    bottom, its numbers as index lists into ``digits`` (as :func:`group_numbers` gives them); a
    number's text has the mark in ``after`` ("." or ",") after each of its digits (but its last)
    there.

    A digit already carrying its line index is reused as it is (the tracker builds its digits
    with their lines, so nothing is built twice).
    """
    ordered: list[Digit] = []
    new_lines: list[list[int]] = []
    out: list[Number] = []
    for k, groups in enumerate(numbers):
        start = len(ordered)
        for group in groups:
            first = len(ordered)
            x0 = y0 = math.inf
            x1 = y1 = -math.inf
            text = []
            confidence = math.inf
            track_id = None
            for i in group:  # one pass: the digit with its line, and the number's text, box and confidence
                d = digits[i]
                ordered.append(d if d.line == k else Digit(d.box, d.digit, d.confidence, k, d.track_id, d.probs))
                x, y, w, h = d.box
                # Comparisons, not min()/max() calls: this runs for every digit of every frame.
                if x < x0:
                    x0 = x
                if y < y0:
                    y0 = y
                if x + w > x1:
                    x1 = x + w
                if y + h > y1:
                    y1 = y + h
                text.append(_DIGITS[d.digit] if 0 <= d.digit <= 9 else str(d.digit))
                if after and i in after and i != group[-1]:
                    text.append(after[i])
                if d.confidence < confidence:
                    confidence = d.confidence
                if d.track_id is not None and (track_id is None or d.track_id < track_id):
                    track_id = d.track_id
            box = (x0, y0, x1 - x0, y1 - y0)
            out.append(fast_number("".join(text), box, confidence, k, tuple(range(first, len(ordered))), track_id))
        new_lines.append(list(range(start, len(ordered))))
    return Reading(ordered, new_lines, out)
