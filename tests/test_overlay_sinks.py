"""Overlay drawing and the output writers."""

import json

import numpy as np
import pytest

from livedigits import Digit
from livedigits.errors import LivedigitsError
from livedigits.overlay import Overlay, debug_view
from livedigits.sinks import JsonLinesSink, VideoSink, check_writable


@pytest.mark.parametrize("size", [(240, 320), (480, 640), (2160, 3840)])
def test_overlay_draws_box_and_label_near_the_digit_only(size):
    frame = np.zeros((*size, 3), np.uint8)
    h, w = size
    box = (w // 2, h // 2, w // 10, h // 6)
    Overlay().annotate(frame, [Digit(box, 7, 0.99)])
    x, y, bw, bh = box
    drawn = np.argwhere(frame.any(axis=2))
    assert len(drawn)
    # everything drawn is on the box (lines are centred on its edge) or on the tabs just above
    # (the digit) and below it (the confidence)
    margin, tab = h // 100 + 1, h // 10
    assert drawn[:, 1].min() >= x - margin and drawn[:, 1].max() <= x + max(bw, tab) + margin
    assert y - tab <= drawn[:, 0].min() and drawn[:, 0].max() <= y + bh + tab
    assert frame[y, x + bw // 2].any() and not frame[y + bh // 2, x + bw // 2].any()


def test_overlay_fps_banner_and_low_confidence_colour():
    frame = np.zeros((480, 640, 3), np.uint8)
    overlay = Overlay()
    overlay.annotate(frame, [Digit((300, 200, 40, 60), 3, 0.5)], fps=30.0)
    assert frame[:20, :100].any()  # the fps banner
    assert tuple(frame[230, 300]) == overlay.low_color


def test_debug_view_tiles_crops():
    mask = np.zeros((480, 640), np.uint8)
    crops = np.ones((3, 28, 28, 1), np.float32)
    view = debug_view(np.zeros((480, 640, 3), np.uint8), mask, crops)
    assert view.shape == (480, 640, 3) and view[:40, :120].any() and not view[200:, :].any()


def test_json_lines_are_flushed_as_written(tmp_path):
    sink = JsonLinesSink(tmp_path / "r.jsonl")
    sink.write("cam", 0, 1.234, [Digit((1, 2, 3, 4), 5, 0.912345)])
    # readable before close: a crash now would lose nothing
    [line] = (tmp_path / "r.jsonl").read_text().splitlines()
    assert json.loads(line) == {
        "source": "cam",
        "frame": 0,
        "t_ms": 1.23,
        "digits": [{"digit": 5, "confidence": 0.9123, "box": [1, 2, 3, 4]}],
    }
    sink.close()


def test_video_sink_writes_playable_video(tmp_path):
    import cv2

    sink = VideoSink(tmp_path / "v.mp4", 30.0)
    for i in range(5):
        sink.write(np.full((120, 160, 3), i * 40, np.uint8))
    sink.close()
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 5


@pytest.mark.parametrize(
    "name, message",
    [("missing/dir/out.mp4", "does not exist"), (".", "is a directory")],
)
def test_check_writable(tmp_path, name, message):
    with pytest.raises(LivedigitsError, match=message):
        check_writable(tmp_path / name)


def test_video_sink_rejects_unknown_suffix(tmp_path):
    with pytest.raises(LivedigitsError, match="must end in one of"):
        VideoSink(tmp_path / "v.gif", 30.0)
