"""Tracking on synthetic moving sheets: steady readings, ids through occlusion and fast pans."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from livedigits.layout import arrange
from livedigits.records import Digit, Reading
from livedigits.track import Tracker, benchmark

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "digits.mp4"
HEIGHT = 40
WIDTH = 28
PITCH = 45  # centre to centre along a line: wider than a digit


def sheet(texts=("31 4159", "265 35897", "9323 846")):
    """[(digit, (x, y))] top-left corners of digits written line by line on a sheet."""
    out = []
    for row, text in enumerate(texts):
        x = 60
        for ch in text:
            if ch != " ":
                out.append((int(ch), (x, 80 + 100 * row)))
            x += PITCH
    return out


def probs_for(digit, confidence=0.97):
    p = np.full(10, (1 - confidence) / 9, np.float32)
    p[digit] = confidence
    return p


def frame(items, shift=(0, 0), misread=None, hidden=(), rng=None):
    """One frame's Reading of the sheet seen shifted by ``shift``: ``misread`` maps item index to
    the digit read instead; ``hidden`` items are not detected; ``rng`` adds 1 px box jitter."""
    misread = misread or {}
    digits = []
    for k, (digit, (x, y)) in enumerate(items):
        if k in hidden:
            continue
        jx, jy = rng.integers(-1, 2, 2) if rng is not None else (0, 0)
        read = misread.get(k, digit)
        p = probs_for(read, 0.9 if k in misread else 0.97)
        box = (int(x + shift[0] + jx), int(y + shift[1] + jy), WIDTH, HEIGHT)
        digits.append(Digit(box, read, float(p[read]), probs=p))
    return Reading(digits[::-1])  # the tracker must not depend on the input order


def by_item(reading, items, shift):
    """{item index: reported Digit}, matched to the sheet's items by position; each item once."""
    out = {}
    for d in reading.digits:
        for k, (_, (x, y)) in enumerate(items):
            if abs(d.box[0] - x - shift[0]) <= 6 and abs(d.box[1] - y - shift[1]) <= 6:
                assert k not in out, f"item {k} reported twice"
                out[k] = d
    return out


def ids_by_item(reading, items, shift):
    """{item index: track id} for the reported digits."""
    return {k: d.track_id for k, d in by_item(reading, items, shift).items()}


def drift(f):
    """A hand-held camera: a few pixels per frame, both ways."""
    return (round(30 * np.sin(f / 9)), round(15 * np.sin(f / 13)))


def test_a_digit_misread_in_a_few_frames_is_reported_steadily():
    # given a drifting sheet whose "4" of "4159" is read as 9 in three frames in a row, then twice more
    items = sheet()
    rng = np.random.default_rng(0)
    misread_frames = {10, 11, 12, 20, 25}
    tracker = Tracker()
    reported, numbers = [], []
    for f in range(40):
        reading = tracker.update(frame(items, drift(f), {2: 9} if f in misread_frames else None, rng=rng))
        seen = by_item(reading, items, drift(f))
        assert len(seen) == len(items), f
        reported.append(seen)
        numbers.append([n.text for n in reading.numbers])
    # then it is reported as 4 in every frame, with one id, and every number reads as written
    assert [r[2].digit for r in reported] == [4] * 40
    assert len({r[2].track_id for r in reported}) == 1
    assert all(n == ["31", "4159", "265", "35897", "9323", "846"] for n in numbers)


def test_smoothed_reading_follows_the_evidence_of_all_frames():
    # given one digit read 7 in 8 frames and then 1 in the next 3 frames (and in the end many more)
    tracker = Tracker()
    box = (100, 100, WIDTH, HEIGHT)

    def read(digit):
        p = probs_for(digit, 0.95)
        return Reading([Digit(box, digit, 0.95, probs=p)])

    out = [tracker.update(read(7)).digits[0] for _ in range(8)]
    out += [tracker.update(read(1)).digits[0] for _ in range(3)]
    # then it stays 7, its confidence the smoothed probability of 7 (lower after the 1s)
    assert [d.digit for d in out] == [7] * 11
    assert out[7].confidence == pytest.approx(0.95, abs=1e-6)
    assert 0.5 < out[10].confidence < 0.9
    assert out[10].probs.dtype == np.float32 and out[10].probs.argmax() == 7
    # and when it keeps being read 1, the reading changes to 1
    later = [tracker.update(read(1)).digits[0].digit for _ in range(12)]
    assert later[-1] == 1 and len({d.track_id for d in out}) == 1


