"""A page on its side (its orientation tag lost) is hinted at, an upright one never."""

import numpy as np
import pytest

from livedigits.orientation import better_turn, hint, worth_asking
from livedigits.records import Digit, Reading


def reading_of(count, confidence=0.99):
    return Reading([Digit((10 * k, 10, 8, 12), k % 10, confidence) for k in range(count)])


def reads(counts):
    """A read function: the number of digits each way the image is turned (told by its shape)."""

    def read(image):
        return reading_of(counts[image.shape[:2]])

    return read


IMAGE = np.zeros((40, 60, 3), np.uint8)  # as it is 40x60; turned either way 60x40


@pytest.mark.parametrize(
    "as_is, turned, expected",
    [
        (9, 45, (90, 45)),  # a sideways page: far more read turned
        (0, 6, (90, 6)),  # nothing read as it is, a few turned
        (17, 8, None),  # an upright page: fewer read turned
        (20, 23, None),  # a ruled page read a little more turned: not clearly
        (2, 6, None),  # three times as many but only 4 more: too few to tell
    ],
)
def test_a_turn_is_hinted_only_when_it_reads_clearly_more(as_is, turned, expected):
    counts = {(40, 60): as_is, (60, 40): turned}
    # (both quarter turns read alike here: the first, 90 degrees clockwise, is named)
    assert better_turn(reads(counts), IMAGE, reading_of(as_is)) == expected


def test_a_turn_read_less_confidently_is_not_hinted():
    def read(image):
        return reading_of(30, confidence=0.9)

    assert better_turn(read, IMAGE, reading_of(10, confidence=0.99)) is None


def test_only_an_image_in_doubt_is_read_turned():
    assert not worth_asking(reading_of(12, confidence=0.998))
    assert worth_asking(reading_of(12, confidence=0.95))
    assert not worth_asking(reading_of(2, confidence=1.0))  # a meter's few sure digits
    assert worth_asking(reading_of(2, confidence=0.9))
    nothing_sure = reading_of(0)
    assert not worth_asking(nothing_sure)
    nothing_sure.unsure = 4  # marks read under the confidence bar
    assert worth_asking(nothing_sure)


def test_the_hint_names_the_option():
    assert hint("a.jpg", (270, 30), 4).endswith("it reads 30 digits, as it is 4 (--rotate 270)")
