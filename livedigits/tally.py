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
    """Collects each frame's tracked numbers; :meth:`steady` tells them once each."""

    def __init__(self):
        self._seen: dict[int, SeenNumber] = {}

    def add(self, index: int, reading: Reading) -> None:
        """Frame ``index``'s ``reading`` (untracked numbers, with no id, are passed over)."""
        for number in reading.numbers:
            if number.track_id is None:
                continue
            seen = self._seen.get(number.track_id)
            if seen is None:
                seen = self._seen[number.track_id] = SeenNumber(number.track_id, index, index)
            seen.texts[number.text] += 1
            seen.last = index

    def steady(self, min_frames: int = STEADY_FRAMES) -> list[SeenNumber]:
        """The numbers seen in at least ``min_frames`` frames, in the order they were first seen
        (within a frame, reading order). A number that reads as one told before, first seen after
        that one was last seen, is that number again under a new id (its digits lost for longer
        than the tracker waits: a long blur, the sheet out of view and back): it is told once,
        with both ids' frames. Two numbers alike in view at once are two."""
        told: list[SeenNumber] = []
        for seen in self._seen.values():
            if seen.frames < min_frames:
                continue
            text = seen.text
            again = next((k for k, t in enumerate(told) if t.text == text and t.last < seen.first), None)
            if again is None:
                told.append(seen)
            else:
                before = told[again]
                told[again] = SeenNumber(before.id, before.first, seen.last, before.texts + seen.texts)
        return told