def test_ids_persist_through_a_short_occlusion_and_a_new_digit_gets_a_new_id():
    # given a drifting sheet tracked for 10 frames
    items = sheet()
    tracker = Tracker(max_missed=5)
    for f in range(10):
        first = ids_by_item(tracker.update(frame(items, drift(f))), items, drift(f))
    # when a pen hides three digits for 3 frames
    hidden = {2, 3, 4}
    for f in range(10, 13):
        reading = tracker.update(frame(items, drift(f), hidden=hidden))
        # then they are still reported, at the box the sheet's motion predicts, with their ids
        assert ids_by_item(reading, items, drift(f)) == first, f
    # and when they come back they keep their ids
    f = 13
    assert ids_by_item(tracker.update(frame(items, drift(f))), items, drift(f)) == first
    # when a new digit is written on the sheet
    items = [*items, (7, (60 + 9 * PITCH, 280))]
    shown_at = None
    for f in range(14, 18):
        ids = ids_by_item(tracker.update(frame(items, drift(f))), items, drift(f))
        if shown_at is None and len(items) - 1 in ids:
            shown_at = f
    # then it shows within 3 frames with an id no other digit had
    assert shown_at is not None and shown_at - 14 < 3
    assert ids[len(items) - 1] not in first.values()
    assert {k: v for k, v in ids.items() if k < len(items) - 1} == first


def test_a_track_missing_too_long_is_dropped():
    items = sheet(("12",))
    tracker = Tracker(max_missed=3)
    for _ in range(3):
        tracker.update(frame(items))
    counts = [len(tracker.update(frame(items, hidden={1})).digits) for _ in range(5)]
    assert counts == [2, 2, 2, 1, 1]


def test_a_mark_read_in_one_frame_of_five_never_shows_and_a_steady_digit_coasts():
    # Given a steady sheet, and a box's side read as a 1 in every fifth frame only
    items = sheet(("23",))
    side = Digit((300, 80, 6, HEIGHT), 1, 0.95, probs=probs_for(1, 0.95))
    tracker = Tracker()
    shown = []
    for f in range(30):
        reading = frame(items)
        if f % 5 == 1:
            reading.digits.append(side)
        shown.append(1 in [d.digit for d in tracker.update(reading).digits])
    # Then the 1 never shows (confirmed at its second reading, it coasted through 24 frames)
    assert not any(shown), shown
    # While a digit read in 20 frames in a row still coasts through 8 without a reading
    for _ in range(20):
        tracker.update(frame(items))
    assert all(2 in [d.digit for d in tracker.update(frame(items, hidden={0})).digits] for _ in range(8))


@pytest.mark.parametrize("jump", [(70, 0), (-80, 25), (0, 110)], ids=["pan-right", "pan-left-down", "tilt"])
def test_a_fast_pan_keeps_ids_by_the_shared_motion(jump):
    # given a steady sheet, then a jump of more than a digit's width (1.5-2.5 pitches) in one frame
    items = sheet()
    tracker = Tracker()
    for _ in range(5):
        before = ids_by_item(tracker.update(frame(items)), items, (0, 0))
    # when the sheet jumps (and keeps moving at that pace)
    after = []
    for step in range(1, 4):
        sx, sy = (jump[0] * step, jump[1] * step)
        whole = [
            k
            for k, (_, (x, y)) in enumerate(items)
            if 0 <= x + sx and x + sx + WIDTH <= 640 and 0 <= y + sy and y + sy + HEIGHT <= 480
        ]
        detected = [k for k, (_, (x, y)) in enumerate(items) if 0 < x + sx < 600 and 0 < y + sy < 440]
        reading = tracker.update(frame(items, (sx, sy), hidden=set(range(len(items))) - set(detected)), (640, 480))
        after.append((ids_by_item(reading, items, (sx, sy)), whole, detected))
    # then every digit still detected keeps its id, one still whole in view by the edge (no longer
    # detected) is shown with its id or not at all, and no digit is reported twice (by_item)
    for ids, whole, detected in after:
        assert all(ids.get(k) == before[k] for k in detected)
        assert set(ids) <= set(whole) and all(ids[k] == before[k] for k in ids)


def seen_as(items, linear, offset, hidden=()):
    """A Reading of the sheet under the affine map x -> linear @ x + offset of the digits' centres
    (sizes scaled by its area change)."""
    scale = float(np.sqrt(abs(np.linalg.det(linear))))
    w, h = round(WIDTH * scale), round(HEIGHT * scale)
    digits = []
    for k, (digit, (x, y)) in enumerate(items):
        if k not in hidden:
            cx, cy = linear @ np.array([x + WIDTH / 2, y + HEIGHT / 2]) + offset
            digits.append(Digit((round(cx - w / 2), round(cy - h / 2), w, h), digit, 0.97, probs=probs_for(digit)))
    return Reading(digits[::-1])


