"""Lines and whole numbers from recognised digits: reading order, ``line`` indices, numbers.

Pure functions over :class:`~livedigits.records.Digit` lists; plain Python, since a frame holds
tens of digits, not thousands.
"""

from __future__ import annotations

from dataclasses import replace

from livedigits.records import Digit, Number, Reading, union_box

NUMBER_GAP = 0.6
"""Digits of one number sit closer than this times their height; a wider gap starts a new number."""


def find_lines(boxes: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """Indices of ``boxes`` grouped into lines, top to bottom, each left to right.

    A box starts a new line when its centre is more than half the median height below the
    centre of the line's first box.
    """
    if not boxes:
        return []
    heights = sorted(b[3] for b in boxes)
    half_median = heights[len(heights) // 2] / 2
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1] + boxes[i][3] / 2)
    lines: list[list[int]] = []
    line_y = None
    for i in order:
        centre = boxes[i][1] + boxes[i][3] / 2
        if line_y is None or centre - line_y > half_median:
            lines.append([])
            line_y = centre
        lines[-1].append(i)
    return [sorted(line, key=lambda j: boxes[j][0]) for line in lines]


def split_numbers(boxes: list[tuple[int, int, int, int]], line: list[int]) -> list[list[int]]:
    """Split one line (indices, left to right) into numbers at gaps wider than NUMBER_GAP x height."""
    numbers: list[list[int]] = []
    for i in line:
        if numbers:
            prev = boxes[numbers[-1][-1]]
            gap = boxes[i][0] - (prev[0] + prev[2])
            if gap <= NUMBER_GAP * max(prev[3], boxes[i][3]):
                numbers[-1].append(i)
                continue
        numbers.append([i])
    return numbers


def arrange(digits: list[Digit]) -> Reading:
    """Digits in reading order with their ``line`` set, the lines, and the numbers."""
    boxes = [d.box for d in digits]
    lines = find_lines(boxes)
    ordered: list[Digit] = []
    new_lines: list[list[int]] = []
    numbers: list[Number] = []
    for k, line in enumerate(lines):
        start = len(ordered)
        ordered.extend(replace(digits[i], line=k) for i in line)
        new_lines.append(list(range(start, len(ordered))))
        pos = {i: start + n for n, i in enumerate(line)}
        for group in split_numbers(boxes, line):
            members = tuple(pos[i] for i in group)
            numbers.append(
                Number(
                    text="".join(str(ordered[m].digit) for m in members),
                    box=union_box([ordered[m].box for m in members]),
                    confidence=min(ordered[m].confidence for m in members),
                    line=k,
                    digits=members,
                )
            )
    return Reading(ordered, new_lines, numbers)
