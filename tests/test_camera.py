"""The camera source with a stand-in capture device: newest frame only, and an unplugged camera."""

import threading
import time

import cv2
import numpy as np

from livedigits.app import run
from livedigits.sinks import JsonLinesSink, VideoSink
from livedigits.sources import CameraSource


class FakeCapture:
    """Delivers numbered frames at ~200 fps, then (after ``frames``) fails like an unplugged camera."""

    def __init__(self, frames: int, period: float = 0.005):
        self.frames, self.period, self.count = frames, period, 0
        self.settings = {}
        self.released = threading.Event()

    def isOpened(self):
        return True

    def set(self, prop, value):
        self.settings[prop] = value
        return True

    def get(self, prop):
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self):
        time.sleep(self.period)
        if self.count >= self.frames:
            return False, None
        self.count += 1
        frame = np.full((120, 160, 3), 235, np.uint8)
        frame[0, 0, 0] = self.count % 256  # the frame's number, to tell frames apart
        return True, frame

    def release(self):
        self.released.set()


def test_camera_asks_for_low_latency():
    capture = FakeCapture(frames=1)
    with CameraSource(0, 1280, 720, stall_seconds=0.3, capture=capture):
        pass
    assert capture.settings[cv2.CAP_PROP_BUFFERSIZE] == 1
    assert capture.settings[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert capture.settings[cv2.CAP_PROP_FRAME_WIDTH] == 1280
    assert capture.released.is_set()


def test_slow_consumer_gets_the_newest_frame_not_a_backlog():
    capture = FakeCapture(frames=10_000)
    with CameraSource(0, stall_seconds=1.0, capture=capture) as source:
        frames = iter(source)
        next(frames)
        time.sleep(0.2)  # processing a slow frame; the camera delivered ~40 more meanwhile
        newest = next(frames)
        assert newest[0, 0, 0] >= capture.count % 256 - 2  # no stale frame from a queue


def test_unplugged_camera_ends_the_run_cleanly(tmp_path, recognizer, capsys):
    capture = FakeCapture(frames=15)
    out, js = tmp_path / "rec.mp4", tmp_path / "rec.jsonl"
    with CameraSource(0, stall_seconds=0.5, capture=capture) as source:
        summary = run(source, recognizer, video=VideoSink(out, source.fps), jsonl=JsonLinesSink(js))
    assert 1 <= summary.frames <= 15 and not summary.interrupted
    assert "camera 0 stopped delivering frames" in capsys.readouterr().err
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames
    assert len(js.read_text().splitlines()) == summary.frames
