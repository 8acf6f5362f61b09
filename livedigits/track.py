"""Frame-to-frame tracking of digits: steady ids, steady readings, no blinking labels.

::

    tracker = Tracker()
    for frame in open_source("clip.mp4"):
        reading = tracker.update(recognizer.read(frame.image), frame_size=frame.image.shape[1::-1])

Each frame:

1. **Motion.** Each track moves on at its own velocity (its smoothed move per frame), so a
   pan, a pull-back or a sheet slid over a still desk is followed. What the view did differently
   this frame (a jerk, a pan starting) is shared by every digit, so it is estimated from all of
   them: each detection's nearest track with the same label votes, and the median of the close
   votes is the shift. When too few agree (a jump wider than a digit) the shift is searched for
   instead: every same-label detection/track displacement is a candidate, and the one most
   detections agree with wins. When the agreeing pairs are still visibly apart after the shift
   (a sudden zoom or turn), a similarity is fitted to them instead. A track not seen this frame,
   or a new one, takes the velocity of its nearest matched neighbour.
2. **Association.** Detections and motion-compensated tracks are paired greedily by cost (centre
   distance in digit heights, size change, label disagreement), cheapest first, within a gate.
3. **Evidence.** A track's reading is the exponentially decayed sum of its detections' class
   probabilities (:data:`EVIDENCE_DECAY`); its digit is the argmax, its confidence the smoothed
   probability of that digit. A few misread frames do not flip it.
4. **Life.** A new track is reported from its second detection (``min_hits=2``; the digits of
   the first frame at once): a one-frame false detection never shows, a new digit shows a frame
   after it is first read (``min_hits=1`` shows it at once, and a ghost for its one frame; on the
   benchmark's videos that blinking was ~0.4 points of flicker for ~0.3 points of read-right).
   A confirmed track missing from the detections is reported for up to ``max_missed`` frames
   (fewer for a track seen seldom: :data:`COAST_PER_HIT`), so labels do not blink, at its box
   moved as the digits seen this frame moved (the sheet is one plane: :func:`_carried`), else at
   its own velocity. A detection that is two known digits run together (:func:`_merged`) is not
   used; the digits under it coast. A track is dropped at once when its box leaves the frame.

numpy only (no scipy): at 20 digits a frame, tracking and layout together take ~0.2-0.3 ms
(``python -m livedigits.track`` prints the figure).
"""

from __future__ import annotations

import time

import numpy as np

from livedigits.layout import assemble, find_lines, group_numbers, joined_at
from livedigits.points import points_after
from livedigits.records import Digit, Reading, fast_digit
from livedigits.walls import parted_by_walls, walls_after

