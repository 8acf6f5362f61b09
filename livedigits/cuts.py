"""Touching digits: how a candidate too wide for one digit is cut into digits.

A wide mark may be one wide digit or several touching ones: it is cut into as many as its width
holds (upright, and along the writing's slant when it leans: :func:`split_options`), and offered
as a lattice of pieces between its ink's narrowest columns (:func:`cut_lattice`), of which the
recogniser reads every one and keeps the path whose least sure digit is surest. Pure functions on
a :class:`~livedigits.candidate.Candidate`'s mask.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.candidate import Candidate

SPLIT_WIDTH = 0.8
"""Touching digits are cut into as many as their width holds at this many of their height each
(handwritten digits are ~0.5-0.9 as wide as tall): :func:`split_options`."""
SPLIT_MIN_SLANT = 0.1
SPLIT_MAX_SLANT = 0.6
"""Touching digits whose ink leans by at least ``SPLIT_MIN_SLANT`` (x per y, ~6 degrees) are also
cut along the lean, at most ``SPLIT_MAX_SLANT`` (~31 degrees). Touching numbers of MNIST digits
leaning -6 to 24 degrees, overlapping by 10-35% (made for this, 60 frames of 348 digits, and 60
more of 349 unseen): F1 0.527 -> 0.597 and 0.459 -> 0.563; tuning and check scenes within 0.002
(boxes -0.002: a printed label's pieces read otherwise). Also cutting into one digit fewer and
one more along the lean (a6a3f93: 0.630 and 0.594 there) split the check videos' printed form
labels into confident pieces (false digits a frame with tracking 1.0 -> 5.6 on one, flicker
0.8% -> 4.3% on another): taken out."""


def _tight(x: int, y: int, mask: np.ndarray) -> Candidate | None:
    bx, by, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return None
    return Candidate(x + bx, y + by, bw, bh, mask[by : by + bh, bx : bx + bw])


def split_touching(candidate: Candidate, max_aspect: float) -> list[Candidate]:
    """Split a component wider than ``max_aspect`` x its height into digits at projection minima
    (the first of :func:`split_options`)."""
    return split_options(candidate, max_aspect)[0]


def split_options(candidate: Candidate, max_aspect: float) -> list[list[Candidate]]:
    """Ways to split a component wider than ``max_aspect`` x its height into touching digits: cut
    upright, and along the writing's slant (its ink's second moments) when it leans: a slanted
    hand's touching digits overlap in every upright column. Each way cuts into as many digits as
    its width holds at :data:`SPLIT_WIDTH` of the height each, at the column of least ink near
    each share of the width. ``[[candidate]]`` when it is not that wide."""
    c = candidate
    if c.w <= max_aspect * c.h:
        return [[c]]
    ys, xs = np.nonzero(c.mask)
    if len(xs) < 2:
        return [[c]]
    slant = _lean(ys, xs)
    options = [_split_along(c, ys, xs, 0.0)]
    if slant:
        options.append(_split_along(c, ys, xs, slant))
    return options


def _lean(ys: np.ndarray, xs: np.ndarray) -> float:
    """How far ink pixels (``ys``, ``xs``) lean, x per y, by their second moments: at most
    :data:`SPLIT_MAX_SLANT` either way, and 0 under :data:`SPLIT_MIN_SLANT`."""
    cy = float(ys.mean())
    spread = float(((ys - cy) ** 2).mean())
    slant = float(((xs - xs.mean()) * (ys - cy)).mean()) / spread if spread > 0 else 0.0
    return min(max(slant, -SPLIT_MAX_SLANT), SPLIT_MAX_SLANT) if abs(slant) >= SPLIT_MIN_SLANT else 0.0


def _columns(ys: np.ndarray, xs: np.ndarray, slant: float) -> tuple[np.ndarray, int]:
    """Each ink pixel's column with the ``slant`` taken out (int, 0 at the leftmost), and how many
    columns there are."""
    upright = xs - slant * (ys - float(ys.mean()))
    column = np.floor(upright - upright.min()).astype(np.int64)
    return column, int(column.max()) + 1


def _split_along(c: Candidate, ys: np.ndarray, xs: np.ndarray, slant: float) -> list[Candidate]:
    """``c`` cut into as many digits as its width across the lean holds, along lines leaning
    ``slant`` (x per y) through its ink pixels (``ys``, ``xs``), at projection minima."""
    column, width = _columns(ys, xs, slant)
    ink = np.bincount(column, minlength=width)
    parts = max(2, int(round(width / (SPLIT_WIDTH * c.h))))
    step = width / parts
    cuts = [0]
    for j in range(1, parts):
        lo, hi = int(j * step - 0.3 * step), int(j * step + 0.3 * step) + 1
        lo, hi = max(lo, cuts[-1] + 1), min(hi, width - 1)
        if lo >= hi:
            continue
        cuts.append(lo + int(np.argmin(ink[lo:hi])))
    cuts.append(width + 1)
    pieces = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        inside = (column >= a) & (column < b)
        if not inside.any():
            continue
        mask = np.zeros_like(c.mask)
        mask[ys[inside], xs[inside]] = c.mask[ys[inside], xs[inside]]
        piece = _tight(c.x, c.y, mask)
        if piece is not None:
            pieces.append(piece)
    return pieces


LATTICE_MIN = 0.12
LATTICE_MAX = 1.25
"""The pieces of a touching number's lattice (:func:`cut_lattice`) are at least ``LATTICE_MIN``
(a narrow 1) and at most ``LATTICE_MAX`` (a wide 0 or 4) of its height wide."""
LATTICE_CUTS = 16
"""At most this many cut columns inside a touching number are tried (the deepest minima): a
five-digit number needs four."""


def cut_lattice(candidate: Candidate, count: int) -> list[tuple[int, int, Candidate]]:
    """The pieces a wide ``candidate`` (touching digits) may be cut into, for a reading of
    ``count`` digits or one more (:func:`path_counts`): between any two of its cut columns (its
    left and right ends, and the local minima of its ink's column sums smoothed over 3 columns,
    along its slant when it leans, as :func:`split_options`), :data:`LATTICE_MIN` to
    :data:`LATTICE_MAX` of its height wide, on some path of that many pieces from its left end
    to its right. ``(first cut, last cut, piece)``, the cuts numbered left to right; the
    recogniser reads every piece and keeps the path whose least sure digit is surest
    (:func:`~livedigits.recognizer._best_path`): the cuts fall where the digits are, not at equal
    shares of the width."""
    c = candidate
    ys, xs = np.nonzero(c.mask)
    if len(xs) < 2 or count < 2:
        return []
    column, width = _columns(ys, xs, _lean(ys, xs))
    ink = np.convolve(np.bincount(column, minlength=width).astype(np.float64), np.ones(3) / 3, mode="same")
    minima = [k for k in range(1, width - 1) if ink[k] <= ink[k - 1] and ink[k] < ink[k + 1]]
    # The deepest first, none within a tenth of the height of a deeper one.
    kept: list[int] = []
    for k in sorted(minima, key=lambda k: ink[k]):
        if all(abs(k - j) >= 0.1 * c.h for j in kept):
            kept.append(k)
        if len(kept) >= LATTICE_CUTS:
            break
    cuts = [0] + sorted(kept) + [width]
    pieces = []
    for i in range(len(cuts)):
        for j in range(i + 1, len(cuts)):
            span = cuts[j] - cuts[i]
            if span > LATTICE_MAX * c.h:
                break
            inside = (column >= cuts[i]) & (column < cuts[j])
            if span < LATTICE_MIN * c.h or not inside.any():
                continue
            # Over the piece's own columns only: a candidate-sized mask a piece is costly on a
            # number hundreds of pixels wide.
            left, right = int(xs[inside].min()), int(xs[inside].max()) + 1
            mask = np.zeros((c.h, right - left), np.uint8)
            mask[ys[inside], xs[inside] - left] = 255
            piece = _tight(c.x + left, c.y, mask)
            if piece is not None:
                pieces.append((i, j, piece))
    return on_a_path(pieces, count, len(cuts) - 1)


def path_counts(count: int) -> tuple[int, int]:
    """The numbers of digits a touching number's lattice is read as: ``count`` (as many as its
    width holds, :func:`split_options`), and one more, tried only for a mark too wide to be one
    glyph when no lattice path of ``count`` digits reads past the bar
    (:meth:`~livedigits.recognizer.Recognizer._readings`). Narrow digits, written tight, are
    more than their width holds at :data:`SPLIT_WIDTH` of a height each: five MNIST digits
    overlapping one another were cut into four, and none was read."""
    return count, count + 1


def on_a_path(lattice: list[tuple[int, int, Candidate]], count: int, last: int) -> list[tuple[int, int, Candidate]]:
    """The pieces of ``lattice`` on some path from cut 0 to cut ``last`` of as many pieces as
    :func:`path_counts` of ``count`` gives."""
    if not lattice:
        return []
    counts = path_counts(count)
    top = max(counts)
    ahead: dict[int, set[int]] = {0: {0}}  # cut -> numbers of pieces that reach it from the left
    for i, j, _ in sorted(lattice, key=lambda t: t[1]):
        ahead.setdefault(j, set()).update(n + 1 for n in ahead.get(i, ()) if n + 1 <= top)
    behind: dict[int, set[int]] = {last: {0}}  # cut -> numbers of pieces that reach the last cut
    for i, j, _ in sorted(lattice, key=lambda t: -t[0]):
        behind.setdefault(i, set()).update(n + 1 for n in behind.get(j, ()) if n + 1 <= top)
    return [
        (i, j, p)
        for i, j, p in lattice
        if any(c - n - 1 in behind.get(j, ()) for n in ahead.get(i, ()) for c in counts)
    ]