@pytest.mark.parametrize(
    "motion",
    [
        lambda f: (np.array([[1 + 0.02 * f, 0.0], [0.015 * f, 1 + 0.01 * f]]), np.array([-4.0, -3.0]) * f),
        lambda f: (
            np.array([[np.cos(0.03 * f), -np.sin(0.03 * f)], [np.sin(0.03 * f), np.cos(0.03 * f)]]),
            np.array([9.0, -6.0]) * f,
        ),
    ],
    ids=["tilting-toward-the-camera", "turning-while-panning"],
)
def test_digits_hidden_while_the_sheet_tilts_or_turns_move_with_the_seen_ones(motion):
    # given a tracked sheet whose right part a hand then hides for six frames, while the sheet
    # tilts toward the camera (its lower part grows and slides) or turns 1.7 degrees a frame
    items = sheet()
    tracker = Tracker()
    for _ in range(4):
        tracker.update(seen_as(items, *motion(0)), (640, 480))
    hidden = {k for k, (_, (x, _)) in enumerate(items) if x > 200}
    errors = []
    for f in range(1, 7):
        linear, offset = motion(f)
        reading = tracker.update(seen_as(items, linear, offset, hidden), (640, 480))
        centres = np.array([[d.box[0] + d.box[2] / 2, d.box[1] + d.box[3] / 2] for d in reading.digits])
        for k in hidden:
            x, y = items[k][1]
            truth = linear @ np.array([x + WIDTH / 2, y + HEIGHT / 2]) + offset
            errors.append(np.hypot(*(centres - truth).T).min() / HEIGHT)
    # then each hidden digit is shown where it is, within a tenth of a digit's height: the hidden
    # digits move as the seen ones do this frame (by their own velocities they lagged a third of
    # a height to a height behind)
    assert max(errors) < 0.1


def test_a_sheet_slid_over_a_still_desk_keeps_both_sets_of_ids():
    # given a sheet slid steadily right (12 px a frame, a third of a digit height) across a desk
    # that carries numbers of its own, which stay still: two motions in one view
    sheet_items = sheet(("31 4159",))
    desk_items = [(d, (x, y + 250)) for d, (x, y) in sheet(("2718", "28"))]
    tracker = Tracker()
    history = []
    for f in range(12):
        shift = (12 * f, 0)
        sheet_part = frame(sheet_items, shift, hidden={4} if 6 <= f <= 8 else ())
        reading = tracker.update(Reading(sheet_part.digits + frame(desk_items).digits), (640, 480))
        history.append((by_item(reading, sheet_items, shift), by_item(reading, desk_items, (0, 0))))
    # then every digit keeps one id, the one hidden for 3 frames included, and none is lost
    for k in range(len(sheet_items)):
        assert len({on_sheet[k].track_id for on_sheet, _ in history}) == 1, k
    for k in range(len(desk_items)):
        assert len({on_desk[k].track_id for _, on_desk in history}) == 1, k


def test_a_pull_back_keeps_ids_by_following_the_zoom():
    # given a sheet the camera suddenly pulls back from (after two still frames): 10% smaller a
    # frame about the centre, so the outer digits move by over half a digit height a frame
    items = sheet()
    tracker = Tracker()
    ids = []
    for f in range(8):
        zoom = 0.9 ** max(0, f - 1)
        digits = []
        for digit, (x, y) in items:
            cx, cy = 320 + (x + WIDTH / 2 - 320) * zoom, 240 + (y + HEIGHT / 2 - 240) * zoom
            w, h = WIDTH * zoom, HEIGHT * zoom
            p = probs_for(digit)
            digits.append(Digit((round(cx - w / 2), round(cy - h / 2), round(w), round(h)), digit, 0.97, probs=p))
        reading = tracker.update(Reading(digits), (640, 480))
        ids.append(sorted((d.box[0] + d.box[1], d.track_id) for d in reading.digits))
    # then the digits keep their ids throughout (the first jump is a similarity, not a shift)
    assert all(len(frame_ids) == len(items) for frame_ids in ids)
    assert all([i for _, i in frame_ids] == [i for _, i in ids[0]] for frame_ids in ids)


def test_two_digits_detected_run_together_keep_showing_apart():
    # given a tracked "26", then two frames in which its digits are detected as one wide "2"
    items = sheet(("26",))
    tracker = Tracker()
    for _ in range(3):
        before = [(d.digit, d.track_id, d.box) for d in tracker.update(frame(items)).digits]
    (x0, y0), (x1, _) = items[0][1], items[1][1]
    wide = Digit((x0, y0, x1 + WIDTH - x0, HEIGHT), 2, 0.9, probs=probs_for(2, 0.9))
    during = [[(d.digit, d.track_id, d.box) for d in tracker.update(Reading([wide])).digits] for _ in range(2)]
    # then the 2 and the 6 still show where they were, with their ids, and the wide box does not
    assert during == [before, before]
    assert [(d.digit, d.track_id) for d in tracker.update(frame(items)).digits] == [b[:2] for b in before]


