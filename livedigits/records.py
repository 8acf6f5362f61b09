"""The records every part of the pipeline produces and consumes.

A :class:`Digit` comes out of the recogniser (box, digit, confidence, class probabilities); the
layout step gives it a ``line``, the tracker a ``track_id`` and smoothed reading. A
:class:`Number` is a run of digits on one line. A :class:`Reading` is everything one frame gave.
Overlay, JSON Lines and tests read these and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

ANNOTATED_SUFFIX = ".annotated.png"
"""How an annotated image's file name ends (``<stem>.annotated.png``): the image sink names its
outputs so, and a directory or a glob of inputs leaves them out (an output directory that is the
input directory was read again, annotated images and all, by the next run)."""
DEFAULT_MIN_CONFIDENCE = 0.8
"""Softmax probability below which a reading is not reported: rejects most non-digit shapes."""

Box = tuple[int, int, int, int]
"""(x, y, w, h) in pixels of the input frame, x,y top-left."""


@dataclass(frozen=True)
class Digit:
    """One recognised digit."""

    box: Box
    digit: int
    confidence: float
    line: int | None = None
    """Index of its line in the frame, 0 at the top; None before layout."""
    track_id: int | None = None
    """Stays with the same physical digit while it is in view (video and camera); None otherwise."""
    probs: np.ndarray | None = field(default=None, compare=False, repr=False)
    """float32 [10] class probabilities behind ``digit`` and ``confidence`` (None when unknown)."""

    def to_dict(self) -> dict:
        out = {"digit": self.digit, "confidence": round(self.confidence, 4), "box": list(self.box)}
        if self.line is not None:
            out["line"] = self.line
        if self.track_id is not None:
            out["id"] = self.track_id
        return out


def fast_digit(
    box: Box, digit: int, confidence: float, line: int | None, track_id: int | None, probs: np.ndarray | None
) -> Digit:
    """``Digit(box, digit, confidence, line, track_id, probs)`` built without the frozen
    dataclass's per-field guard (a third of the time): for the tracker, which builds every
    digit of every frame. The result is an ordinary, equal and equally immutable Digit."""
    d = _new(Digit)
    d.__dict__.update(box=box, digit=digit, confidence=confidence, line=line, track_id=track_id, probs=probs)
    return d


def fast_number(
    text: str, box: Box, confidence: float, line: int, digits: tuple[int, ...], track_id: int | None = None
) -> Number:
    """``Number(text, box, confidence, line, digits, track_id)`` built as :func:`fast_digit` builds
    a Digit: for :func:`~livedigits.layout.assemble`, which builds every number of every frame."""
    n = _new(Number)
    n.__dict__.update(text=text, box=box, confidence=confidence, line=line, digits=digits, track_id=track_id)
    return n


_new = object.__new__


class Point(NamedTuple):
    """A decimal separator seen between two digits: its box, and its mark ("." or ",")."""

    box: Box
    mark: str = "."


@dataclass(frozen=True)
class Number:
    """Digits of one line read together: "4159", or "12.50" and "3,50" with a decimal point or
    comma written between two of them (so ``text`` may be longer than ``digits``). ``box`` is the union of its
    digits' boxes, ``confidence`` the lowest of theirs, ``digits`` their indices in
    :attr:`Reading.digits`."""

    text: str
    box: Box
    confidence: float
    line: int
    digits: tuple[int, ...]
    track_id: int | None = None
    """In a tracked video: the lowest track id of its digits, so the number keeps it while its
    first-seen digit is in view (a digit read later joins it without changing it); None otherwise."""

    def to_dict(self) -> dict:
        out = {"text": self.text, "box": list(self.box), "confidence": round(self.confidence, 4), "line": self.line}
        if self.track_id is not None:
            out["id"] = self.track_id
        return out


@dataclass
class Reading:
    """What one frame reads: digits in reading order, the lines (index lists into ``digits``,
    top to bottom) and the numbers in reading order."""

    digits: list[Digit] = field(default_factory=list)
    lines: list[list[int]] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    """The decimal points and commas seen between digits, in the numbers' text already: kept for
    the tracker, which places them between its own boxes."""
    walls: list[Box] = field(default_factory=list)
    """The upright lines of a table or a comb field seen between digits (boxes), which part (or,
    a comb's, join) the numbers already: kept for the tracker, which places them between its own
    boxes (:mod:`~livedigits.walls`)."""
    slant: float | None = None
    """How far the writing leans, x per y (y down; a hand leaning right is negative), along which
    the gaps between digits are measured when they are grouped into numbers: the median lean of
    its digits' ink when they agree on one, 0 when they do not, None when too few digits were read
    to tell (:func:`~livedigits.layout.writing_slant`). From the tracker: its running average
    over the frames."""
    unsure: int = 0
    """Marks read as digits but under the confidence bar, so not in ``digits`` (printed words'
    letters not counted): what ``--min-confidence`` would let in. 0 from the tracker."""


def overlaps(a: Box, b: Box) -> bool:
    """True when two (x, y, w, h) rectangles share any pixel (touching edges do not)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def union_box(boxes: list[Box]) -> Box:
    """The smallest box holding all of ``boxes`` (at least one)."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


@dataclass
class Frame:
    """One frame as a source yields it."""

    image: np.ndarray
    """HxWx3 uint8 BGR."""
    index: int
    """0-based position in its source (for a list of images: the image's position)."""
    source: str
    """The name of what it came from: a video path, "camera 0", a URL, or this image's path."""
    time_s: float | None = None
    """Media time in seconds: the video position, seconds since a live source started; None for images."""