EVIDENCE_DECAY = 0.9
"""Weight of the past in a track's class evidence per detection: a half-life of ~7 detections
(~0.2 s at 30 fps), so it takes ~7 confident readings of another digit in a row to change a steady
digit's label, and a few misread frames never do. A hidden digit's evidence does not decay."""
GATE = 0.6
"""Largest association cost: centre distance in digit heights plus size and label terms. After the
shared motion is taken out a digit is within ~0.1 height of its track, while its neighbours on a
line are ~0.8-1.2 heights away."""
SIZE_WEIGHT = 0.25
"""Cost per unit of |log height ratio| + |log width ratio|/2: small, so a digit seen partly for a
frame (a blur burst, a pen over it) still pairs with its track and keeps its id and reading."""
LABEL_WEIGHT = 0.15
"""Cost of full label disagreement (1 - p_detection . p_track): small, since a misread is what smoothing is for."""
VOTE_RADIUS = 0.35
"""Displacements agreeing within this many digit heights count as the same shared motion."""
SIMILARITY_RESIDUAL = 0.08
"""When the pairs that agree with the shared shift are still this far apart on average (in digit
heights), the camera zoomed or turned: a similarity is fitted instead of a shift."""
SEARCH_SUPPORT = 3
"""A searched shift is believed when at least this many digits agree with it (or all of them, when
fewer are in view); with fewer, the view is taken not to have jumped. A pan keeps a few digits in
view among many new ones, so the bar is a count, not a share."""
IDENTITY = (1 + 0j, 0j)
"""The similarity z -> a z + b (centres as complex numbers) of a camera standing still."""
VELOCITY_SMOOTHING = 0.5
"""Weight of this frame's measured move in a track's velocity: box jitter of a pixel averages out,
a change of pace is followed within a few frames (and a sudden one by the shared correction)."""
CONFIRM_HITS = 2
"""Detections before a missing track is still reported at its predicted box: a digit seen once
(perhaps a false detection) is not, so it never shows longer than it was detected."""
MERGE_WIDTH = 1.4
"""A detection this much wider than the known digits whose centres it holds is those digits run
together (a "26" read as one wide "2"), not one digit whose box overlaps a neighbour's centre."""
SIZE_FOLLOW = 0.3
SIZE_FOLLOW_FAR = 0.1
SIZE_AGREE = 0.8
"""A track's box is centred on its detection (but see :data:`CENTRE_FOLLOW_FAR`) and sized by the
track's history: a detection within 20% of the track's size moves it 30% of the way (in log
scale), one further off (a digit seen in part, a blur burst) only 10%. A zoom is taken out before
(the shared motion, or :data:`ZOOM_MIN`). A digit then keeps its full box while it coasts (tuning
videos: flicker 3.2% -> 2.8%)."""
CENTRE_FOLLOW_FAR = 0.3
"""A detection sized unlike its track (beyond :data:`SIZE_AGREE`: a piece of a box's side or a
neighbour taken in, a blur) is off centre too: the track moves 30% of the way to its centre from
where the shared motion put it, not all the way (readings of 938e7ef's detector, tuning videos:
flicker 1.19% -> 1.03%, check videos 2.31% -> 1.93%; none of the way 1.05%, 60% 1.08%)."""
ZOOM_MIN = 0.06
"""A median size change of matched digits beyond this (6% a frame, in log scale) is a zoom the shared
motion missed: every box is scaled by it first. Below it, the box sizing above absorbs it."""
BORDER_PX = 0
"""A track whose predicted box comes this close to the frame edge has left the frame. The detector
stops reading a digit a few pixels earlier (``DetectorConfig.border_px``: its ink might be cut
there), so a digit that is still whole in view coasts over those last pixels instead of blinking
out before it leaves (tuning videos: flicker 2.07% -> 1.98%)."""
COAST_PER_HIT = 2
"""A track unseen lives at most this many frames per detection it has had (never more than
``max_missed``). A digit read steadily coasts through a blur burst or a pen; a new track dies
after 2 frames unseen, so a box's side read as a 1 in one frame of five is never confirmed (it
was, at its second reading, and then shown in all five), while a digit read every other frame
still is. A digit confirmed on the first frame (2 hits) and covered at once coasts 4 frames, and
comes back with a new id. Tuning videos (readings of 9731ca4's detector): false digits per frame
with tracking 2.5 -> 2.1 (single frames: 1.3), flicker 1.13% -> 1.02%, read-right 87.0% -> 86.4%;
check videos: false 1.75 -> 1.29 (single frames: 0.68), flicker 1.88% -> 1.51%, read-right equal.
Also showing a coasting track only when detected in 30% of its frames took false to 2.0 / 1.24
for flicker 1.09% / 1.66%: not kept."""
DROPOUT_SHARE = 1 / 3
DROPOUT_TRACKS = 3
SEEN_SHARE_FOLLOW = 0.1
"""A frame in which under a third of the share of confirmed tracks (at least 3) usually detected
is detected lost the whole view (a blur burst of a hand-held phone, the light changing, a hand
over most of the sheet), not those digits: it counts half a frame towards their ``max_missed``.
The usual share follows the frames that are not such losses (``SEEN_SHARE_FOLLOW`` of the
difference a frame), so a page whose digits are read one frame in three (ink-dark squares) has
no losses but sudden ones: counted against all confirmed tracks, its false grid pieces coasted
twice as long (report seeds' dark squared video: 15.5 -> 27 false digits a frame). A new user's
phone clip blurred for 11 frames (0.37 s) lost 34 of its 46 digits' ids at 10; a digit missed
while its neighbours are seen still counts whole frames. A sheet taken out of view is dropped
when its boxes leave the frame; one turned over or covered coasts up to twice ``max_missed``."""
POINT_DECAY = 0.75
POINT_SHOW = 0.4
POINT_KEEP = 0.15
POINT_FORGET = 0.05
"""A decimal point between two tracked digits: its evidence is a decayed share of the frames it
was seen in (weight of the past ``POINT_DECAY`` a frame); it shows from ``POINT_SHOW`` (its
second frame in a row), stays until under ``POINT_KEEP`` (a point seen every other frame stays;
one long seen goes on its seventh frame unseen), and is forgotten under ``POINT_FORGET``. On a
new user's video of prices a point flickered in and out of a number 26 times in 90 frames with a
single threshold."""
SLANT_FOLLOW = 0.2
SLANT_REGROUP = 0.05
"""The writing's lean (:attr:`~livedigits.records.Reading.slant`, along which the gaps between
numbers are measured) follows each frame's measure by ``SLANT_FOLLOW`` of the difference: one
frame does not regroup the page. The numbers are grouped again when the shown digits change, or
when the lean has moved by ``SLANT_REGROUP`` (x per y) since they were last grouped (a gap on the
threshold does not flip every frame)."""
CARRY_PAIRS = 5
"""Matched digits needed to carry the unseen ones by their motion (:func:`_carried`): an affine map
fits 3 exactly, so with few pairs a wrong pairing cannot be told from the motion (it moved an
unseen digit 2 heights). On the benchmark's videos 3, 4 and 5 give the same readings."""
CARRY_RESIDUAL = 0.3
"""Digit heights: a pair of last frame's box and this frame's detection that the affine motion of
the others leaves further apart than this is a wrong pairing, left out of the fit (:func:`_carried`)."""


