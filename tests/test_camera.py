"""Live sources: the camera with a stand-in capture device (newest frame only, an unplugged
camera, a missing one), and a stream URL served over HTTP from 127.0.0.1."""

import functools
import http.server
import os
import socketserver
import subprocess
import sys
import threading
import time

import cv2
import numpy as np
import pytest

from livedigits.app import run
from livedigits.errors import LivedigitsError
from livedigits.sinks import JsonLinesSink, VideoSink
from livedigits.sources import CameraSource, StreamSource, open_source


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
        first = next(frames)
        time.sleep(0.2)  # processing a slow frame; the camera delivered ~40 more meanwhile
        newest = next(frames)
        assert newest.image[0, 0, 0] >= capture.count % 256 - 2  # no stale frame from a queue
        assert newest.index == 1 and newest.source == "camera 0"
        # seconds since the first frame (the reader may lag the sleep on a loaded machine)
        assert first.time_s == 0.0 and 0.1 <= newest.time_s < 5.0


def test_unplugged_camera_ends_the_run_cleanly(tmp_path, recognizer, capsys):
    capture = FakeCapture(frames=15)
    out, js = tmp_path / "rec.mp4", tmp_path / "rec.jsonl"
    with CameraSource(0, stall_seconds=0.5, capture=capture) as source:
        summary = run(source, recognizer, sinks=[VideoSink(out, source.fps), JsonLinesSink(js)])
    assert 1 <= summary.frames <= 15 and not summary.interrupted
    assert "camera 0 stopped delivering frames" in capsys.readouterr().err
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == summary.frames
    assert len(js.read_text().splitlines()) == summary.frames


@pytest.mark.parametrize("opencv_log", [None, "WARNING"])
def test_missing_camera_says_one_line_only(opencv_log):
    # OpenCV's backends each log a warning (a dozen lines) when probing a camera that is not there;
    # only OPENCV_LOG_LEVEL set by the user (or -v) lets them through
    if opencv_log and not sys.platform.startswith("linux"):
        pytest.skip("the control needs Linux's V4L2 and FFmpeg probes, which warn")
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_LOG_LEVEL"}
    if opencv_log:
        env["OPENCV_LOG_LEVEL"] = opencv_log
    code = (
        "import sys\n"
        "from livedigits.errors import LivedigitsError\n"
        "from livedigits.sources import open_source\n"
        "try:\n"
        "    open_source('9')\n"
        "except LivedigitsError as exc:\n"
        "    print(f'livedigits: {exc}', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    lines = result.stderr.splitlines()
    assert lines[-1] == "livedigits: camera 9 could not be opened (missing, busy or no permission)"
    assert (len(lines) == 1) == (opencv_log is None), lines


# --- a stream served from 127.0.0.1 ---------------------------------------------------------------

STREAM_FRAMES = 30


class _MjpegHandler(http.server.BaseHTTPRequestHandler):
    """An IP camera's MJPEG-over-HTTP stream (multipart/x-mixed-replace): numbered frames at ~50 fps."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        for i in range(STREAM_FRAMES):
            image = np.full((120, 160, 3), 235, np.uint8)
            image[:, : 4 * (i + 1)] = 40  # a bar that grows: which frame this is survives JPEG
            ok, jpeg = cv2.imencode(".jpg", image)
            part = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpeg)
            try:
                self.wfile.write(part + jpeg.tobytes() + b"\r\n")
                self.wfile.flush()
            except OSError:
                return  # the client went away
            time.sleep(0.02)

    def log_message(self, *args):
        pass


@pytest.fixture
def stream_url():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _MjpegHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/stream.mjpg"
    server.shutdown()
    server.server_close()


def _bar(image: np.ndarray) -> int:
    return int((image[60] < 128).all(axis=1).sum()) // 4


def test_stream_url_is_opened_as_a_stream_with_its_url_intact(stream_url):
    with open_source(stream_url) as source:
        assert isinstance(source, StreamSource) and source.live
        assert source.url == stream_url and source.name == stream_url  # "//" not collapsed by Path
        frame = next(iter(source))
    assert frame.source == stream_url and frame.image.shape == (120, 160, 3)


def test_stream_frames_arrive_in_order_newest_first(stream_url):
    with StreamSource(stream_url, stall_seconds=1.0) as source:
        frames = []
        for frame in source:
            frames.append(frame)
            time.sleep(0.05)  # slower than the stream: frames in between are skipped, not queued
    bars = [_bar(f.image) for f in frames]
    assert 3 <= len(frames) < STREAM_FRAMES  # some skipped
    assert bars == sorted(bars) and len(set(bars)) == len(bars)  # never an older frame again
    assert bars[-1] >= STREAM_FRAMES - 2  # the last frame sent is (nearly) the last one seen
    times = [f.time_s for f in frames]
    assert times[0] == 0.0 and times == sorted(times)


def test_unreachable_stream_is_one_clear_error():
    # a port on 127.0.0.1 nothing listens on: refused at once
    with socketserver.TCPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler) as probe:
        port = probe.server_address[1]
    with pytest.raises(LivedigitsError, match=f"stream could not be opened: http://127.0.0.1:{port}/cam"):
        open_source(f"http://127.0.0.1:{port}/cam")


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_video_file_served_over_http_is_read_frame_by_frame(tmp_path):
    # given a 30-frame video file served over plain HTTP (a new user's video read 5 of 200 frames,
    # then "stopped delivering frames": the newest-frame reader ran ahead of the recogniser)
    writer = cv2.VideoWriter(str(tmp_path / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    for i in range(30):
        image = np.full((120, 160, 3), 235, np.uint8)
        image[:, : 4 * (i + 1)] = 40
        writer.write(image)
    writer.release()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(tmp_path)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # when it is opened by its URL and read slower than it plays
        with open_source(f"http://127.0.0.1:{server.server_address[1]}/clip.avi") as source:
            frames = []
            for frame in source:
                frames.append(frame)
                time.sleep(0.01)
    finally:
        server.shutdown()
        server.server_close()
    # then every frame is read, in order, as from a file
    assert not getattr(source, "live", False)
    assert [_bar(f.image) for f in frames] == list(range(1, 31))


def test_an_mp4_with_its_index_at_the_end_over_http_says_how_to_read_it(tmp_path):
    # given an .mp4 as OpenCV writes it (its index after the frames) served by a server that
    # cannot seek (Python's own): a phone's clip shared so
    # (noise, so that the file is larger than what the reader takes in at once: a few MB)
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(tmp_path / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (640, 480))
    for _ in range(30):
        writer.write(rng.integers(0, 256, (480, 640, 3), np.uint8))
    writer.release()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(tmp_path)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # when it is opened by its URL, then the error says what to do
        with pytest.raises(LivedigitsError, match="not a readable video: .*movflags \\+faststart"):
            open_source(f"http://127.0.0.1:{server.server_address[1]}/clip.mp4")
    finally:
        server.shutdown()
        server.server_close()