def test_a_new_unconfirmed_detection_over_a_coasting_digit_does_not_hide_it():
    # given a tracked "7 3", then a frame where the 7 is not read but a tall, wrong-label box is
    # found over it (a pen's shadow, a stroke joined to the 7): too unlike the 7 to be its track
    items = sheet(("7 3",))
    tracker = Tracker()
    for _ in range(3):
        tracker.update(frame(items))
    (x, y) = items[0][1]
    tall = Digit((x - 36, y - 100, WIDTH + 72, HEIGHT + 200), 1, 0.9, probs=probs_for(1, 0.9))
    reading = frame(items, hidden={0})
    reading.digits.append(tall)
    shown = [d.digit for d in tracker.update(reading).digits]
    # then the 7 still shows (the new box is not shown before its second detection either)
    assert sorted(shown) == [3, 7]
    # and once the new box is confirmed it is shown and the 7 under it is not doubled
    assert sorted(d.digit for d in tracker.update(reading).digits) == [1, 3]


def test_tracks_leaving_the_frame_are_dropped_at_once():
    items = sheet(("12 34",))
    tracker = Tracker(max_missed=10)
    for f in range(3):
        tracker.update(frame(items, (-20 * f, 0)), frame_size=(640, 480))
    # the sheet pans left until its first digit leaves the frame (not detected any more)
    reading = tracker.update(frame(items, (-70, 0), hidden={0}), frame_size=(640, 480))
    assert [d.digit for d in reading.digits] == [2, 3, 4]
    assert tracker.track_count == 3


def test_a_digit_still_whole_by_the_edge_coasts_until_it_leaves():
    # given a sheet panning right 10 px a frame, its last digit's box reaching 2 px from the edge:
    # whole in view, but no longer detected (the detector leaves a margin for ink cut by the edge)
    items = sheet(("12 34",))
    tracker = Tracker()
    for shift in range(300, 370, 10):
        tracker.update(frame(items, (shift, 0)), frame_size=(640, 480))
    near = tracker.update(frame(items, (370, 0), hidden={3}), frame_size=(640, 480))
    out = tracker.update(frame(items, (380, 0), hidden={3}), frame_size=(640, 480))
    # then it is still shown while whole, and dropped once its box crosses the edge
    assert [d.digit for d in near.digits] == [1, 2, 3, 4] and near.digits[-1].box[0] + WIDTH <= 640
    assert [d.digit for d in out.digits] == [1, 2, 3]


@pytest.mark.parametrize("min_hits, ghost_shown", [(1, [True, False, False]), (2, [False, False, False])])
def test_a_one_frame_ghost_shows_at_most_in_its_frame(min_hits, ghost_shown):
    # given a tracked sheet, with a false detection in one frame
    items = sheet(("12",))
    tracker = Tracker(min_hits=min_hits)
    # then the first frame's digits show at once (whatever min_hits)
    assert [d.digit for d in tracker.update(frame(items)).digits] == [1, 2]
    ghost = Digit((400, 300, WIDTH, HEIGHT), 8, 0.99, probs=probs_for(8, 0.99))
    with_ghost = frame(items)
    with_ghost.digits.append(ghost)
    shown = [8 in [d.digit for d in tracker.update(r).digits] for r in (with_ghost, frame(items), frame(items))]
    # and the ghost shows in its own frame at most (min_hits=1), or never (min_hits=2): it does not coast
    assert shown == ghost_shown


def test_with_two_hits_needed_a_new_digit_shows_at_its_second_frame():
    tracker = Tracker(min_hits=2)
    tracker.update(frame(sheet(("1",))))
    items = sheet(("12",))
    assert [[d.digit for d in tracker.update(frame(items)).digits] for _ in range(3)] == [[1], [1, 2], [1, 2]]


def test_by_default_a_one_frame_ghost_never_shows_and_a_new_digit_shows_at_its_second_frame():
    tracker = Tracker()
    items = sheet(("12",))
    assert [d.digit for d in tracker.update(frame(items)).digits] == [1, 2]
    ghost = Digit((400, 300, WIDTH, HEIGHT), 8, 0.99, probs=probs_for(8, 0.99))
    with_ghost = frame(items)
    with_ghost.digits.append(ghost)
    assert [[d.digit for d in tracker.update(r).digits] for r in (with_ghost, frame(items))] == [[1, 2], [1, 2]]
    grown = sheet(("123",))
    assert [[d.digit for d in tracker.update(frame(grown)).digits] for _ in range(2)] == [[1, 2], [1, 2, 3]]


