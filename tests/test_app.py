"""The loop (livedigits.app.run) with stand-in sinks, trackers and windows: every frame reaches
every sink, failures discard, signals stop after the frame in hand, keys do what the README says."""

import dataclasses
import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from benchmarks.synth import render_scene
from livedigits.app import NO_KEY, PAUSED_WAIT_MS, RunOptions, fit_to_screen, run
from livedigits.errors import LivedigitsError
from livedigits.overlay import debug_view
from livedigits.records import Frame, Reading


class RecordingSink:
    """Keeps what it is given; optionally asks for the annotated image or fails on one frame."""

    def __init__(self, needs_image=False, fail_at=None, on_write=None):
        self.needs_image, self.fail_at, self.on_write = needs_image, fail_at, on_write
        self.written, self.closed, self.discarded = [], False, False

    def write(self, frame, reading, annotated, process_ms):
        if frame.index == self.fail_at:
            raise LivedigitsError("cannot write the test sink")
        self.written.append((frame, reading, annotated, process_ms))
        if self.on_write is not None:
            self.on_write(frame)

    def close(self):
        self.closed = True

    def discard(self):
        self.discarded = True
        self.close()


class ScriptedWindow:
    """Stands in for app.Window: answers each show() with the next scripted key, records the views."""

    def __init__(self, keys=(), sleep=False):
        self.keys, self.sleep = list(keys), sleep
        self.shown: list[tuple[np.ndarray, int]] = []
        self.closed = False

    def show(self, image, wait_ms=1):
        self.shown.append((image, wait_ms))
        if self.sleep:
            time.sleep(wait_ms / 1e3)
        return self.keys.pop(0) if self.keys else NO_KEY

    def close(self):
        self.closed = True


class NumberingTracker:
    """Gives every digit a track id: its position in the frame plus 100."""

    def update(self, reading: Reading, frame_size=None) -> Reading:
        digits = [dataclasses.replace(d, track_id=100 + i) for i, d in enumerate(reading.digits)]
        return dataclasses.replace(reading, digits=digits)


@pytest.fixture(scope="module")
def scenes(bank):
    rng = np.random.default_rng(3)
    return [render_scene(bank, rng, 320, 240, n_digits=6).image for _ in range(4)]


def frames_of(images, fps=None):
    return [Frame(image, i, "test", None if fps is None else i / fps) for i, image in enumerate(images)]


def test_every_sink_gets_every_frame_and_its_reading(recognizer, scenes):
    # given a plain sink and one that wants the annotated image
    plain, drawing = RecordingSink(), RecordingSink(needs_image=True)
    originals = [s.copy() for s in scenes]
    # when the loop runs over four frames
    summary = run(frames_of(scenes), recognizer, [plain, drawing])
    # then both saw all four, in order, with the recogniser's reading and a processing time
    assert summary.frames == 4 and not summary.interrupted
    for sink in (plain, drawing):
        assert [frame.index for frame, *_ in sink.written] == [0, 1, 2, 3]
        assert sink.closed and not sink.discarded
    assert summary.digits == sum(len(r.digits) for _, r, _, _ in plain.written) >= 4 * 4
    assert all(ms > 0 for *_, ms in plain.written)
    assert all(a is None for _, _, a, _ in plain.written)
    for (frame, _, annotated, _), original in zip(drawing.written, originals):
        assert annotated.shape == original.shape and not np.array_equal(annotated, original)
        assert np.array_equal(frame.image, original)  # drawing never touches the source's frame


def test_bare_images_from_a_source_become_frames(recognizer, scenes):
    class Bare(list):
        name = "bare source"

    sink = RecordingSink()
    run(Bare(scenes[:2]), recognizer, [sink])
    assert [(f.index, f.source) for f, *_ in sink.written] == [(0, "bare source"), (1, "bare source")]


def test_the_tracker_reading_is_what_sinks_get(recognizer, scenes):
    sink = RecordingSink()
    run(frames_of(scenes[:2]), recognizer, [sink], tracker=NumberingTracker())
    ids = [d.track_id for _, reading, _, _ in sink.written for d in reading.digits]
    assert ids and all(i is not None and i >= 100 for i in ids)


def test_without_a_tracker_there_are_no_track_ids(recognizer, scenes):
    sink = RecordingSink()
    run(frames_of(scenes[:2]), recognizer, [sink])
    digits = [d for _, reading, _, _ in sink.written for d in reading.digits]
    assert digits and all(d.track_id is None for d in digits)


def test_max_frames_stops_the_run(recognizer, scenes):
    sink = RecordingSink()
    summary = run(frames_of(scenes), recognizer, [sink], options=RunOptions(max_frames=2))
    assert summary.frames == 2 and len(sink.written) == 2 and sink.closed


