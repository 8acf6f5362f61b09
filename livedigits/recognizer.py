"""Recognizer: frame -> digits, lines and numbers, through the detector and classifier seams."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import cv2
import numpy as np

from livedigits import cuts
from livedigits.classify import Classifier
from livedigits.detect import Detector, DetectorConfig, to_gray
from livedigits.layout import SLANT_DIGITS, arrange, lines_and_slope, writing_slant
from livedigits.mnist import SIZE, leans, normalize_batch
from livedigits.points import commas_read_as_digits, find_points
from livedigits.records import DEFAULT_MIN_CONFIDENCE, Digit, Point, Reading
from livedigits.walls import find_walls
from livedigits.words import BAR_RUN, in_bars, in_words, word_rows

__all__ = ["Analysis", "Digit", "Reading", "Recognizer", "DEFAULT_MIN_CONFIDENCE", "STAGES"]

STAGES = ("gray", "detect", "normalize", "inference")
MIN_RELATIVE_HEIGHT = 0.6
"""With three or more readings in a frame that pass the confidence bar, one shorter than this
times the median height of them all (or of its own group: :data:`SIZE_REACH`) is not reported: a
speck, a scratch, a piece of a box's side or of a broken stroke, the small letter of a printed
label beside handwriting. Handwriting in one place is of one size, give or take. Judged after
the word check (:func:`~livedigits.words.in_words`), which needs a label's small letters to see
its word; before it (in the detector, at 0.4), dropping them left a label's capitals and tall
letters reported as 0s and 1s."""
SIZE_GROUP = 3
SIZE_ALIKE = 1.5
SIZE_REACH = 3.5
"""A reading with at least two others of about its size (within :data:`SIZE_ALIKE` either way)
within this many of its heights (centre to centre) is written in a group, a number; away from
taller writing (:data:`OVERSHADOW_REACH`) it is judged against that group's median height, not
the frame's: a number written half the size of the others elsewhere on a whiteboard is of a size
with its own digits (against the frame's median it was dropped), while a lone mark, or two, are
still judged against the frame. (At the default bar of 0.6 a reading in such a group is always
kept: the group's median is at most 1.5 times its height. The far line of a page seen at a
steep angle, half the size of its nearest lines, is still judged against the frame:
:data:`OVERSHADOW_REACH`.)"""
OVERSHADOW_REACH = 2.0
"""A group with a reading taller than its own by 1 / :data:`MIN_RELATIVE_HEIGHT` within this many
of that taller reading's heights is beside larger handwriting, and judged against the frame as
before: a form's printed label ("Total", its "o" and "a" read as 0s) over the number written
under it, a box's small pieces beside the digit in it."""
LYING_ONE = 1.2
"""A reading of 1 wider than this times its height is not reported: a 1 stands, and even with a
flag and a foot is narrower than tall, while a pen lying across the page read as one (a new
user's clip: 372x235 px at 1.0), a dash or a piece of a line lies. Check seeds: notes 0.914 ->
0.924, ruled 0.821 -> 0.822, the tuning seeds unchanged (at 0.8 true flagged 1s went: notes
0.963 -> 0.946 on the tuning seeds)."""
MAX_SIDE = 4096
"""Frames larger than this (a 12000x9000 scan) are read at this size: digits 2% of the frame are
still ~80 px tall there, and memory and time stay bounded."""


@dataclass
class Analysis:
    """Everything one frame produced: the digits plus what the debug view and benchmarks need."""

    reading: Reading
    mask: np.ndarray
    """HxW uint8 ink mask the candidates were found in."""
    crops: np.ndarray
    """[N,28,28,1] float32 normalised crops of every reading tried, before the confidence cut."""
    probs: np.ndarray | None = None
    """[N,10] float32 the classifier's probabilities for each of ``crops``."""
    timings_ms: dict[str, float] = field(default_factory=dict)
    reported: np.ndarray | None = None
    """bool [N]: which of ``crops`` became a reported digit (past the confidence bar, not a
    printed word's letter, not far smaller than the rest, and read better than its whole or its
    parts)."""

    @property
    def digits(self) -> list[Digit]:
        return self.reading.digits


class Recognizer:
    """Finds and reads handwritten digits in BGR (or gray) uint8 frames.

    One onnxruntime session is created here and reused for every frame; each frame's candidates
    are classified in one batched call. ``classifier`` replaces that session with any object whose
    ``predict`` maps float32 [N,28,28,1] to probabilities [N,10] (the benchmark's cv2.dnn variant);
    ``detector`` replaces the classical detector with any object whose ``detect(gray)`` returns a
    :class:`~livedigits.detect.Detection`. ``min_relative_height``: see :data:`MIN_RELATIVE_HEIGHT`
    (0: every size is reported).
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        config: DetectorConfig = DetectorConfig(),
        threads: int = 1,
        max_side: int = MAX_SIDE,
        classifier: Classifier | None = None,
        detector: Detector | None = None,
        min_relative_height: float = MIN_RELATIVE_HEIGHT,
    ):
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within 0..1, got {min_confidence}")
        if not 0.0 <= min_relative_height <= 1.0:
            raise ValueError(f"min_relative_height must be within 0..1, got {min_relative_height}")
        self.min_relative_height = min_relative_height
        self.classifier = classifier if classifier is not None else Classifier(model_path, threads=threads)
        self.min_confidence = min_confidence
        self.detector = detector if detector is not None else Detector(config)
        self.max_side = max_side
        self._batch = np.zeros((32, SIZE, SIZE, 1), np.float32)

    def _surer(self, these: np.ndarray, those: np.ndarray) -> bool:
        """Do the confidences ``these`` read more digits past the bar than ``those``, or as many
        with the least sure of them surer?"""
        bar = self.min_confidence
        return (int((these >= bar).sum()), float(these.min())) > (int((those >= bar).sum()), float(those.min()))

    def _chosen(self, plan: list, confidences: np.ndarray, boxes: np.ndarray, frame_h: int) -> list[int]:
        """The readings kept of the candidates of ``plan`` (:meth:`_readings`). A mark read as one
        digit more than its width holds is read so only when the reading without it is not a
        printed word's with other marks (:func:`~livedigits.words.word_rows`: a label's letters
        cut one way more read as confident digits, "Item" as 1s); a touching number's own
        pieces, unsure, are no word alone. ``boxes`` (int [N, 4]) and ``frame_h`` for that
        check, which runs only in a frame where a mark is read one digit more."""
        chosen, _, more = self._readings(plan, confidences)
        if not more:
            return chosen
        base, owners, _ = self._readings(plan, confidences, more=False)
        rows = word_rows(boxes[base], confidences[base], frame_h)
        marks: dict[int, set[int]] = {}  # word -> the marks it holds readings of
        for owner, row in zip(owners, rows.tolist()):
            if row >= 0:
                marks.setdefault(row, set()).add(owner)
        blocked = {owner for held in marks.values() if len(held) >= 2 for owner in held} & set(more)
        return self._readings(plan, confidences, blocked=blocked)[0] if blocked else chosen

    def _readings(
        self, plan: list, confidences: np.ndarray, more: bool = True, blocked: AbstractSet[int] = frozenset()
    ) -> tuple[list[int], list[int], list[int]]:
        """For each candidate of ``plan`` ((whole index or -1, splits as index lists, its cut
        lattice as (first cut, last cut, index))), the readings kept: the first split, or another
        into two or more digits that reads more of them past the bar, or as many with its least
        sure digit surer (the lattice's best path of as many digits as the first split is one,
        when all of them read past the bar; failing that, with ``more``, for a mark too wide to
        be one glyph (no whole reading) and not ``blocked``, its best path of one digit more,
        when all of those do); then that or the whole, whichever's least sure digit is surer
        (ties: the whole). Returns the readings (indices into ``confidences``), the candidate
        each is of, and the candidates read as one digit more."""
        chosen: list[int] = []
        owners: list[int] = []
        read_more: list[int] = []
        bar = self.min_confidence
        for entry, (whole, splits, lattice) in enumerate(plan):
            # Touching digits cut where they read best, as many as the first split holds: taken
            # when every digit reads past the bar (and surer than the other splits).
            path = _best_path(lattice, confidences, len(splits[0])) if lattice and splits else None
            extra = None
            if path is not None and confidences[path].min() >= bar:
                splits = splits + [path]
            elif lattice and splits and more and whole < 0 and entry not in blocked:
                # Narrow digits written tight: one more than the width holds. Not for a mark that
                # may be one glyph: a lone letter's strokes read as digits ("m" as 177).
                extra = _best_path(lattice, confidences, cuts.path_counts(len(splits[0]))[1])
                if extra is not None and confidences[extra].min() >= bar:
                    splits = splits + [extra]
                else:
                    extra = None
            whole_conf = confidences[whole] if whole >= 0 else -1.0
            parts = splits[0] if splits else []
            for other in splits[1:]:
                if len(other) >= 2 and self._surer(confidences[other], confidences[parts]):
                    parts = other
            if parts and confidences[parts].min() > whole_conf:
                chosen.extend(parts)
                owners.extend([entry] * len(parts))
                if parts is extra:
                    read_more.append(entry)
            elif whole >= 0:
                chosen.append(whole)
                owners.append(entry)
        return chosen, owners, read_more

    def _wide_or_covered(
        self, chosen: list[int], candidates: list, plan: list, regions: list, confidences: np.ndarray
    ) -> list[int]:
        """Of the ``chosen`` readings (indices into ``regions`` and ``confidences``), either a digit
        of wide strokes found in the frame shrunk (a candidate with ``covers``; ``plan`` as
        :meth:`_readings` takes it) or the readings of the candidates it covers: the wide one when
        it reads past the bar and at least as surely as the least sure of their readings past the
        bar (a 4 whose strokes were read as two 7s at full size), else theirs (a 9 read whole at
        full size, its stem alone in the frame shrunk; a wide digit under the bar)."""
        bar = self.min_confidence
        for candidate, (whole, _, _) in zip(candidates, plan):
            if not candidate.covers or whole < 0:
                continue
            covered = {id(region) for c in candidate.covers for region in c.readings}
            theirs = {i for i in chosen if id(regions[i]) in covered}
            sure = [float(confidences[i]) for i in theirs if confidences[i] >= bar]
            if confidences[whole] >= bar and (not sure or confidences[whole] >= min(sure)):
                chosen = [i for i in chosen if i not in theirs]
            else:
                chosen = [i for i in chosen if i != whole]
        return chosen

    def _kept(
        self,
        chosen: list[int],
        boxes: np.ndarray,
        labels: np.ndarray,
        confidences: np.ndarray,
        frame_h: int,
        slant: float | None = None,
    ) -> tuple[list[int], int]:
        """Of the ``chosen`` readings (indices into ``boxes``, int [N, 4], ``labels`` and
        ``confidences``), those reported: not a printed word's letters (the word check needs the
        letters under the bar too), past the confidence bar, not a 1 lying down
        (:data:`LYING_ONE`, and as far again as the hand leans: ``slant``, x per y), not a
        barcode's bars, and not far smaller than the rest (:func:`of_a_size`); and how many were
        left out for the bar alone (:attr:`~livedigits.records.Reading.unsure`)."""
        if chosen:
            chosen = [i for i, word in zip(chosen, in_words(boxes[chosen], confidences[chosen], frame_h)) if not word]
        unsure = sum(1 for i in chosen if confidences[i] < self.min_confidence)
        # Past the bar, and no 1 lying down (a pen across the page, a dash, a piece of a line). In a
        # leaning hand a 1 leans with it: its box is wider by the lean (a 1 of a hand leaning 30
        # degrees, itself leaning more, was taken for one lying).
        widest = LYING_ONE + abs(slant or 0.0)
        lying = (labels == 1) & (boxes[:, 2] > widest * boxes[:, 3])
        chosen = [i for i in chosen if confidences[i] >= self.min_confidence and not lying[i]]
        if len(chosen) >= BAR_RUN:
            chosen = [i for i, bar in zip(chosen, in_bars(boxes[chosen], labels[chosen]).tolist()) if not bar]
        if len(chosen) >= 3 and self.min_relative_height > 0:
            keep = of_a_size(boxes[chosen].astype(np.float64), self.min_relative_height)
            chosen = [i for i, k in zip(chosen, keep) if k]
        return chosen, unsure

    def recognize(self, frame: np.ndarray) -> list[Digit]:
        """Return the digits in ``frame`` (HxWx3 BGR uint8, or HxW gray) in reading order."""
        return self.analyze(frame).digits

    def read(self, frame: np.ndarray) -> Reading:
        """The digits of ``frame`` in reading order, its lines and its numbers."""
        return self.analyze(frame).reading

    def analyze(self, frame: np.ndarray) -> Analysis:
        """Like :meth:`recognize`, also returning the mask, the crops and per-stage times."""
        t0 = time.perf_counter()
        gray = to_gray(frame)
        scale = 1.0
        if max(gray.shape) > self.max_side:
            scale = self.max_side / max(gray.shape)
            size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        t1 = time.perf_counter()
        detection = self.detector.detect(gray)
        mask, candidates = detection.mask, detection.candidates
        t2 = time.perf_counter()
        # Every reading to try goes in one batch: each candidate whole, and split every way offered
        # where it may be touching digits. plan[i] = (index of candidate i's whole crop or -1, for
        # each split the indices of its parts, its lattice's pieces as (first cut, last cut, index)).
        regions, plan = [], []
        for c in candidates:
            whole = len(regions) if c.whole else -1
            if c.whole:
                regions.append(c)
            splits = []
            for pieces in ([c.parts] + c.alternatives) if c.parts else []:
                splits.append(list(range(len(regions), len(regions) + len(pieces))))
                regions.extend(pieces)
            lattice = [(i, j, len(regions) + k) for k, (i, j, _) in enumerate(c.lattice)]
            regions.extend(p for _, _, p in c.lattice)
            plan.append((whole, splits, lattice))
        if len(regions) > len(self._batch):
            self._batch = np.zeros((2 * len(regions), SIZE, SIZE, 1), np.float32)
        batch = self._batch[: len(regions)]
        normalize_batch([region.ink for region in regions], out=batch)
        t3 = time.perf_counter()
        probs = self.classifier.predict(batch)
        t4 = time.perf_counter()
        labels = probs.argmax(axis=1)
        confidences = probs[np.arange(len(probs)), labels]
        region_boxes = np.array([r.box for r in regions], np.int64).reshape(-1, 4)
        chosen = self._chosen(plan, confidences, region_boxes, gray.shape[0])
        chosen = self._wide_or_covered(chosen, candidates, plan, regions, confidences)
        # The hand's lean, from the readings past the bar: along it the gaps between numbers are
        # measured, and by it a 1 may lean.
        sure = [i for i in chosen if confidences[i] >= self.min_confidence]
        slant = writing_slant(leans(batch[sure])) if len(sure) >= SLANT_DIGITS else None
        chosen, unsure = self._kept(chosen, region_boxes, labels, confidences, gray.shape[0], slant)
        # A comma written long, read as a small low 1 between two digits, is a comma.
        commas = set(commas_read_as_digits([regions[i].box for i in chosen]))
        marks = [Point(_scaled(regions[i].box, scale), ",") for n, i in enumerate(chosen) if n in commas]
        chosen = [i for n, i in enumerate(chosen) if n not in commas]
        boxes = [regions[i].box for i in chosen]
        lines, slope = lines_and_slope(boxes)
        # Decimal points between the digits, looked for in the mask the digits were found in, and
        # with the lines erased where one runs through a gap (a point sitting on an underline).
        points = marks + [
            Point(_scaled(p.box, scale), p.mark)
            for p in find_points(mask, boxes, lines, detection.clean, slope, detection.noisy)
        ]
        # A table's or a comb's upright lines between digits: ink the detector erased as lines, or
        # ink standing between two lifted lines (a comb printed light). Not a lifted line itself:
        # a ruled page's margin line is one.
        walls = []
        if detection.clean is not None and len(boxes) >= 2:
            erased = cv2.subtract(mask, detection.clean)
            found_walls = find_walls(erased, boxes, lines, detection.clean, detection.lifted)
            walls = [_scaled(w, scale) for w in found_walls]
        found = [
            Digit(_scaled(regions[i].box, scale), int(labels[i]), float(confidences[i]), probs=probs[i]) for i in chosen
        ]
        timings = dict(zip(STAGES, ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3)))
        reported = np.zeros(len(regions), bool)
        reported[chosen] = True
        reading = arrange(found, points, lines, slant, walls)
        reading.unsure = unsure
        return Analysis(reading, mask, batch.copy(), probs.copy(), timings, reported)


def _best_path(lattice: list[tuple[int, int, int]], confidences: np.ndarray, count: int) -> list[int] | None:
    """The ``count`` pieces (indices into ``confidences``) of the path through ``lattice`` ((first
    cut, last cut, index), see :func:`~livedigits.cuts.cut_lattice`) from cut 0 to its last
    cut whose least sure piece is surest, and of those the one with the highest sum of
    log-probabilities; None when no path has that many pieces."""
    last = max(j for _, j, _ in lattice)
    ordered = sorted(lattice, key=lambda t: (t[1], t[0]))

    def search(score, combine, start, floor=-1.0):
        # best[(cut, pieces so far)] = (score, the pieces' indices), pieces at least ``floor`` sure
        best = {(0, 0): (start, [])}
        for i, j, k in ordered:
            conf = float(confidences[k])
            if conf < floor:
                continue
            for n in range(count):
                if (i, n) in best:
                    value = combine(best[(i, n)][0], score(conf))
                    if (j, n + 1) not in best or value > best[(j, n + 1)][0]:
                        best[(j, n + 1)] = (value, best[(i, n)][1] + [k])
        return best.get((last, count))

    # The surest least sure piece (a bottleneck: exact with one best prefix per state), then
    # the likeliest path among those whose pieces are all at least that sure.
    surest = search(lambda conf: conf, min, 1.0)
    if surest is None:
        return None
    return search(lambda conf: math.log(max(conf, 1e-9)), lambda a, b: a + b, 0.0, floor=surest[0])[1]


def of_a_size(boxes: np.ndarray, share: float) -> np.ndarray:
    """bool [N]: which of ``boxes`` ([N,4] x, y, w, h; N >= 1) are at least ``share`` times as
    tall as the median of them all, or, when written in a group of their own size away from
    taller writing (:data:`SIZE_GROUP`, :data:`OVERSHADOW_REACH`), of that group."""
    heights = boxes[:, 3]
    centres = boxes[:, :2] + 0.5 * boxes[:, 2:]
    d2 = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    ratio = heights[None, :] / heights[:, None]  # [i, j]: j's height over i's
    near = (d2 <= (SIZE_REACH * heights[:, None]) ** 2) & (ratio >= 1 / SIZE_ALIKE) & (ratio <= SIZE_ALIKE)
    taller = (d2 <= (OVERSHADOW_REACH * heights[None, :]) ** 2) & (ratio * share > 1.0)
    grouped = (near.sum(axis=1) >= SIZE_GROUP) & ~taller.any(axis=1)
    reference = np.full(len(boxes), float(np.median(heights)))
    if grouped.any():
        reference[grouped] = _row_medians(heights, near[grouped])
    return heights >= share * reference


def _row_medians(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """float [G]: for each row of ``rows`` (bool [G, N], each with at least one True), the median
    of ``values`` [N] where it is True, as ``np.median`` gives it (the mean of the two middle
    values for an even count), without a call per row."""
    values = values.astype(np.float64)
    order = np.argsort(values, kind="stable")
    ranked = np.cumsum(rows[:, order], axis=1)  # [g, k]: how many of row g's values rank <= k
    count = ranked[:, -1:]
    low = np.argmax(ranked > (count - 1) // 2, axis=1)
    high = np.argmax(ranked > count // 2, axis=1)
    ordered = values[order]
    return (ordered[low] + ordered[high]) / 2


def _scaled(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    """A box found on a downscaled frame, in pixels of the original frame."""
    if scale == 1.0:
        return box
    x, y, w, h = box
    return round(x / scale), round(y / scale), round(w / scale), round(h / scale)