def test_digits_without_probabilities_are_tracked_from_digit_and_confidence():
    tracker = Tracker()
    readings = [
        Reading([Digit((50, 50, WIDTH, HEIGHT), d, c)]) for d, c in [(3, 0.99), (3, 0.98), (8, 0.85), (3, 0.99)]
    ]
    out = [tracker.update(r).digits[0] for r in readings]
    assert [d.digit for d in out] == [3, 3, 3, 3] and len({d.track_id for d in out}) == 1


def test_reset_forgets_tracks_and_restarts_ids():
    items = sheet(("12",))
    tracker = Tracker()
    tracker.update(frame(items))
    tracker.reset()
    assert tracker.track_count == 0
    assert sorted(d.track_id for d in tracker.update(frame(items)).digits) == [1, 2]


def test_tracked_digits_carry_line_and_id_into_json():
    # given two frames of a two-line sheet
    items = sheet(("12", "3"))
    tracker = Tracker()
    tracker.update(frame(items))
    reading = tracker.update(frame(items, (2, 1)))
    # then each digit's record has its line and its id, and the reading order is lines then x
    records = [json.loads(json.dumps(d.to_dict())) for d in reading.digits]
    assert [(r["digit"], r["line"]) for r in records] == [(1, 0), (2, 0), (3, 1)]
    assert all(isinstance(r["id"], int) for r in records) and len({r["id"] for r in records}) == 3
    assert records[0]["box"] == [62, 81, WIDTH, HEIGHT]
    assert [n.to_dict()["text"] for n in reading.numbers] == ["12", "3"]


def test_update_leaves_its_input_alone_and_empty_frames_are_fine():
    tracker = Tracker()
    assert tracker.update(Reading()).digits == []
    reading = frame(sheet(("5",)))
    before = list(reading.digits)
    tracker.update(reading)
    assert reading.digits == before and reading.digits[0].track_id is None
    tracker.update(reading)
    assert [d.digit for d in tracker.update(Reading()).digits] == [5]  # seen twice, now coasting


@pytest.mark.parametrize(
    "kwargs, message",
    [({"max_missed": -1}, "max_missed must be >= 0, got -1"), ({"min_hits": 0}, "min_hits must be >= 1, got 0")],
)
def test_bad_settings_name_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Tracker(**kwargs)


def test_benchmark_reports_a_time_per_frame():
    assert 0 < benchmark(n_digits=20, frames=20) < 50  # ms; the figure itself is printed by python -m livedigits.track


def test_the_example_video_is_tracked_steadily(recognizer, example_frames):
    # given the bundled example read frame by frame
    tracker = Tracker()
    previous = None
    changes = pairs = 0
    for image in example_frames:
        reading = tracker.update(recognizer.read(image), frame_size=(image.shape[1], image.shape[0]))
        current = {d.track_id: d.digit for d in reading.digits}
        if previous is not None:
            for track_id, digit in previous.items():
                pairs += 1
                changes += current.get(track_id) != digit
        previous = current
    # then tracked readings (and ids) hardly ever change between frames
    assert changes / pairs <= 0.005, (changes, pairs)


@pytest.fixture(scope="module")
def example_frames():
    capture = cv2.VideoCapture(str(EXAMPLE))
    frames = []
    try:
        while len(frames) < 90:
            ok, image = capture.read()
            if not ok:
                break
            frames.append(image)
    finally:
        capture.release()
    assert len(frames) == 90
    return frames


def test_real_frames_of_a_fast_pan_keep_their_ids(recognizer, bank):
    # given a generated camera frame of a page, then the camera jumping 60 px (two digit widths) a frame
    from benchmarks.synth import render_scene

    scene = render_scene(bank, np.random.default_rng(21), 640, 480, n_digits=16)
    tracker = Tracker()
    seen = []  # per frame: [(x, y) on the page, i.e. with the pan undone, track id]
    for offset in (0, 0, -60, -120, -180):
        pan = np.float32([[1, 0, offset], [0, 1, 0]])
        image = cv2.warpAffine(scene.image, pan, (640, 480), borderValue=(90, 100, 110))
        reading = tracker.update(recognizer.read(image), frame_size=(640, 480))
        seen.append([((d.box[0] - offset, d.box[1]), d.track_id) for d in reading.digits])
    # then each digit still in view has the id it had before the pan
    before = seen[1]
    assert len(before) >= 12
    for after in seen[2:]:
        assert len(after) >= 6
        for (x, y), track_id in after:
            assert [i for (bx, by), i in before if abs(bx - x) <= 4 and abs(by - y) <= 4] == [track_id]