class Tracker:
    """Associates each frame's digits with tracks and smooths their readings.

    ``max_missed``: frames a track survives without a detection (reported where the digits seen
    moved it, or by its own velocity, once it has :data:`CONFIRM_HITS` detections; fewer for a
    track with few: :data:`COAST_PER_HIT`).
    ``min_hits``: detections before a new track is reported (2: one-frame false detections never
    show, at the cost of a frame's delay for a new digit; 1: from its first frame, so tracking
    never shows a digit later than a single frame would). The digits of the first frame with any
    after construction or :meth:`reset` are reported at once either way.
    ``decay``: weight of the past in the class evidence per detection (0: no smoothing).
    """

    def __init__(self, max_missed: int = 10, min_hits: int = 2, decay: float = EVIDENCE_DECAY):
        if max_missed < 0:
            raise ValueError(f"max_missed must be >= 0, got {max_missed}")
        if min_hits < 1:
            raise ValueError(f"min_hits must be >= 1, got {min_hits}")
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be within 0..1 (1 excluded), got {decay}")
        self.max_missed = max_missed
        self.min_hits = min_hits
        self.decay = decay
        self.reset()

    def reset(self) -> None:
        """Forget every track (a new video); ids start again at 1."""
        self._boxes = np.zeros((0, 4))  # float x, y, w, h
        self._evidence = np.zeros((0, 10))  # decayed sum of class probabilities
        self._ids: list[int] = []
        self._hits: list[int] = []
        self._missed: list[int] = []
        self._velocity = np.zeros((0, 2))  # per track: its centre's move per frame, pixels
        self._next_id = 1
        self._started = False
        self._seen_share: float | None = None  # the share of confirmed tracks usually detected
        self._layout_key: frozenset[int] = frozenset()
        self._slant: float | None = None  # the writing's lean (Reading.slant), followed across frames
        self._layout_slant: float | None = None  # the lean the numbers were last grouped along
        self._layout: list[list[list[int]]] = []  # per line, its numbers as track ids
        self._walled: dict[tuple[int, int], int] = {}  # (left id, right id): the walls believed between them
        self._wall_evidence: dict[tuple[int, int], float] = {}  # (left id, right id): a wall between them
        self._walls_shown: set[tuple[int, int]] = set()
        self._wall_counts: dict[tuple[int, int], int] = {}  # how many walls were last seen there
        self._point_evidence: dict[tuple[int, int], float] = {}  # (left id, right id): decimal point
        self._points_shown: set[tuple[int, int]] = set()
        self._point_marks: dict[tuple[int, int], str] = {}  # the mark last seen there, "." or ","

    @property
    def track_count(self) -> int:
        """Tracks alive (reported or not)."""
        return len(self._ids)

    def update(self, reading: Reading, frame_size: tuple[int, int] | None = None) -> Reading:
        """One frame's digits (each with ``probs``, or digit and confidence) -> the tracked reading.

        ``frame_size`` (width, height) lets tracks that leave the frame be dropped at once;
        without it they are dropped after ``max_missed`` frames. Returns a new :class:`Reading`
        (via :func:`~livedigits.layout.assemble`) whose digits carry ``track_id`` and the smoothed
        digit, confidence and ``probs``; ``reading`` is not changed.
        """
        dets = reading.digits
        n, m = len(dets), len(self._ids)
        det_boxes = np.array([d.box for d in dets], dtype=float).reshape(n, 4)
        det_probs = np.array(
            [d.probs if d.probs is not None else _one_hot(d.digit, d.confidence) for d in dets], dtype=float
        ).reshape(n, 10)
        first = not self._started  # the first frame with digits: show them at once
        self._started = self._started or n > 0
        if reading.slant is not None:  # measured (enough digits): the first measure taken as it is
            seen = reading.slant
            self._slant = seen if self._slant is None else self._slant + SLANT_FOLLOW * (seen - self._slant)

        # Each track moves on at its own velocity; the shared correction then takes out what the
        # whole view did differently this frame (a jerk, a pan starting or stopping).
        predicted = self._boxes.copy()
        predicted[:, :2] += self._velocity
        matches: list[tuple[int, int]] = []
        merged: set[int] = set()  # detections of two or more known digits run together
        if n and m:
            trk_probs = self._evidence / self._evidence.sum(axis=1, keepdims=True)
            correction, matches = _match(
                det_boxes, det_probs, det_probs.argmax(axis=1), predicted, trk_probs, trk_probs.argmax(axis=1)
            )
            predicted = _moved(predicted, correction)
            merged = _merged(det_boxes, predicted, np.array(self._hits) >= CONFIRM_HITS)
            matches = [(i, j) for i, j in matches if i not in merged]

        # Matched tracks take the detection's box and add its evidence; the rest coast.
        det_track = [-1] * n
        matched = [False] * m
        hits, missed = self._hits, self._missed
        for i, j in matches:
            det_track[i] = j
            matched[j] = True
        # As index arrays once: each list used to index is converted again.
        di = np.fromiter((i for i, _ in matches), np.intp, len(matches))
        tj = np.fromiter((j for _, j in matches), np.intp, len(matches))
        boxes, evidence = predicted, self._evidence.copy()
        if len(tj) >= 3:
            # A zoom the shared motion did not take out (each track's own velocity follows the
            # drift outwards, so no similarity is fitted): every digit grows by the same factor,
            # while a digit seen in part is one outlier. The median size change scales them all.
            ratios = np.sort(det_boxes[di, 3] / np.maximum(predicted[tj, 3], 1.0))
            zoom = float(0.5 * (ratios[(len(tj) - 1) // 2] + ratios[len(tj) // 2]))  # the median
            if abs(np.log(zoom)) > ZOOM_MIN:
                centres = predicted[:, :2] + 0.5 * predicted[:, 2:]
                predicted[:, 2:] *= zoom
                predicted[:, :2] = centres - 0.5 * predicted[:, 2:]
        boxes[tj] = _placed(predicted[tj], det_boxes[di])
        if len(tj) >= CARRY_PAIRS and len(tj) < m:
            # The digits not seen move as the seen ones did this frame (the sheet is one plane),
            # not by their own velocity, which lags a pan that speeds up or a turn of the hand.
            unseen = np.ones(m, bool)
            unseen[tj] = False
            carried = _carried(self._boxes[tj], det_boxes[di], self._boxes[unseen])
            if carried is not None:
                boxes[unseen] = carried
        # Evidence decays per observation, not per frame: a hidden digit keeps its reading.
        evidence[tj] = evidence[tj] * self.decay + det_probs[di]
        new = [i for i in range(n) if det_track[i] < 0 and i not in merged]
        velocity, new_velocity = self._velocities(boxes, tj, det_boxes[new])
        hits = [hit + 1 if seen else hit for hit, seen in zip(hits, matched)]
        confirmed = [hit >= CONFIRM_HITS for hit in self._hits]
        known = sum(confirmed)
        dropout = False
        if known >= DROPOUT_TRACKS:
            share = sum(c and s for c, s in zip(confirmed, matched)) / known
            usual = self._seen_share if self._seen_share is not None else share
            dropout = share < DROPOUT_SHARE * usual
            if not dropout:  # the usual share is of ordinary frames: a long burst stays a burst
                self._seen_share = usual + SEEN_SHARE_FOLLOW * (share - usual)
        step = 0.5 if dropout else 1
        missed = [0 if seen else gone + step for gone, seen in zip(missed, matched)]

        # Which tracks live on: those gone too long or out of view die. A tentative track lives on
        # too (unseen), so a digit detected only every other frame is still confirmed at its second hit.
        cap = self.max_missed
        keep = [gone <= min(cap, COAST_PER_HIT * hit) for gone, hit in zip(missed, hits)]
        if frame_size is not None and m:
            width, height = frame_size
            inside = (
                (boxes[:, 0] >= BORDER_PX)
                & (boxes[:, 1] >= BORDER_PX)
                & (boxes[:, 0] + boxes[:, 2] <= width - BORDER_PX)
                & (boxes[:, 1] + boxes[:, 3] <= height - BORDER_PX)
            ).tolist()
            keep = [k and (seen or within) for k, seen, within in zip(keep, matched, inside)]
        ids = self._ids
        if not all(keep):
            alive = [j for j in range(m) if keep[j]]
            renumber = {j: k for k, j in enumerate(alive)}
            det_track = [renumber[j] if j >= 0 else -1 for j in det_track]
            ids = [ids[j] for j in alive]
            hits = [hits[j] for j in alive]
            missed = [missed[j] for j in alive]
            boxes, evidence, velocity = boxes[alive], evidence[alive], velocity[alive]
        alive_count = len(ids)
        if new:
            for k, i in enumerate(new):
                det_track[i] = alive_count + k
                ids.append(self._next_id)
                self._next_id += 1
                hits.append(max(self.min_hits, CONFIRM_HITS) if first else 1)
                missed.append(0)
            boxes = np.concatenate([boxes, det_boxes[new]])
            evidence = np.concatenate([evidence, det_probs[new]])
            velocity = np.concatenate([velocity, new_velocity])
        self._boxes, self._evidence, self._velocity = boxes, evidence, velocity
        self._ids, self._hits, self._missed = ids, hits, missed
        return self._report(det_track, reading.points, first, reading.walls)

    def _velocities(self, boxes: np.ndarray, matched: np.ndarray, new_boxes: np.ndarray):
        """Per track its velocity [M,2] after this frame, and the new tracks' [K,2].

        A matched track's is its measured move, smoothed (:data:`VELOCITY_SMOOTHING`); a track not
        seen, or new, moves as its nearest matched neighbour does: the part of the view it is on
        (a sheet slid over a still desk, or the whole view under a moving camera).
        """
        velocity = self._velocity.copy()
        new_velocity = np.zeros((len(new_boxes), 2))
        if not len(matched):
            return velocity, new_velocity
        old_c = self._boxes[:, :2] + 0.5 * self._boxes[:, 2:]
        new_c = boxes[:, :2] + 0.5 * boxes[:, 2:]
        velocity[matched] += VELOCITY_SMOOTHING * (new_c - old_c - velocity)[matched]
        if len(matched) < len(velocity) or len(new_boxes):
            anchors = new_c[matched]
            targets = np.concatenate([new_c, new_boxes[:, :2] + 0.5 * new_boxes[:, 2:]])
            d2 = ((targets[:, None, :] - anchors[None, :, :]) ** 2).sum(axis=2)
            nearest = velocity[matched][d2.argmin(axis=1)]
            unseen = np.ones(len(velocity), bool)
            unseen[matched] = False
            velocity[unseen] = nearest[: len(velocity)][unseen]
            new_velocity = nearest[len(velocity) :]
        return velocity, new_velocity

    def _report(
        self, det_track: list[int], points: list | None = None, first: bool = False, walls: list | None = None
    ) -> Reading:
        """The confirmed tracks as a Reading: detected ones centred on their detection (sized as
        :func:`_placed` says), coasting ones at their predicted box unless a digit shown as
        detected this frame covers them (no doubled digits; a new detection not yet shown does not
        hide the digit under it).

        Lines and numbers are kept, as groups of track ids, while the same tracks are shown: the
        sheet moves as a whole, so its layout does not change, and a borderline gap or slope
        cannot flip the reading order from frame to frame. The frame's decimal ``points`` (boxes)
        are placed between the shown digits (:func:`~livedigits.points.points_after`) and
        believed over frames (:meth:`_with_points`).
        """
        ev = self._evidence
        totals = ev.sum(axis=1, keepdims=True)
        probs = (ev / np.maximum(totals, 1e-12)).astype(np.float32)
        labels = probs.argmax(axis=1)
        confidence = probs[np.arange(len(probs)), labels].tolist()
        labels = labels.tolist()
        hits, ids = self._hits, self._ids
        detected = set(det_track)
        coast_hits = max(self.min_hits, CONFIRM_HITS)
        coasting = [j for j in range(len(ids)) if j not in detected and hits[j] >= coast_hits]
        seen = [j for j in det_track if j >= 0 and hits[j] >= self.min_hits]
        if coasting and seen:
            covered = _covers(self._boxes[seen], self._boxes[coasting])
            coasting = [j for j, c in zip(coasting, covered) if not c]
        shown = seen + coasting
        boxes = list(map(tuple, np.rint(self._boxes[shown]).astype(int).tolist()))
        shown_ids = [ids[j] for j in shown]
        key = frozenset(shown_ids)
        slant = self._slant or 0.0
        at = {t: k for k, t in enumerate(shown_ids)}
        regroup = key != self._layout_key or abs(slant - (self._layout_slant or 0.0)) > SLANT_REGROUP
        lines = None
        if walls or self._wall_evidence:
            # A wall between two tracks is believed as a decimal point is (POINT_*: from its second
            # sighting in a row, kept while seen every other frame): one frame's wall (a stroke
            # taken for one) does not part a number for good, nor does a wall flicker.
            lines = find_lines(boxes) if regroup else [[at[t] for g in line for t in g] for line in self._layout]
            following = {i: j for line in lines for i, j in zip(line, line[1:])}
            found = walls_after(boxes, lines, walls or [])
            seen = {(shown_ids[i], shown_ids[following[i]]): n for i, n in found.items()}
            walled = self._believed_walls(seen, first)
            if walled != self._walled:
                self._walled = walled
                regroup = True
        if regroup:
            lines = find_lines(boxes) if lines is None else lines
            groups = group_numbers(boxes, lines, slant)
            if self._walled:
                following = {i: j for line in lines for i, j in zip(line, line[1:])}
                walled = {
                    i: self._walled[(shown_ids[i], shown_ids[j])]
                    for i, j in following.items()
                    if (shown_ids[i], shown_ids[j]) in self._walled
                }
                groups = parted_by_walls(boxes, groups, walled)
            self._layout_key, self._layout_slant = key, slant
            self._layout = [[[shown_ids[i] for i in g] for g in line] for line in groups]
        numbers = [[[at[t] for t in g] for g in line] for line in self._layout]
        numbers, after = self._with_points(boxes, numbers, shown_ids, points or [], first)
        digits = [None] * len(shown)
        for line_index, line in enumerate(numbers):
            for g in line:
                for k in g:
                    j = shown[k]
                    digits[k] = fast_digit(boxes[k], labels[j], confidence[j], line_index, shown_ids[k], probs[j])
        out = assemble(digits, numbers, after)
        out.points = list(points or [])
        out.walls = list(walls or [])
        out.slant = self._slant
        return out

    def _believed_walls(self, seen: dict[tuple[int, int], int], first: bool) -> dict[tuple[int, int], int]:
        """The walls believed between pairs of tracks, (left id, right id) -> how many, once this
        frame's ``seen`` are taken in (believed as points are: :func:`_believe`)."""
        self._wall_counts.update(seen)
        for pair in _believe(self._wall_evidence, self._walls_shown, seen, first):
            del self._wall_counts[pair]
        return {pair: self._wall_counts[pair] for pair in self._walls_shown}

    def _with_points(
        self, boxes: list, numbers: list[list[list[int]]], ids: list[int], points: list, first: bool = False
    ) -> tuple[list[list[list[int]]], dict[int, str]]:
        """The numbers (per line, index lists into the shown ``boxes``) joined across the decimal
        points (and commas) believed between two digits, and the mark after each index a point
        follows. A point belongs to the pair of tracks either side of it; its evidence is the
        decayed share of frames it was seen in (:data:`POINT_DECAY`): believed from its second
        sighting in a row (or at once on the first frame, as the first frame's digits are), and
        kept until its evidence falls under :data:`POINT_KEEP`, so a dot seen every other frame
        (small, blurred) stays, and one frame's speck never shows."""
        if not points and not self._point_evidence:
            return numbers, {}  # most frames: no point seen, none remembered
        lines = [[k for g in line for k in g] for line in numbers]
        following = {k: nxt for line in lines for k, nxt in zip(line, line[1:])}
        seen = {(ids[k], ids[following[k]]): mark for k, mark in points_after(boxes, lines, points).items()}
        self._point_marks.update(seen)
        for pair in _believe(self._point_evidence, self._points_shown, seen, first):
            del self._point_marks[pair]
        shown = self._points_shown
        after = {
            k: self._point_marks[(ids[k], ids[nxt])] for k, nxt in following.items() if (ids[k], ids[nxt]) in shown
        }
        return joined_at(numbers, after), after


def _believe(evidence: dict, shown: set, seen, first: bool = False) -> list:
    """Take one frame's sightings (``seen``: the keys sighted, a pair of track ids each) into
    ``evidence`` (key -> the decayed share of frames it was seen in, :data:`POINT_DECAY`; at once
    1 on the first frame) and ``shown`` (the keys believed: from :data:`POINT_SHOW`, until under
    :data:`POINT_KEEP`), both changed in place. Returns the keys forgotten (under
    :data:`POINT_FORGET`). Decimal points and walls between tracked digits are believed so."""
    forgotten = []
    for key in evidence.keys() | set(seen):
        e = 1.0 if first else POINT_DECAY * evidence.get(key, 0.0) + (1.0 - POINT_DECAY) * (key in seen)
        evidence[key] = e
        if e >= POINT_SHOW:
            shown.add(key)
        elif e < POINT_KEEP:
            shown.discard(key)
            if e < POINT_FORGET:
                del evidence[key]
                forgotten.append(key)
    return forgotten


def _placed(tracks: np.ndarray, dets: np.ndarray) -> np.ndarray:
    """Matched tracks' new boxes [K,4]: sized between the track's (moved) size and the
    detection's, in log scale (:data:`SIZE_FOLLOW`); centred on their detections when the sizes
    agree, else moved only part of the way there (:data:`CENTRE_FOLLOW_FAR`)."""
    old = np.maximum(tracks[:, 2:], 1.0)
    ratio = np.maximum(dets[:, 2:], 1.0) / old
    agree = (ratio >= SIZE_AGREE) & (ratio <= 1.0 / SIZE_AGREE)
    # In log scale, the way from the old size to the detection's by the weight.
    size = old * ratio ** np.where(agree, SIZE_FOLLOW, SIZE_FOLLOW_FAR)
    centre = _centres(dets)
    if not agree.all():
        far = ~agree.all(axis=1)
        moved = _centres(tracks[far])
        centre[far] = moved + CENTRE_FOLLOW_FAR * (centre[far] - moved)
    return np.concatenate([centre - 0.5 * size, size], axis=1)


def _carried(src: np.ndarray, dst: np.ndarray, boxes: np.ndarray) -> np.ndarray | None:
    """``boxes`` [K,4] moved as the boxes ``src`` [M,4] (last frame) moved to ``dst`` [M,4] (this
    frame, M >= 3): the affine map of the centres fitted in least squares, refitted once without
    the pairs it leaves over :data:`CARRY_RESIDUAL` digit heights apart (a wrong pairing); sizes
    scaled by its area change. None when the centres lie along one line, or the map is no
    frame-to-frame motion of a sheet (a mirror, a squeeze or stretch beyond 20%)."""
    p, q = _centres(src), _centres(dst)
    scale = float(np.sort(dst[:, 3])[len(dst) // 2])
    fit = _affine(p, q, scale)
    if fit is None:
        return None
    linear, pm, qm = fit
    resid = (p - pm) @ linear.T + qm - q
    keep = resid[:, 0] ** 2 + resid[:, 1] ** 2 < (CARRY_RESIDUAL * scale) ** 2
    if not keep.all():
        fit = _affine(p[keep], q[keep], scale) if np.count_nonzero(keep) >= 3 else None
        if fit is None:
            return None
        linear, pm, qm = fit
    # A frame-to-frame motion of a sheet: no mirror, no squeeze or stretch beyond 20% either way
    # (the map's singular values; a zoom as large as that is the shared motion's to follow).
    (a, b), (c, d) = linear.tolist()
    det = a * d - b * c
    half = 0.5 * (a * a + b * b + c * c + d * d)
    spread = np.sqrt(max(half * half - det * det, 0.0))
    if det <= 0 or not (0.8**2 < half - spread and half + spread < 1.25**2):
        return None
    zoom = float(np.sqrt(det))
    size = boxes[:, 2:] * zoom
    return np.concatenate([(_centres(boxes) - pm) @ linear.T + qm - 0.5 * size, size], axis=1)


def _affine(p: np.ndarray, q: np.ndarray, scale: float):
    """The least-squares affine map q ~ linear @ (p - pm) + qm of points [K,2] (K >= 3):
    (linear [2,2], pm, qm), or None when the points ``p`` lie along one line, their RMS distance
    from it under ``scale``/2 (one written row: how the sheet turns across it is not known)."""
    pm, qm = p.sum(axis=0) / len(p), q.sum(axis=0) / len(q)  # the means (np.mean's overhead is most of its cost here)
    pc = p - pm
    (a, b), (_, c) = (pc.T @ pc).tolist()
    if 0.5 * (a + c) - np.hypot(0.5 * (a - c), b) < len(p) * (0.5 * scale) ** 2:
        return None
    inverse = np.array([[c, -b], [-b, a]]) / (a * c - b * b)
    return (inverse @ (pc.T @ (q - qm))).T, pm, qm


def _one_hot(digit: int, confidence: float) -> np.ndarray:
    """Class probabilities from a label and its confidence: the rest spread evenly."""
    p = np.full(10, (1.0 - confidence) / 9)
    p[digit] = confidence
    return p


def _median(points: np.ndarray) -> complex:
    """The (upper) median of the real and of the imaginary parts of ``points`` [K] (complex,
    K >= 1), each on its own: np.median costs ~20 us, this a few."""
    k = len(points) // 2
    return complex(np.sort(points.real)[k], np.sort(points.imag)[k])


def _centres(boxes: np.ndarray) -> np.ndarray:
    return boxes[:, :2] + boxes[:, 2:] / 2


def _complex_centres(boxes: np.ndarray) -> np.ndarray:
    """The centres of ``boxes`` [K,4] as complex numbers x + iy [K]: pairwise differences of
    them are one [K,L] array, not an [K,L,2] one (several times faster at tens of digits)."""
    return (boxes[:, :2] + 0.5 * boxes[:, 2:]).view(complex)[:, 0]


def _match(det_boxes, det_probs, det_labels, trk_boxes, trk_probs, trk_labels):
    """The shared motion from the predicted track boxes [M,4] to the detections [N,4], and the
    greedy pairing, cheapest first within :data:`GATE`, of detections and moved tracks.

    Returns (motion, [(detection, track)]). The motion: each detection and same-label track that
    are each other's nearest vote, and the median of the votes closer than half a height is the
    shift when at least half the digits agree (otherwise :func:`_search_shift` looks for it).
    When the shift leaves the agreeing pairs visibly apart (a zoom or a turn), a similarity is
    fitted to them instead.

    Centres are complex numbers (x + iy): the [N,M] displacements are one array, not an [N,M,2]
    one, whose broadcasts over a last axis of 2 cost several times as much at these sizes.
    """
    n, m = len(det_boxes), len(trk_boxes)
    c_det = _complex_centres(det_boxes)
    c_trk = _complex_centres(trk_boxes)
    disp = c_det[:, None] - c_trk[None, :]  # [N,M]
    d2 = disp.real**2 + disp.imag**2
    same = det_labels[:, None] == trk_labels[None, :]
    scale = sorted(det_boxes[:, 3].tolist())[n // 2]
    masked = np.where(same, d2, np.inf)
    near = masked.argmin(axis=1)
    rows = np.arange(n)
    close = masked[rows, near] < (0.5 * scale) ** 2
    # Only a pair each other's nearest votes: digits of one label close together (a slanted
    # hand's 1s, their boxes overlapping) all had one track nearest, and their spread was taken
    # for the sheet's move.
    close &= masked.argmin(axis=0)[near] == rows
    if np.count_nonzero(close) >= max(2, (min(n, m) + 1) // 2):
        shift = _median(disp[close, near[close]])
    else:
        shift = _search_shift(disp, same, scale)
    motion = IDENTITY
    if shift is not None:
        motion = (1 + 0j, shift)
        disp = disp - shift
        d2 = disp.real**2 + disp.imag**2
        # The pairs that agree with the shift: still visibly apart on average, the camera zoomed or turned.
        masked = np.where(same, d2, np.inf)
        pair = masked.argmin(axis=1)
        resid2 = masked[rows, pair]
        ok = resid2 < (VOTE_RADIUS * scale) ** 2
        agreeing = np.count_nonzero(ok)
        if agreeing >= 3 and resid2[ok].sum() > agreeing * (SIMILARITY_RESIDUAL * scale) ** 2:
            fitted = _similarity(c_trk[pair[ok]], c_det[ok])
            if fitted is not None:
                motion = fitted
                trk_boxes = _moved(trk_boxes, motion)
                disp = c_det[:, None] - _complex_centres(trk_boxes)[None, :]
                d2 = disp.real**2 + disp.imag**2
    # Cost: centre distance in digit heights, size change, label disagreement.
    cost = np.sqrt(d2) * (2.0 / (det_boxes[:, 3:4] + trk_boxes[None, :, 3]))
    log_det = np.log(np.maximum(det_boxes[:, 2:], 1.0))
    log_trk = np.log(np.maximum(trk_boxes[:, 2:], 1.0))
    cost += SIZE_WEIGHT * (
        np.abs(log_det[:, None, 1] - log_trk[None, :, 1]) + 0.5 * np.abs(log_det[:, None, 0] - log_trk[None, :, 0])
    )
    cost += LABEL_WEIGHT * (1.0 - det_probs @ trk_probs.T)
    ii, jj = np.nonzero(cost < GATE)
    order = np.argsort(cost[ii, jj], kind="stable")
    pairs = list(zip(ii[order].tolist(), jj[order].tolist()))
    if len(set(ii.tolist())) == len(ii) and len(set(jj.tolist())) == len(jj):
        return motion, pairs  # each within the gate of one only (most frames): no conflict to settle
    used_d, used_t = set(), set()
    matches = []
    for i, j in pairs:
        if i not in used_d and j not in used_t:
            used_d.add(i)
            used_t.add(j)
            matches.append((i, j))
    return motion, matches


def _similarity(p: np.ndarray, q: np.ndarray) -> tuple[complex, complex] | None:
    """The similarity z -> a z + b (complex a: zoom and turn) taking points ``p`` [K] (complex,
    x + iy) nearest to ``q`` [K] in least squares; None when the points are too bunched to tell or
    the fit is not a plausible frame-to-frame camera motion (beyond 20% zoom or 10 degrees)."""
    pm, qm = p.mean(), q.mean()
    dp = p - pm
    spread = float((dp.real**2 + dp.imag**2).sum())
    if spread < 1.0:
        return None
    a = complex(((q - qm) * np.conj(dp)).sum() / spread)
    if not (0.8 < abs(a) < 1.25 and abs(a.imag) < 0.18 * abs(a)):
        return None
    return a, complex(qm - a * pm)


def _moved(boxes: np.ndarray, motion: tuple[complex, complex]) -> np.ndarray:
    """``boxes`` [K,4] (x, y, w, h) under the similarity z -> a z + b of their centres, sizes times |a|."""
    a, b = motion
    if a == 1:
        out = boxes.copy()
        out[:, 0] += b.real
        out[:, 1] += b.imag
        return out
    z = a * _complex_centres(boxes) + b
    out = np.empty_like(boxes)
    out[:, 2:] = boxes[:, 2:] * abs(a)
    out[:, 0] = z.real - 0.5 * out[:, 2]
    out[:, 1] = z.imag - 0.5 * out[:, 3]
    return out


def _search_shift(disp: np.ndarray, same: np.ndarray, scale: float) -> complex | None:
    """The shift (x + iy) most detections agree with, of the displacements ``disp`` [N,M]
    (complex) between detections and tracks: each same-label one is a candidate, scored by how
    many detections have a same-label track within :data:`VOTE_RADIUS` of it. None when no
    candidate is backed by :data:`SEARCH_SUPPORT` detections (two at least)."""
    candidates = disp[same]
    if len(candidates) == 0:
        return None
    if len(candidates) > 160:  # bound the cost: a regular sample keeps every part of the sheet
        candidates = candidates[:: len(candidates) // 160 + 1]
    diff = disp[None] - candidates[:, None, None]  # [K,N,M]
    diff2 = diff.real**2 + diff.imag**2
    agree = ((diff2 < (VOTE_RADIUS * scale) ** 2) & same[None]).any(axis=2).sum(axis=1)
    # Most support first, then the smallest motion.
    best = np.lexsort((candidates.real**2 + candidates.imag**2, -agree))[0]
    # Two same-label pairs agree by chance easily among ten labels (a blurred frame of misreads);
    # a real move of the sheet is backed by more of its digits, unless there are only two.
    if agree[best] < max(2, min(SEARCH_SUPPORT, disp.shape[0], disp.shape[1])):
        return None
    off = disp - candidates[best]
    members = off.real**2 + off.imag**2 < (VOTE_RADIUS * scale) ** 2
    return _median(disp[members & same])


def _merged(det_boxes: np.ndarray, tracks: np.ndarray, confirmed: np.ndarray) -> set[int]:
    """Detections [N,4] that are two or more known digits run together (touching ink, a blur):
    boxes holding the centres of two confirmed tracks [M,4] and wider than :data:`MERGE_WIDTH`
    times the wider of them. Such a box reads as one digit at best, so it is not used at all and
    the digits under it coast."""
    if not confirmed.any() or det_boxes[:, 2].max() <= MERGE_WIDTH * tracks[confirmed, 2].min():
        return set()  # no detection is wide enough to hold two known digits
    c = tracks[:, :2] + 0.5 * tracks[:, 2:]
    x0, y0 = det_boxes[:, 0:1], det_boxes[:, 1:2]
    inside = (
        (c[None, :, 0] >= x0)
        & (c[None, :, 0] <= x0 + det_boxes[:, 2:3])
        & (c[None, :, 1] >= y0)
        & (c[None, :, 1] <= y0 + det_boxes[:, 3:4])
        & confirmed[None, :]
    )
    out = set()
    for i in np.flatnonzero(inside.sum(axis=1) >= 2).tolist():
        if det_boxes[i, 2] > MERGE_WIDTH * tracks[inside[i], 2].max():
            out.add(i)
    return out


def _covers(over: np.ndarray, boxes: np.ndarray) -> list[bool]:
    """For each of ``boxes`` [K,4]: does one of the boxes ``over`` [N,4] contain its centre?"""
    c = _centres(boxes)
    x0, y0 = over[:, 0], over[:, 1]
    x1, y1 = x0 + over[:, 2], y0 + over[:, 3]
    inside = (
        (c[:, None, 0] >= x0[None])
        & (c[:, None, 0] <= x1[None])
        & (c[:, None, 1] >= y0[None])
        & (c[:, None, 1] <= y1[None])
    )
    return inside.any(axis=1).tolist()


def benchmark(n_digits: int = 20, frames: int = 300, seed: int = 0, repeat: int = 5, clock=time.perf_counter) -> float:
    """Milliseconds per frame of :meth:`Tracker.update` (tracking, lines and numbers) on a synthetic
    drifting sheet of ``n_digits`` digits in lines of 7, with box jitter, 3% missed detections and
    5% misreads: the best of ``repeat`` runs over ``frames`` frames (the least disturbed by other
    processes on the machine). ``clock=time.thread_time`` counts CPU time only, for a busy machine."""
    rng = np.random.default_rng(seed)
    per_line = 7
    base = [
        (40.0 + 45 * (k % per_line) + 30 * ((k % per_line) // 3), 60.0 + 90 * (k // per_line)) for k in range(n_digits)
    ]
    labels = rng.integers(0, 10, n_digits)
    readings = []
    for f in range(frames):
        dx, dy = 20 * np.sin(f / 15), 10 * np.sin(f / 23)
        digits = []
        for (x, y), label in zip(base, labels):
            if rng.random() < 0.03:
                continue
            probs = np.full(10, 0.002, np.float32)
            probs[int(rng.integers(10)) if rng.random() < 0.05 else int(label)] = 0.982
            box = (int(x + dx + rng.normal(0, 1)), int(y + dy + 0.1 * x + rng.normal(0, 1)), 28, 40)
            digits.append(Digit(box, int(probs.argmax()), float(probs.max()), probs=probs))
        readings.append(Reading(digits))
    best = float("inf")
    for _ in range(repeat):
        tracker = Tracker()
        t0 = clock()
        for r in readings:
            tracker.update(r, frame_size=(640, 480))
        best = min(best, clock() - t0)
    return best / frames * 1e3


if __name__ == "__main__":
    for n in (10, 20, 40):
        wall, cpu = benchmark(n), benchmark(n, clock=time.thread_time)
        print(f"Tracker.update (tracking + lines + numbers), {n} digits: {wall:.3f} ms per frame ({cpu:.3f} ms CPU)")
    from livedigits.layout import arrange

    page = [Digit((40 + 45 * (k % 7), 60 + 90 * (k // 7) + 4 * (k % 7), 28, 40), k % 10, 0.99) for k in range(20)]
    runs = [time.thread_time()]
    for _ in range(5):
        for _ in range(200):
            arrange(page)
        runs.append(time.thread_time())
    best = min(b - a for a, b in zip(runs, runs[1:])) / 200 * 1e3
    print(f"arrange (lines + numbers of one frame, no tracker), 20 digits: {best:.3f} ms CPU")