def test_a_failing_sink_discards_every_output_and_raises(recognizer, scenes):
    good, failing = RecordingSink(), RecordingSink(fail_at=2)
    window = ScriptedWindow()
    with pytest.raises(LivedigitsError, match="cannot write the test sink"):
        run(frames_of(scenes), recognizer, [good, failing], window=window)
    assert good.discarded and failing.discarded and window.closed


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_after_the_frame_in_hand(recognizer, scenes, signum):
    # given a sink that signals this process while the second frame is written
    before = signal.getsignal(signum)
    sink = RecordingSink(on_write=lambda frame: frame.index == 1 and os.kill(os.getpid(), signum))
    # when the loop runs
    summary = run(frames_of(scenes), recognizer, [sink])
    # then that frame is complete, no further frame is read, the run says so, the handler is back
    assert summary.interrupted and summary.frames == 2 and len(sink.written) == 2
    assert sink.closed and not sink.discarded
    assert "interrupted" in summary.line()
    assert signal.getsignal(signum) is before


def test_window_keys_debug_pause_snapshot_quit(recognizer, scenes, tmp_path):
    space, d, s, q = (ord(c) for c in " dsq")
    # frame 0: d (debug on); frame 1: space (pause), d (debug off while paused), s (save), space
    # (resume); frame 2: q
    window = ScriptedWindow([d, space, d, s, space, q])
    sink = RecordingSink()
    summary = run(frames_of(scenes), recognizer, [sink], window=window, options=RunOptions(snapshot_dir=tmp_path))

    assert summary.frames == 3 and window.closed and sink.closed  # q after frame 2
    views = [image for image, _ in window.shown]
    waits = [wait for _, wait in window.shown]
    assert len(views) == 6
    expected_debug = debug_view(scenes[1], recognizer.analyze(scenes[1]), recognizer.min_confidence)
    assert np.array_equal(views[1], expected_debug)  # d showed the debug view
    assert np.array_equal(views[2], expected_debug)  # ... which stays on screen when paused
    assert waits[2:5] == [PAUSED_WAIT_MS] * 3  # paused: the same frame, waiting for keys
    assert not np.array_equal(views[3], expected_debug)  # d while paused: back to the annotated frame
    saved = list(tmp_path.glob("livedigits-*-1.png"))
    assert len(saved) == 1 and np.array_equal(cv2.imread(str(saved[0])), views[3])  # s saved what was shown


def test_n_toggles_whole_number_labels_also_while_paused(recognizer, scenes):
    calls = []

    class SpyOverlay:
        def annotate(self, image, reading, fps=None, show_numbers=False):
            calls.append(show_numbers)
            return image

    space, n = ord(" "), ord("n")
    window = ScriptedWindow([NO_KEY, space, n, space, n])
    run(frames_of(scenes), recognizer, window=window, options=RunOptions(overlay=SpyOverlay()))
    # frame 0 plain; frame 1 plain, paused, n redraws it with numbers; frame 2 with numbers, n; frame 3 plain
    assert calls == [False, False, True, True, False]


@pytest.mark.parametrize("realtime, at_least_s", [(True, 0.45), (False, 0.0)], ids=["paced", "fast"])
def test_playback_follows_the_media_time_when_paced(recognizer, realtime, at_least_s):
    # ten blank frames of a 20 fps file take half a second when paced
    blank = [np.full((120, 160, 3), 255, np.uint8)] * 10
    window = ScriptedWindow(sleep=True)
    summary = run(frames_of(blank, fps=20), recognizer, window=window, options=RunOptions(realtime=realtime))
    waits = [wait for _, wait in window.shown]
    if realtime:
        assert summary.seconds >= at_least_s and max(waits) > 20
    else:
        assert summary.seconds < 0.4 and set(waits) == {1}


@pytest.mark.parametrize(
    "shape, screen, expected",
    [
        ((480, 640, 3), (1024, 768), (480, 640)),  # fits: untouched
        ((2000, 3000, 3), (1024, 768), (614, 922)),  # 0.9 of the screen width wins
        ((3000, 1000, 3), (1920, 1080), (972, 324)),  # a tall page: height wins
    ],
)
def test_fit_to_screen_shrinks_only(shape, screen, expected):
    image = np.zeros(shape, np.uint8)
    assert fit_to_screen(image, screen).shape[:2] == expected


def test_window_opens_at_the_frame_size_shrunk_to_the_screen(display_env):
    # Xvfb's screen is 1024x768: a 640x480 frame shows 1:1, a 3000x2000 one shrunk to fit
    code = (
        "import cv2, numpy as np\n"
        "from livedigits.app import Window\n"
        "w = Window()\n"
        "for shape in ((480, 640, 3), (2000, 3000, 3)):\n"
        "    w.show(np.zeros(shape, np.uint8), 100)\n"
        "    print(*cv2.getWindowImageRect(w.title)[2:])\n"
        "w.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=display_env)
    assert result.returncode == 0, result.stderr
    sizes = [tuple(map(int, line.split())) for line in result.stdout.split("\n") if line.strip()]
    assert sizes == [(640, 480), (922, 614)]
