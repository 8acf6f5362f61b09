"""The detector's record of a region believed to hold a digit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Candidate:
    """A region believed to hold a digit: its box in frame pixels and its ink mask (uint8 0/255;
    the box's size, but for a digit of wide strokes found in the frame shrunk: see ``covers``).

    A region wider than one digit usually is (``max_aspect``) may be one wide digit or several
    touching ones: ``parts`` then holds the split (``alternatives`` other splits), and the
    recogniser reads it every way and keeps the more confident reading. ``whole`` is False when
    the region is too wide to be one digit.
    """

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray
    parts: list[Candidate] = field(default_factory=list)
    whole: bool = True
    alternatives: list[list[Candidate]] = field(default_factory=list)
    """Other ways to split a wide candidate than ``parts`` (along the writing's slant): the
    recogniser reads each and keeps the one that reads best (:func:`~livedigits.cuts.split_options`)."""
    lattice: list[tuple[int, int, Candidate]] = field(default_factory=list)
    """Pieces of a wide candidate between two of its cut columns (``(first cut, last cut,
    piece)``, cuts numbered left to right), on a path of as many digits as its width holds or of
    one more: the recogniser reads each and finds the best path of pieces from its left end to
    its right (:func:`~livedigits.cuts.cut_lattice`, :func:`~livedigits.cuts.path_counts`)."""
    fine: np.ndarray | None = None
    """What the classifier reads instead of ``mask`` (uint8, the ink's darkness): a small
    candidate's ink drawn again from the gray at ``fine_scale`` times its size (:func:`_fine_ink`),
    or any other's darkness under its mask (:func:`_darkness`). None: ``mask`` is read."""
    covers: list[Candidate] = field(default_factory=list)
    """The candidates found at full size inside a digit of wide strokes found in the frame shrunk
    (:func:`~livedigits.detect._wide_strokes`; its ``mask`` is at that smaller size): pieces of its
    strokes, or the digit itself. The recogniser reports either it or what they read, not both."""

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.w, self.h

    @property
    def readings(self) -> list[Candidate]:
        """Every region of it that is read: itself when it may be one digit (``whole``), the parts
        of each way it is split, and its lattice's pieces."""
        own = [self] if self.whole else []
        return own + self.parts + [p for pieces in self.alternatives for p in pieces] + [p for _, _, p in self.lattice]

    @property
    def ink(self) -> np.ndarray:
        """What the classifier reads: ``fine`` when there is one, else ``mask``."""
        return self.mask if self.fine is None else self.fine
