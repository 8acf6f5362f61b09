"""Is the page on its side? A hint for a photo or a video whose orientation tag was lost.

A phone records sideways and tags the file to be turned; a copy that drops the tag (an editor, a
messenger, a screen recording) is read sideways, and digits on their side read as confident
nonsense ("0", "00", "18" at 0.83-1.0). Read turned a quarter either way, an upright page reads
about a third to a half as many digits as it does upright; so a frame that reads clearly more
turned than as it is was turned. Only a hint is given (``--rotate``): a page of few digits, or
digits that read alike either way (0, 1, 8), does not tell, and the frames are never turned
unasked.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from livedigits.records import Reading

TURN_GAIN = 1.5
TURN_MORE = 5
"""A turn is hinted when the frame turned reads at least ``TURN_GAIN`` times as many digits as it
does as it is, at least ``TURN_MORE`` more, and as confidently on average. Upright frames of the
benchmark's families (288 at 640x480 and 1280x720, tuning and check seeds) read at most 1.15
times as many turned (a ruled page, whose rulings then cross the digits): none is hinted; of the
same frames laid on their side, 80% are."""
SURE_ENOUGH = 0.985
UNSURE_MARKS = 3
"""An image is looked at turned (two more readings of it) when its digits read less confident than
``SURE_ENOUGH`` on average (upright pages read 0.99, sideways ones mostly 0.93-0.97), or when none
is read but ``UNSURE_MARKS`` marks or more are read under the confidence bar. A photo of a few
sure digits (a meter, a crop) is not: a page on its side reads a third of its digits or more,
unsure."""

_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def worth_asking(reading: Reading) -> bool:
    """Whether an image's ``reading`` leaves its orientation in doubt (see :data:`SURE_ENOUGH`)."""
    digits = reading.digits
    if not digits:
        return reading.unsure >= UNSURE_MARKS
    return float(np.mean([d.confidence for d in digits])) < SURE_ENOUGH


def better_turn(read: Callable[[np.ndarray], Reading], image: np.ndarray, reading: Reading) -> tuple[int, int] | None:
    """(degrees clockwise, as ``--rotate`` takes them; the digits read so) of the quarter turn
    under which ``image`` (as ``read`` reads it) reads clearly more digits than its ``reading`` as
    it is (see :data:`TURN_GAIN`), or None."""
    count, confidence = _tally(reading)
    best = None
    for degrees, code in _TURNS.items():
        turned, turned_confidence = _tally(read(cv2.rotate(image, code)))
        if turned >= TURN_GAIN * count and turned >= count + TURN_MORE and turned_confidence >= confidence:
            if best is None or turned > best[1]:
                best = (degrees, turned)
    return best


def hint(name: str, turn: tuple[int, int], count: int) -> str:
    """The line that says so."""
    degrees, turned = turn
    return (
        f"{name} may lie on its side: turned {degrees} degrees clockwise it reads {turned} digits, "
        f"as it is {count} (--rotate {degrees})"
    )


def _tally(reading: Reading) -> tuple[int, float]:
    digits = reading.digits
    return len(digits), float(np.mean([d.confidence for d in digits])) if digits else 0.0
