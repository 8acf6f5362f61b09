"""What a video read: each tracked number once, as it read in most of its frames.

A video's JSON has every frame's numbers; a person who filmed a meter or a score sheet wants the
numbers themselves. Each tracked number keeps an id (:attr:`~livedigits.records.Number.track_id`)
while its digits are in view; its reading is the text it read as in most of the frames it was
seen in, and one seen in only a few frames (a false reading that lived a moment, a number crossing
the frame's edge) is left out.

::

    tally = NumberTally()
    for index, reading in enumerate(readings):
        tally.add(index, reading)
    print(" ".join(n.text for n in tally.steady()))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from livedigits.records import Reading

STEADY_FRAMES = 5
"""Frames a number must be seen in to be told (a sixth of a second at 30 fps): a misreading that
the tracker showed for a frame or two is not a number of the page."""


@dataclass
class SeenNumber:
    """One tracked number over a video: its id, the first and last frame it was seen in, and how
    often it read as each text."""

    id: int
    first: int
    last: int
    texts: Counter = field(default_factory=Counter)

    @property
    def text(self) -> str:
        """The text it read as in most frames (the first so read, on a tie)."""
        return self.texts.most_common(1)[0][0]

    @property
    def frames(self) -> int:
        return sum(self.texts.values())


class NumberTally:
    """Collects each frame's tracked numbers; :meth:`steady` tells them once each.

    A number is followed by its digits' track ids, not by its own id: the digit whose id it
    carries may be lost and found again under a new id while the rest of the number stays in
    view (a "93" read "3" for a while, then "93" again), and it is still the same number. A frame
    whose grouping joins two numbers counts its text for the one seen first; neither takes the
    other's digits.
    """

    def __init__(self):
        self._seen: dict[int, SeenNumber] = {}  # by key, in the order first seen
        self._owner: dict[int, int] = {}  # digit track id -> the key of the number it was first seen in

    def add(self, index: int, reading: Reading) -> None:
        """Frame ``index``'s ``reading`` (untracked numbers, with no id, are passed over)."""
        for number in reading.numbers:
            if number.track_id is None:
                continue
            ids = [reading.digits[k].track_id for k in number.digits]
            ids = [i for i in ids if i is not None] or [number.track_id]
            keys = [self._owner[i] for i in ids if i in self._owner]
            key = min(keys) if keys else len(self._seen)
            seen = self._seen.get(key)
            if seen is None:
                seen = self._seen[key] = SeenNumber(number.track_id, index, index)
            for i in ids:
                self._owner.setdefault(i, key)
            seen.texts[number.text] += 1
            seen.last = index

    def steady(self, min_frames: int = STEADY_FRAMES) -> list[SeenNumber]:
        """The numbers seen in at least ``min_frames`` frames, in the order they were first seen
        (within a frame, reading order). One whose digits were all lost and found again under
        new ids (a long blur, the sheet out of view and back) is told again: by its text alone it
        cannot be told from another number alike further down the page."""
        return [s for s in self._seen.values() if s.frames >= min_frames]