def test_a_blurred_frame_of_misreads_does_not_fake_a_jump():
    # Given a steady sheet
    items = sheet()
    tracker = Tracker()
    for _ in range(5):
        before = ids_by_item(tracker.update(frame(items)), items, (0, 0))
    # When a blurred frame misreads every digit while the camera drifts a little: the first two of
    # line 1 as the digits right below them (two labels agreeing on a jump of a whole line), the
    # rest as a 7
    misread = {k: 7 for k in range(len(items))}
    misread[0], misread[1] = items[6][0], items[7][0]
    shift = (4, 6)
    reading = tracker.update(frame(items, shift, misread=misread), (640, 480))
    # Then the two coinciding misreads are not taken for the sheet's motion: the digits keep their ids
    after = ids_by_item(reading, items, shift)
    kept = sum(after.get(k) == before[k] for k in before)
    assert kept >= len(items) - 1, (kept, len(items))


def test_a_pan_that_keeps_a_few_digits_among_many_new_ones_is_still_found():
    from livedigits.track import _search_shift

    # Given 30 tracked digits in three rows, and a pan of 280 px that keeps 8 of them in view
    # beside 22 digits new to the tracker
    rng = np.random.default_rng(3)
    xs = np.array([40 + 40 * (i % 10) for i in range(30)], float)
    ys = np.array([100 + 80 * (i // 10) for i in range(30)], float)
    tracks = np.stack([xs, ys, np.full(30, 28.0), np.full(30, 40.0)], 1)
    track_labels = rng.integers(0, 10, 30)
    kept = [i for i in range(30) if xs[i] >= 320][:8]
    survivors = tracks[kept].copy()
    survivors[:, 0] -= 280
    new_x, new_y = rng.uniform(150, 600, 22), rng.choice([100, 180, 260], 22)
    new = np.stack([new_x, new_y, np.full(22, 28.0), np.full(22, 40.0)], 1)
    dets = np.vstack([survivors, new])
    det_labels = np.concatenate([track_labels[kept], rng.integers(0, 10, 22)])
    centres = lambda b: b[:, 0] + b[:, 2] / 2 + 1j * (b[:, 1] + b[:, 3] / 2)  # noqa: E731
    disp = centres(dets)[:, None] - centres(tracks)[None]
    # When the shared shift is searched for, Then it is the pan
    assert np.isclose(_search_shift(disp, det_labels[:, None] == track_labels[None], 40.0), -280)


def steady_then_reshaped(items, k, reshape):
    """A tracker after 5 frames of a steady sheet, {item: its Digit} then, and a frame of the same
    sheet in which item ``k`` is detected with its box (x, y, w, h) changed by ``reshape``."""
    tracker = Tracker()
    for _ in range(5):
        before = by_item(tracker.update(frame(items)), items, (0, 0))
    reading = frame(items)
    seen = next(d for d in reading.digits if d.box[:2] == items[k][1])
    changed = Digit(reshape(*seen.box), seen.digit, seen.confidence, probs=seen.probs)
    reading.digits[reading.digits.index(seen)] = changed
    return tracker, before, reading


def test_a_digit_seen_in_part_keeps_its_full_box_while_it_coasts():
    # Given a steady sheet; When one digit is seen in part for a frame (its lower half: a pen
    # over it), then not at all
    items = sheet()
    k = 0
    tracker, before, reading = steady_then_reshaped(items, k, lambda x, y, w, h: (x, y + h // 2, w, h - h // 2))
    tracker.update(reading)
    coasting = tracker.update(frame(items, hidden={k}))
    # Then it is still reported, about as tall as the digit, not the half it was last seen as
    box = next(d.box for d in coasting.digits if d.track_id == before[k].track_id)
    assert box[3] >= 0.85 * HEIGHT, box


def test_a_detection_that_takes_in_a_line_beside_its_digit_barely_moves_the_box():
    # Given a steady sheet; When one digit's detection takes in a piece of a box's side to its
    # left and above for a frame (its box 16 px wider and 12 px taller, so its centre 8 and 6 px off)
    items = sheet()
    k = 4
    tracker, before, reading = steady_then_reshaped(items, k, lambda x, y, w, h: (x - 16, y - 12, w + 16, h + 12))
    (x, y), w, h = items[k][1], WIDTH, HEIGHT
    box = next(d.box for d in tracker.update(reading).digits if d.track_id == before[k].track_id)
    # Then its box stays within 3 px of the digit (centred on the detection, 8 and 6 px off)
    assert abs(box[0] + box[2] / 2 - (x + w / 2)) <= 3 and abs(box[1] + box[3] / 2 - (y + h / 2)) <= 3, box


@pytest.mark.parametrize("rate", [0.9, 1.1], ids=["pulling-back", "closing-in"])
def test_boxes_follow_a_fast_zoom(rate):
    # Given a sheet the camera zooms on by 10% a frame, about the frame's centre
    items = sheet()
    tracker = Tracker()
    scale = 1.0 if rate > 1 else 3.0
    for _ in range(15):
        digits = []
        for digit, (x, y) in items:
            box = (int(320 + (x - 320) * scale), int(240 + (y - 240) * scale), int(WIDTH * scale), int(HEIGHT * scale))
            digits.append(Digit(box, digit, 0.97, probs=probs_for(digit)))
        reading = tracker.update(Reading(digits))
        scale *= rate
    # Then the reported boxes are about as tall as the digits are in the frame
    shown = sorted(d.box[3] for d in reading.digits)[len(reading.digits) // 2]
    assert abs(shown / (HEIGHT * scale / rate) - 1) < 0.15, (shown, HEIGHT * scale / rate)


def test_the_trackers_fast_digits_and_numbers_are_ordinary_immutable_records():
    import dataclasses

    from livedigits.records import fast_digit

    probs = np.full(10, 0.1, np.float32)
    fast = fast_digit((1, 2, 3, 4), 7, 0.9, 2, 5, probs)
    plain = Digit((1, 2, 3, 4), 7, 0.9, 2, 5, probs)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert fast.probs is probs and fast.to_dict() == plain.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.digit = 1
    from livedigits.records import Number, fast_number

    number = fast_number("41", (1, 2, 30, 40), 0.9, 0, (0, 1))
    assert number == Number("41", (1, 2, 30, 40), 0.9, 0, (0, 1)) and number.to_dict()["text"] == "41"
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.text = "14"


def _leaning_line(slant):
    """One line "31 4159 26" of digits leaning -0.45 (x per y): upright boxes overlapping by a
    quarter of a height inside a number, 0.3 apart between numbers (-0.025 and 0.525 along the
    lean), as a Reading whose measured lean is ``slant`` (None: too few digits to tell)."""
    digits, x = [], 40
    for text in ("31", "4159", "26"):
        for k, ch in enumerate(text):
            digits.append(Digit((x, 100, 63, 100), int(ch), 0.97, probs=probs_for(int(ch))))
            x += 63 - 25 if k < len(text) - 1 else 63 + 30
    return Reading(digits, slant=slant)


def test_the_numbers_are_grouped_again_when_the_hands_lean_is_known():
    # Given a first frame whose lean was not agreed on (0), then frames measuring -0.45
    tracker = Tracker()
    tracked = tracker.update(_leaning_line(0.0), frame_size=(900, 400))
    assert [n.text for n in tracked.numbers] == ["31415926"]  # upright, the boxes run together
    for _ in range(15):
        tracked = tracker.update(_leaning_line(-0.45), frame_size=(900, 400))
    # Then, the same digits still in view, the lean is followed and they are grouped along it
    assert tracked.slant == pytest.approx(-0.45, abs=0.05)
    assert [n.text for n in tracked.numbers] == ["31", "4159", "26"]


def test_frames_too_few_digits_to_measure_the_lean_leave_it_as_it_was():
    # Given frames whose lean is measured -0.45 and, every other frame, not measured (None)
    tracker = Tracker()
    for k in range(20):
        tracked = tracker.update(_leaning_line(-0.45 if k % 2 == 0 else None), frame_size=(900, 400))
    # Then the lean stays the measured one, not pulled towards upright
    assert tracked.slant == pytest.approx(-0.45)
    assert [n.text for n in tracked.numbers] == ["31", "4159", "26"]


def test_digits_of_one_label_close_together_are_not_taken_for_the_sheet_moving():
    # Given one 1 seen alone, then it and seven more 1s beside it, their boxes overlapping by 40%
    # (a slanted hand's "11111111"): every one of them has the first 1's track nearest
    boxes = [(10 + 38 * k, 50, 63, 100) for k in range(8)]
    tracker = Tracker()
    frames = [Reading([Digit(boxes[0], 1, 0.99, probs=probs_for(1))])] * 2
    frames += [Reading([Digit(b, 1, 0.99, probs=probs_for(1)) for b in boxes])] * 4
    for reading in frames:
        tracked = tracker.update(reading, frame_size=(1200, 400))
    # Then the sheet is not taken to have moved: eight digits, eight tracks, the first one's kept
    assert len(tracked.digits) == 8 and len({d.track_id for d in tracked.digits}) == 8
    assert sorted(d.box for d in tracked.digits) == sorted(boxes)


def test_tracked_numbers_are_parted_by_a_tables_wall_as_single_frames_are():
    # Given frames of "906" and "77" in two table cells, the gap across the wall as narrow as
    # the digits' own, and the wall between them seen in each frame
    boxes = [(100, 100, 24, 40), (132, 100, 24, 40), (164, 100, 24, 40), (198, 100, 24, 40), (230, 100, 24, 40)]
    labels = [9, 0, 6, 7, 7]
    tracker = Tracker()
    for shift in range(4):
        digits = [Digit((x + shift, y, w, h), d, 0.99) for (x, y, w, h), d in zip(boxes, labels)]
        reading = tracker.update(Reading(digits, walls=[(192 + shift, 100, 2, 40)]), (640, 480))
    # When tracked, Then the numbers are the two cells', as the frame's own reading has them
    assert [n.text for n in reading.numbers] == ["906", "77"]
    assert [n.text for n in arrange(digits, walls=[(195, 100, 2, 40)]).numbers] == ["906", "77"]


@pytest.mark.parametrize("seen_in_burst", [0, 3])
def test_ids_survive_a_blur_burst_longer_than_max_missed(seen_in_burst):
    # Given a sheet tracked for 10 frames, then a blur burst of 14 frames (0.47 s at 30 fps, more
    # than max_missed's 10) in which none, or only 3 of its 17 digits, are detected
    items = sheet()
    tracker = Tracker()
    for _ in range(10):
        before = ids_by_item(tracker.update(frame(items), (640, 480)), items, (0, 0))
    hidden = range(seen_in_burst, len(items))
    for _ in range(14):
        tracker.update(frame(items, hidden=hidden), (640, 480))
    # When the view is sharp again, Then every digit comes back with its id
    after = ids_by_item(tracker.update(frame(items), (640, 480)), items, (0, 0))
    assert after == before


def test_a_digit_missed_while_its_neighbours_are_seen_still_goes_after_max_missed():
    # Given a sheet tracked for 20 frames, then one digit no longer detected (crossed out) while
    # the others are
    items = sheet()
    tracker = Tracker(max_missed=10)
    for _ in range(20):
        tracker.update(frame(items), (640, 480))
    for _ in range(11):
        reading = tracker.update(frame(items, hidden=[0]), (640, 480))
    # Then after 11 frames it is no longer shown: only a frame-wide loss counts half
    assert 0 not in by_item(reading, items, (0, 0)) and len(reading.digits) == len(items) - 1


def test_a_sheet_taken_out_of_view_is_gone_within_twice_max_missed():
    items = sheet()
    tracker = Tracker(max_missed=10)
    for _ in range(20):
        tracker.update(frame(items), (640, 480))
    shown = [len(tracker.update(Reading([]), (640, 480)).digits) for _ in range(22)]
    assert shown[0] == len(items) and shown[-1] == 0


def test_a_tracked_number_keeps_the_lowest_id_of_its_digits_while_a_digit_joins_it():
    # given "415" tracked for 3 frames, then its 9 written after it
    items = sheet(("415",))
    tracker = Tracker()
    for _ in range(3):
        first = tracker.update(frame(items), (640, 480))
    more = sheet(("4159",))
    for _ in range(3):
        later = tracker.update(frame(more), (640, 480))
    # then the number read "415" and reads "4159" under the same id, the lowest of its digits'
    (before,), (after,) = first.numbers, later.numbers
    assert (before.text, after.text) == ("415", "4159")
    assert before.track_id == after.track_id == min(d.track_id for d in first.digits)
    assert after.to_dict()["id"] == before.track_id


@pytest.mark.parametrize("wall_frames, parted_from", [(range(3, 10), 4), ([3], None)])
def test_a_wall_seen_after_the_numbers_were_grouped_parts_them_from_its_second_sighting(wall_frames, parted_from):
    # Given "906" and "77" tracked for 3 frames with no wall seen, then the wall between them seen
    # in every frame from the fourth on, or in the fourth only (a stroke taken for a wall once)
    boxes = [(100, 100, 24, 40), (132, 100, 24, 40), (164, 100, 24, 40), (198, 100, 24, 40), (230, 100, 24, 40)]
    labels = [9, 0, 6, 7, 7]
    tracker = Tracker()
    texts = []
    for f in range(10):
        digits = [Digit(box, d, 0.99) for box, d in zip(boxes, labels)]
        walls = [(192, 100, 2, 40)] if f in wall_frames else []
        texts.append([n.text for n in tracker.update(Reading(digits, walls=walls), (640, 480)).numbers])
    # Then the numbers are parted from the wall's second sighting in a row on (the layout, cached
    # while the same digits are shown, is grouped again), and never by a wall seen once
    if parted_from is None:
        assert texts == [["90677"]] * 10
    else:
        assert texts[:parted_from] == [["90677"]] * parted_from
        assert texts[parted_from:] == [["906", "77"]] * (10 - parted_from)
