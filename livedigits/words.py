"""Printed words and bars are not numbers: letters the model takes for digits ("o" for 0, "l" for
1), and the bars of a barcode, each a perfect 1.

A form's printed labels ("Total", "Qty", "Name") sit beside the boxes the numbers are written in.
Read letter by letter, some of their letters look like digits and are read as such, confidently;
the others are read as what they are, non-digits, with a low top probability (the model is
trained to give letters a flat answer). Letters of a word sit close together, in a row, and of a
size; so a row of close candidates of which several are plainly not digits is a word, and none
of it is reported. A handwritten number with one badly written digit is not a word: it takes at
least :data:`MIN_LETTERS` non-digits, and :data:`LETTER_SHARE` of the row.

A barcode on a label is a row of dozens of straight bars of one height, close together; read one
by one they are 1s, confidently. Nobody writes :data:`BAR_RUN` ones in a row that close.
"""

from __future__ import annotations

import numpy as np

WORD_GAP = 0.3
"""Letters of a printed word sit closer than this times their height (the digits of a handwritten
number often do too, so closeness alone decides nothing)."""
LETTER_CONFIDENCE = 0.35
"""A candidate whose top class probability is under this is plainly not a digit: a letter gets a
flat answer, while a true digit, even a badly written one, rarely falls this low."""
MIN_LETTERS = 2
LETTER_SHARE = 0.4
"""A row of close candidates is a word when at least ``MIN_LETTERS`` of them, and this share, are
plainly not digits."""
WORD_SIZE = 1.3
"""A word's members are at most this times as tall as its tallest plain non-digit (a capital
beside the x-height letters is ~1.4x as tall as an "o", and is itself often the non-digit)."""
MIN_WORD_HEIGHT = 0.02
"""Rows shorter than this share of the frame height are not judged: on a page of tiny digits a
low confidence is as often blur as a letter. (At 3%, a form's labels printed small, seen whole,
went unjudged; tiny digits now read from their gray at 3x are confident enough not to look like
letters at 2%: tuning and check frames' tiny digits unchanged, forms 0.85 -> 0.87.)"""


BAR_RUN = 8
BAR_GAP = 0.5
"""A row of at least ``BAR_RUN`` readings of 1, each within this many of its height of the next,
is a barcode's bars (a handwritten "1111" is four)."""


def in_bars(boxes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """bool [N]: which of the readings (``boxes`` [N, 4] x, y, w, h; ``labels`` [N] digits) are
    bars of a barcode: 1s in a row of :data:`BAR_RUN` or more, close together."""
    out = np.zeros(len(boxes), bool)
    ones = np.flatnonzero(labels == 1)
    if len(ones) < BAR_RUN:
        return out
    x, y, w, h = (boxes[ones, k].astype(np.float64) for k in range(4))
    roots = _rows(_in_a_row(x, y, w, h, BAR_GAP))
    out[ones[np.bincount(roots, minlength=len(ones))[roots] >= BAR_RUN]] = True
    return out


def in_words(boxes: np.ndarray, confidences: np.ndarray, frame_height: int) -> np.ndarray:
    """bool [N]: which of the candidates (``boxes`` int [N, 4] x, y, w, h; ``confidences`` [N],
    each one's top class probability) belong to a printed word rather than a number."""
    return word_rows(boxes, confidences, frame_height) >= 0


def word_rows(boxes: np.ndarray, confidences: np.ndarray, frame_height: int) -> np.ndarray:
    """int [N]: for each of the candidates (as :func:`in_words` takes them), the word it belongs
    to (the same number for the members of one word), or -1 when it belongs to none."""
    n = len(boxes)
    out = np.full(n, -1, np.int64)
    # A row of that height has no member under half of it (neighbours are of a size, within 2x).
    tall = np.nonzero(boxes[:, 3] >= 0.5 * MIN_WORD_HEIGHT * frame_height)[0] if n else np.zeros(0, np.int64)
    if len(tall) < MIN_LETTERS:
        return out
    x, y, w, h = (boxes[tall, k].astype(np.float64) for k in range(4))
    # Neighbours in a row, and of a size (within 2x).
    ratio = h[:, None] / h[None, :]
    roots = _rows(_in_a_row(x, y, w, h, WORD_GAP) & (ratio >= 0.5) & (ratio <= 2.0))
    letter = confidences[tall] < LETTER_CONFIDENCE
    # Only the rows with enough plain non-digits are looked at further (most rows have none).
    count = np.bincount(roots, minlength=len(tall))
    letters = np.bincount(roots, weights=letter, minlength=len(tall))
    for r in np.nonzero((letters >= MIN_LETTERS) & (letters >= LETTER_SHARE * count))[0]:
        members = roots == r
        if np.median(h[members]) < MIN_WORD_HEIGHT * frame_height:
            continue
        # Only what is of the letters' size: a number written right after a label is written
        # larger than the label is printed, and stays.
        size = h <= WORD_SIZE * h[members & letter].max()
        out[tall[members & size]] = r
    return out


def _in_a_row(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, gap_share: float) -> np.ndarray:
    """bool [N, N]: which boxes (float [N] x, y, w, h each) are neighbours in a row: overlapping
    vertically by half the shorter, at most ``gap_share`` of the taller's height apart."""
    overlap = np.minimum(y[:, None] + h[:, None], y + h) - np.maximum(y[:, None], y)
    gap = np.maximum(x[:, None], x) - np.minimum(x[:, None] + w[:, None], x + w)
    return (overlap >= 0.5 * np.minimum(h[:, None], h)) & (gap <= gap_share * np.maximum(h[:, None], h))


def _rows(near: np.ndarray) -> np.ndarray:
    """int [N]: for each of N marks, its row's root: rows are the connected groups of ``near``
    (bool [N, N], symmetric) neighbours, by union-find over the neighbouring pairs."""
    parent = np.arange(len(near))
    for i, j in zip(*np.nonzero(np.triu(near, 1))):
        a, b = _root(parent, i), _root(parent, j)
        if a != b:
            parent[a] = b
    return np.array([_root(parent, i) for i in range(len(near))], np.int64)


def _root(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return int(i)
