"""Overlay drawing and label layout, the debug view, and the output writers."""

import json
import os
import subprocess
import sys
import threading
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from livedigits import Digit
from livedigits.errors import LivedigitsError
from livedigits.layout import arrange
from livedigits.overlay import MAIN_PLACES, Overlay, _Rects, _shared_area, beside, debug_view
from livedigits.records import Frame, Number, Reading, overlaps
from livedigits.sinks import ImageSink, JsonLinesSink, VideoSink, check_writable


def reading_of(*digits: Digit) -> Reading:
    return Reading(digits=list(digits))


# --- overlay --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(240, 320), (480, 640), (2160, 3840)])
def test_overlay_draws_box_and_label_near_the_digit_only(size):
    frame = np.zeros((*size, 3), np.uint8)
    h, w = size
    box = (w // 2, h // 2, w // 10, h // 6)
    Overlay().annotate(frame, reading_of(Digit(box, 7, 0.99)))
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
    overlay.annotate(frame, reading_of(Digit((300, 200, 40, 60), 3, 0.5)), fps=30.0)
    assert frame[:20, :100].any()  # the fps banner
    assert tuple(frame[230, 300]) == overlay.low_color


def dense_line(height: int, width: int, n: int = 24) -> Reading:
    """``n`` digits side by side across the frame, 1/12 of its height, gaps a tenth of a digit."""
    dh = height // 12
    dw = max(4, (width - 20) // n - max(1, dh // 20))
    step = dw + max(1, dh // 20)
    digits = [Digit((10 + i * step, height // 2, dw, dh), i % 10, 0.90 + 0.004 * i, track_id=i) for i in range(n)]
    return arrange(digits)


@pytest.mark.parametrize("size", [(240, 320), (2160, 3840)])
def test_labels_on_a_dense_line_never_overlap(size):
    # given a line so dense that each confidence tab is wider than its digit
    reading = dense_line(*size)
    overlay = Overlay(show_ids=True)
    boxes = [d.box for d in reading.digits]
    naive = [beside((60 * max(1, size[0] // 480), 10), b, "below-left") for b in boxes]
    assert any(overlaps(a, b) for a, b in zip(naive, naive[1:]))  # tabs under each box would collide
    # when the labels are laid out
    labels = overlay.layout_labels((*size, 3), reading, fps=25.0)
    # then no two overlap, all are inside the frame, every digit has its label, and no
    # confidence label covers a digit
    rects = [label.rect for label in labels]
    assert not [(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :] if overlaps(a, b)]
    assert all(0 <= x and 0 <= y and x + w <= size[1] and y + h <= size[0] for x, y, w, h in rects)
    main = {label.owner: label.text for label in labels if label.kind == "main"}
    assert main == {i: str(d.digit) for i, d in enumerate(reading.digits)}
    confidence = [label for label in labels if label.kind == "confidence"]
    assert confidence and not [c for c in confidence for b in boxes if overlaps(c.rect, b)]
    assert [label.kind for label in labels].count("fps") == 1


@pytest.mark.parametrize("size, grow", [((240, 320), 1), ((2160, 3840), 4)])
def test_labels_stay_readable_at_every_size(size, grow):
    # given a small digit (20x30 px); then its tabs are ~18 and ~16 px tall at 320x240 (no smaller
    # than at 640x480) and grow with a 4K frame, which is shown shrunk to fit a screen
    labels = Overlay().layout_labels((*size, 3), reading_of(Digit((size[1] // 3, size[0] // 3, 20, 30), 4, 0.99)))
    main, confidence = labels
    assert main.rect[3] >= 18 * grow and confidence.rect[3] >= 16 * grow


def test_drawn_labels_are_where_the_layout_puts_them():
    frame = np.zeros((240, 320, 3), np.uint8)
    overlay = Overlay()
    reading = dense_line(240, 320, 12)
    overlay.annotate(frame, reading)
    for label in overlay.layout_labels(frame.shape, reading):
        x, y, w, h = label.rect
        patch = frame[y : y + h, x : x + w].reshape(-1, 3)
        assert (patch == label.color).all(axis=1).mean() > 0.4  # the tab's fill
        assert (patch == overlay.text_color).all(axis=1).any()  # and its text


def test_show_numbers_labels_each_number_once():
    # given "31" and "4159" on one line
    boxes = [(20, 100, 20, 30), (42, 100, 20, 30), (120, 100, 20, 30), (142, 100, 20, 30)]
    digits = [Digit(b, d, 0.99, line=0) for b, d in zip(boxes, (3, 1, 4, 1))]
    numbers = [Number("31", (20, 100, 42, 30), 0.99, 0, (0, 1)), Number("41", (120, 100, 42, 30), 0.99, 0, (2, 3))]
    reading = Reading(digits, [[0, 1, 2, 3]], numbers)
    labels = Overlay(show_confidence=False).layout_labels((240, 320, 3), reading, show_numbers=True)
    assert [(label.text, label.owner) for label in labels] == [("31", 0), ("41", 1)]
    frame = Overlay().annotate(np.zeros((240, 320, 3), np.uint8), reading, show_numbers=True)
    assert not frame[115, 41].any()  # no box between the digits of one number
    assert frame[100, 41].any()  # the number's box


def test_a_plain_list_of_digits_is_drawn_like_a_reading():
    digits = [Digit((100, 100, 30, 40), 5, 0.97), Digit((150, 100, 30, 40), 6, 0.99)]
    assert Overlay().layout_labels((240, 320, 3), digits) == Overlay().layout_labels((240, 320), reading_of(*digits))
    a, b = np.zeros((240, 320, 3), np.uint8), np.zeros((240, 320, 3), np.uint8)
    assert np.array_equal(Overlay().annotate(a, digits, 30.0), Overlay().annotate(b, reading_of(*digits), 30.0))


def test_track_ids_are_shown_when_asked():
    reading = reading_of(Digit((100, 100, 30, 40), 5, 0.97, track_id=12))
    texts = [label.text for label in Overlay(show_ids=True).layout_labels((240, 320, 3), reading)]
    assert texts == ["5", "97% #12"]
    assert [label.text for label in Overlay().layout_labels((240, 320, 3), reading)] == ["5", "97%"]


# --- debug view -----------------------------------------------------------------------------------


def _analysis(n_crops: int, probs: bool = True):
    mask = np.zeros((240, 320), np.uint8)
    mask[50:100, 60:80] = 255
    crops = np.zeros((n_crops, 28, 28, 1), np.float32)
    crops[:, 4:24, 12:16] = 1.0  # a "1"
    p = np.full((n_crops, 10), 0.01, np.float32)
    p[:, 1] = 0.91
    return SimpleNamespace(mask=mask, crops=crops, probs=p if probs else None, reading=Reading())


def _tiles(strip: np.ndarray, tile: int) -> int:
    """How many tile cells along the strip's first row hold a crop (white pixels)."""
    return sum(int((strip[:tile, c * tile : (c + 1) * tile] == 255).all(axis=2).any()) for c in range(320 // tile))


def test_debug_view_keeps_the_mask_uncovered_and_shows_a_tile_per_crop():
    analysis = _analysis(3)
    view = debug_view(np.zeros((240, 320, 3), np.uint8), analysis)
    # the mask, whole and untouched, above
    assert view.shape[0] > 240 and view.shape[1] == 320
    assert np.array_equal(view[:240], cv2.cvtColor(analysis.mask, cv2.COLOR_GRAY2BGR))
    # a tile per crop below, each captioned with its reading: green at 0.91, orange at 0.5
    analysis.probs[2, 1] = 0.5
    strip = debug_view(np.zeros((240, 320, 3), np.uint8), analysis)[240:]
    assert _tiles(strip, 48) == 3
    green = (strip[:, :, 1] > 150) & (strip[:, :, 0] < 80) & (strip[:, :, 2] < 80)
    orange = (strip[:, :, 2] > 200) & (strip[:, :, 1] > 100) & (strip[:, :, 1] < 200) & (strip[:, :, 0] < 80)
    assert sorted({int(x) // 48 for x in np.argwhere(green)[:, 1]}) == [0, 1]
    assert sorted({int(x) // 48 for x in np.argwhere(orange)[:, 1]}) == [2]


def test_debug_view_captions_a_sure_reading_that_was_not_reported_in_blue():
    from livedigits.overlay import DEBUG_DROPPED

    # Given three crops read 1 at 0.91, of which the second was not reported (a word's letter)
    analysis = _analysis(3)
    analysis.reported = np.array([True, False, True])
    strip = debug_view(np.zeros((240, 320, 3), np.uint8), analysis)[240:]
    # Then the digit under the first and third is green, under the second blue (the captions'
    # left part, where the digit is drawn; the confidence is right-aligned in grey)
    captions = strip[48:, :, :]
    green = (captions[:, :, 1] > 150) & (captions[:, :, 0] < 80) & (captions[:, :, 2] < 80)
    blue = (captions == DEBUG_DROPPED).all(axis=2)
    for tile, reported in enumerate([True, False, True]):
        left = np.s_[:, tile * 48 : tile * 48 + 16]
        assert green[left].sum() > 5 if reported else not green[left].any()
        assert blue[left].sum() > 5 if not reported else not blue[left].any()


def test_a_real_frames_analysis_says_which_crops_were_reported(recognizer):
    # Given "Total" printed beside a handwritten-size 47 (the word's "o" and "l" read as 0 and 1)
    frame = np.full((240, 480, 3), 235, np.uint8)
    cv2.putText(frame, "Total", (20, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (30, 30, 30), 2, cv2.LINE_AA)
    cv2.putText(frame, "47", (250, 170), cv2.FONT_HERSHEY_SIMPLEX, 3.5, (30, 30, 30), 9, cv2.LINE_AA)
    analysis = recognizer.analyze(frame)
    # Then as many crops are marked reported as there are digits (4 and 7), and the word's letters
    # read as digits above the bar are marked not reported
    assert analysis.reported.dtype == bool and len(analysis.reported) == len(analysis.crops)
    assert int(analysis.reported.sum()) == len(analysis.digits)
    assert [d.digit for d in analysis.digits] == [4, 7]
    sure = analysis.probs.max(axis=1) >= recognizer.min_confidence
    assert (sure & ~analysis.reported).sum() >= 2


def test_debug_view_has_the_same_size_whatever_the_crop_count():
    frame = np.zeros((240, 320, 3), np.uint8)
    shapes = {debug_view(frame, _analysis(n)).shape for n in (0, 1, 5, 40)}
    assert len(shapes) == 1


def test_debug_view_without_probabilities_still_tiles_crops():
    view = debug_view(np.zeros((240, 320, 3), np.uint8), _analysis(2, probs=False))
    assert _tiles(view[240:], 48) == 2


def test_debug_view_of_a_real_frame(recognizer):
    frame = np.full((240, 320, 3), 235, np.uint8)
    cv2.putText(frame, "47", (80, 170), cv2.FONT_HERSHEY_SIMPLEX, 3.5, (30, 30, 30), 9, cv2.LINE_AA)
    analysis = recognizer.analyze(frame)
    view = debug_view(frame, analysis)
    assert np.array_equal(view[:240], cv2.cvtColor(analysis.mask, cv2.COLOR_GRAY2BGR))
    assert _tiles(view[240:], 48) == len(analysis.crops) >= 2


# --- sinks ----------------------------------------------------------------------------------------


def frame_of(image: np.ndarray, index: int = 0, source: str = "cam", time_s: float | None = 0.5) -> Frame:
    return Frame(image, index, source, time_s)


def test_json_lines_are_flushed_as_written(tmp_path):
    sink = JsonLinesSink(tmp_path / "r.jsonl")
    digits = [Digit((1, 2, 3, 4), 5, 0.912345, line=0, track_id=3), Digit((6, 2, 3, 4), 1, 0.99, line=0)]
    reading = Reading(digits, [[0, 1]], [Number("51", (1, 2, 8, 4), 0.912345, 0, (0, 1))])
    sink.write(frame_of(np.zeros((48, 64, 3), np.uint8), 7, "clip.mp4", 0.2333333), reading, None, 1.234)
    # readable before close: a crash now would lose nothing
    [line] = (tmp_path / "r.jsonl").read_text().splitlines()
    assert json.loads(line) == {
        "source": "clip.mp4",
        "frame": 7,
        "time_s": 0.233,
        "width": 64,
        "height": 48,
        "process_ms": 1.23,
        "digits": [
            {"digit": 5, "confidence": 0.9123, "box": [1, 2, 3, 4], "line": 0, "id": 3},
            {"digit": 1, "confidence": 0.99, "box": [6, 2, 3, 4], "line": 0},
        ],
        "numbers": [{"text": "51", "box": [1, 2, 8, 4], "confidence": 0.9123, "line": 0}],
    }
    sink.close()


def test_json_time_of_an_image_is_null(tmp_path):
    sink = JsonLinesSink(tmp_path / "r.jsonl")
    sink.write(frame_of(np.zeros((4, 4, 3), np.uint8), time_s=None), Reading(), None, 0.0)
    sink.close()
    assert json.loads((tmp_path / "r.jsonl").read_text())["time_s"] is None


def test_json_dash_goes_to_stdout_and_leaves_it_open(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sink = JsonLinesSink("-")
    for i in range(2):
        sink.write(frame_of(np.zeros((4, 4, 3), np.uint8), i), Reading(), None, 0.0)
    sink.discard()  # even a failed run does not touch stdout
    out = capsys.readouterr().out
    assert [json.loads(line)["frame"] for line in out.splitlines()] == [0, 1]
    assert not sys.stdout.closed and not (tmp_path / "-").exists()


def test_json_discard_deletes_a_partial_file(tmp_path):
    sink = JsonLinesSink(tmp_path / "r.jsonl")
    sink.write(frame_of(np.zeros((4, 4, 3), np.uint8)), Reading(), None, 0.0)
    sink.discard()
    assert not (tmp_path / "r.jsonl").exists()


def test_json_discard_leaves_a_pipe_it_was_pointed_at(tmp_path):
    # A failed run deletes its partial JSON file, never what the path names when it is no file of
    # ours: a named pipe here (or /dev/stdout, a device).
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    sink = JsonLinesSink(fifo)
    sink.write(frame_of(np.zeros((4, 4, 3), np.uint8)), Reading(), None, 0.0)
    sink.discard()
    reader.join(timeout=10)
    assert fifo.exists() and json.loads(received[0])["frame"] == 0


def test_json_discard_leaves_a_link_it_wrote_through(tmp_path):
    # --json /dev/stdout with stdout sent to a file: the link resolves to a regular file, and a
    # failed run deleted the link itself.
    target = tmp_path / "stdout.txt"
    link = tmp_path / "stdout"
    link.symlink_to(target)
    sink = JsonLinesSink(link)
    sink.write(frame_of(np.zeros((4, 4, 3), np.uint8)), Reading(), None, 0.0)
    sink.discard()
    assert link.is_symlink() and json.loads(target.read_text())["frame"] == 0


def _write_video(sink: VideoSink, n: int, size=(121, 161)) -> None:
    for i in range(n):
        image = np.full((*size, 3), i * 20, np.uint8)
        sink.write(frame_of(image, i, time_s=i / 30), Reading(), image, 1.0)
    sink.close()


def _count_frames(path) -> int:
    capture, n = cv2.VideoCapture(str(path)), 0
    while capture.read()[0]:
        n += 1
    capture.release()
    return n


def test_mp4_is_h264_that_browsers_play(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "v.mp4"
    _write_video(VideoSink(path, 30.0), 10)  # odd size: 161x121
    assert _count_frames(path) == 10
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (162, 122)  # 4:2:0 needs even
        assert stream.average_rate == 30  # exactly: stamped in milliseconds it was 29.998


def test_h264_frames_keep_their_own_times(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "live.mp4"
    sink = VideoSink(path, 30.0)
    times = [0.0, 0.1, 0.15, 0.4, 0.5]  # a live camera processed unevenly
    for i, t in enumerate(times):
        sink.write(frame_of(np.zeros((64, 64, 3), np.uint8), i, time_s=t), Reading(), None, 1.0)
    sink.close()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stamps = [float(f.pts * stream.time_base) for f in container.decode(stream)]
    assert stamps == pytest.approx(times, abs=0.002)


def test_mp4v_fallback_with_a_note_when_pyav_is_missing(tmp_path, monkeypatch, capsys):
    import livedigits.sinks

    monkeypatch.setitem(sys.modules, "av", None)  # import av -> ImportError
    monkeypatch.setattr(livedigits.sinks, "_noted_mp4v", False)
    sinks = [VideoSink(tmp_path / f"v{i}.mp4", 30.0) for i in range(2)]
    assert capsys.readouterr().err.count("pip install 'livedigits[video]'") == 1  # once per process
    _write_video(sinks[0], 5)
    assert _count_frames(tmp_path / "v0.mp4") == 5
    fourcc = int(cv2.VideoCapture(str(tmp_path / "v0.mp4")).get(cv2.CAP_PROP_FOURCC))
    assert fourcc.to_bytes(4, "little").decode() in ("mp4v", "FMP4")  # MPEG-4 part 2, as FFmpeg names it


def test_avi_stays_mjpg(tmp_path):
    _write_video(VideoSink(tmp_path / "v.avi", 30.0), 5)
    fourcc = int(cv2.VideoCapture(str(tmp_path / "v.avi")).get(cv2.CAP_PROP_FOURCC))
    assert fourcc.to_bytes(4, "little").decode() == "MJPG" and _count_frames(tmp_path / "v.avi") == 5


def test_video_sink_opens_lazily_and_discard_deletes(tmp_path):
    sink = VideoSink(tmp_path / "v.mp4", 30.0)
    assert not (tmp_path / "v.mp4").exists()
    sink.write(frame_of(np.zeros((32, 32, 3), np.uint8)), Reading(), None, 1.0)
    sink.discard()
    assert not (tmp_path / "v.mp4").exists()


def test_image_sink_names_each_annotated_image_after_its_source(tmp_path):
    sink = ImageSink(tmp_path / "out")  # created: its parent exists
    image = np.full((8, 8, 3), 77, np.uint8)
    for source in ("a/page.jpg", "b/page.png", "-", "<stdin>", "scan.tif"):
        sink.write(frame_of(image, source=source, time_s=None), Reading(), image, 1.0)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "page-2.annotated.png",
        "page.annotated.png",
        "scan.annotated.png",
        "stdin-2.annotated.png",
        "stdin.annotated.png",
    ]
    assert (cv2.imread(str(tmp_path / "out" / "page.annotated.png")) == 77).all()
    assert ImageSink.needs_image and VideoSink.needs_image and not JsonLinesSink.needs_image


def test_an_input_named_like_a_numbered_output_does_not_overwrite_it(tmp_path):
    # A new user's batch: x.jpg and x.jpg in two folders, then x-2.jpg: the second x and x-2 were
    # both written as x-2.annotated.png, one image lost.
    sink = ImageSink(tmp_path / "out")
    for shade, source in enumerate(("a/x.jpg", "b/x.jpg", "x-2.jpg", "c/x.png")):
        image = np.full((8, 8, 3), 10 * (shade + 1), np.uint8)
        sink.write(frame_of(image, index=shade, source=source, time_s=None), Reading(), image, 1.0)
    assert len(set(sink.written)) == 4
    assert [int(cv2.imread(str(path))[0, 0, 0]) for path in sink.written] == [10, 20, 30, 40]
    assert [sink.by_frame[i].name for i in range(4)] == [
        "x.annotated.png",
        "x-2.annotated.png",
        "x-2-2.annotated.png",
        "x-3.annotated.png",
    ]


def test_image_sink_needs_an_existing_parent(tmp_path):
    with pytest.raises(LivedigitsError, match="cannot be made: its parent .*missing does not exist"):
        ImageSink(tmp_path / "missing" / "out")


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


def test_json_to_a_closed_pipe_is_one_line_not_a_traceback():
    # given `... --json - | head -1`: the reader goes away after one line
    code = (
        "import sys, numpy as np\n"
        "from livedigits.errors import LivedigitsError\n"
        "from livedigits.records import Frame, Reading\n"
        "from livedigits.sinks import JsonLinesSink\n"
        "sink = JsonLinesSink('-')\n"
        "try:\n"
        "    for i in range(100000):\n"
        "        sink.write(Frame(np.zeros((4, 4, 3), np.uint8), i, 'x', None), Reading(), None, 0.0)\n"
        "except LivedigitsError as exc:\n"
        "    print(f'livedigits: {exc}', file=sys.stderr)\n"
        "    sink.close()\n"
        "print('a later line on stdout, as a summary might be')\n"
    )
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert json.loads(reader.stdout.readline())["frame"] == 0
    reader.stdout.close()
    _, err = reader.communicate(timeout=60)
    assert err.splitlines() == ["livedigits: JSON Lines output closed by its reader (broken pipe)"]


def test_a_crowded_label_covers_as_little_of_its_neighbours_as_it_can():
    # A digit in dense writing: a label above it, rows above and below, and digits close at either
    # side; every place beside it covers some box. Below, the tab would sit on most of the next
    # row's digit (and read as its label); at the right it covers only a sliver of a neighbour.
    box = (100, 100, 20, 30)
    boxes = [box, (100, 131, 20, 30), (60, 100, 30, 30), (138, 100, 20, 30)]
    placed = _Rects(56, [beside((20, 12), box, "above-left")])  # a label there already
    anchors = [(box, place) for place in MAIN_PLACES]
    rect = Overlay()._place((20, 12), anchors, placed, _Rects(56, boxes), (640, 480), True)
    assert rect == beside((20, 12), box, "right-top")


@pytest.mark.parametrize("confidence, text", [(0.9477, "94%"), (0.95, "95%"), (0.999, "99%"), (1.0, "100%")])
def test_a_confidence_is_shown_rounded_down_as_its_colour_says(confidence, text):
    # given a digit read just under the green bar (95%), which draws its box orange
    reading = reading_of(Digit((100, 100, 30, 40), 5, confidence))
    # when its labels are laid out, then its confidence never reads as more than it is
    assert [label.text for label in Overlay().layout_labels((240, 320, 3), reading)] == ["5", text]


def test_a_digits_label_is_above_it_though_the_line_above_has_no_room_over_its_own():
    # given a digit at the frame's top edge (no room above it) and one just below it, the next line
    top, under = Digit((100, 2, 10, 40), 1, 0.99), Digit((100, 72, 10, 40), 4, 0.99)  # narrow: 1s
    labels = Overlay(show_confidence=False).layout_labels((240, 320, 3), reading_of(top, under))
    mains = {label.text: label.rect for label in labels}
    # when the labels are laid out, then the lower digit's own label is the one above it (the top
    # digit's label, gone below its box, took that place and read as the lower digit's)
    x, y, w, h = mains["4"]
    assert y + h <= under.box[1] and x < under.box[0] + under.box[2] and x + w > under.box[0]
    assert not overlaps(mains["1"], mains["4"])


def test_the_label_grid_finds_exactly_the_rectangles_a_rectangle_overlaps():
    # given rectangles of many sizes, some reaching past the frame's edges, filed in a grid
    rng = np.random.default_rng(3)
    rects = [tuple(int(v) for v in (*rng.integers(-20, 600, 2), *rng.integers(0, 90, 2))) for _ in range(300)]
    grid = _Rects(56, rects)
    # when rectangles are looked up, then the answers are those of comparing with every one
    for probe in [tuple(int(v) for v in (*rng.integers(-30, 620, 2), *rng.integers(1, 120, 2))) for _ in range(500)]:
        assert grid.overlapped(probe) == any(overlaps(probe, r) for r in rects)
        assert grid.shared_area(probe) == sum(_shared_area(probe, r) for r in rects)
