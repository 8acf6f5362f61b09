"""Frame sources and odd inputs: image formats, sizes, broken and truncated videos."""

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from conftest import EXAMPLE_VIDEO
from livedigits.errors import LivedigitsError
from livedigits.sources import ImageSource, VideoSource, open_source, to_bgr

CLI = [sys.executable, "-m", "livedigits.cli"]


def digits_page(h=240, w=320):
    img = np.full((h, w), 235, np.uint8)
    cv2.putText(img, "47", (80, 170), cv2.FONT_HERSHEY_SIMPLEX, 3.5, 30, 9, cv2.LINE_AA)
    return img


@pytest.mark.parametrize(
    "kind",
    ["gray", "bgr", "bgra", "gray16", "bgr16", "palette"],
)
def test_every_image_kind_becomes_bgr_uint8_and_is_read(tmp_path, kind, recognizer):
    page = digits_page()
    path = tmp_path / f"{kind}.png"
    if kind == "gray":
        cv2.imwrite(str(path), page)
    elif kind == "bgr":
        cv2.imwrite(str(path), cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    elif kind == "bgra":
        # ink opaque, paper fully transparent: transparency must read as paper, not as black ink
        bgra = np.zeros((*page.shape, 4), np.uint8)
        bgra[..., :3] = page[..., None]
        bgra[..., 3] = np.where(page < 128, 255, 0)
        cv2.imwrite(str(path), bgra)
    elif kind == "gray16":
        cv2.imwrite(str(path), page.astype(np.uint16) * 257)
    elif kind == "bgr16":
        cv2.imwrite(str(path), cv2.cvtColor(page, cv2.COLOR_GRAY2BGR).astype(np.uint16) * 257)
    else:
        from PIL import Image

        Image.fromarray(page).convert("P").save(path)
    [frame] = list(ImageSource(path))
    assert frame.dtype == np.uint8 and frame.shape == (*page.shape, 3)
    assert [d.digit for d in recognizer.recognize(frame)] == [4, 7]


def test_to_bgr_float_image_is_scaled():
    out = to_bgr(np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4))
    assert out.dtype == np.uint8 and out.shape == (3, 4, 3) and out.max() == 255


def test_one_pixel_image_has_no_digits(tmp_path, recognizer):
    path = tmp_path / "dot.png"
    cv2.imwrite(str(path), np.zeros((1, 1, 3), np.uint8))
    assert recognizer.recognize(next(iter(ImageSource(path)))) == []


def test_huge_image_is_recognised(tmp_path):
    path = tmp_path / "huge.png"
    page = np.full((9000, 12000), 235, np.uint8)
    cv2.putText(page, "3", (5000, 6000), cv2.FONT_HERSHEY_SIMPLEX, 50, 30, 180, cv2.LINE_AA)
    cv2.imwrite(str(path), page)
    del page
    result = subprocess.run(
        [*CLI, "image", str(path), "--json", str(tmp_path / "r.jsonl")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    [digit] = record["digits"]
    assert digit["digit"] == 3
    x, y, w, h = digit["box"]
    assert 4900 < x < 6000 and h > 1000  # in pixels of the original image


def test_factory_picks_the_source_kind(tmp_path):
    assert isinstance(open_source(str(EXAMPLE_VIDEO)), VideoSource)
    cv2.imwrite(str(tmp_path / "a.jpg"), np.zeros((8, 8, 3), np.uint8))
    assert isinstance(open_source(str(tmp_path / "a.jpg")), ImageSource)
    with pytest.raises(LivedigitsError, match="camera 9 could not be opened"):
        open_source("9")


def test_video_source_reports_fps_and_count():
    with VideoSource(EXAMPLE_VIDEO) as source:
        assert source.fps == pytest.approx(30.0)
        assert source.frame_count == 180
        assert sum(1 for _ in source) == 180


def _write_avi(path, frames=60):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    page = cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR)
    for _ in range(frames):
        writer.write(page)
    writer.release()


def test_truncated_mp4_is_a_clear_error(tmp_path):
    cut = tmp_path / "cut.mp4"
    data = EXAMPLE_VIDEO.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = subprocess.run([*CLI, "video", str(cut)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a readable video" in result.stderr


def test_video_that_ends_early_is_read_up_to_the_cut(tmp_path):
    full = tmp_path / "full.avi"
    _write_avi(full)
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    js = tmp_path / "r.jsonl"
    result = subprocess.run(
        [*CLI, "video", str(cut), "--json", str(js), "--output", str(tmp_path / "o.mp4")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = js.read_text().splitlines()
    assert 10 <= len(lines) < 60
    assert all(json.loads(line)["digits"] for line in lines)


def test_undecodable_frames_in_the_middle_are_skipped(tmp_path):
    path = tmp_path / "damaged.avi"
    _write_avi(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20000] = np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    js = tmp_path / "r.jsonl"
    result = subprocess.run([*CLI, "video", str(path), "--json", str(js)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(js.read_text().splitlines()) >= 40  # the frames after the damage are read too


def test_image_header_claiming_a_huge_size_is_refused(tmp_path):
    # found by the fuzz test: OpenCV raises (not returns None) past its size limits
    import struct

    ok, buf = cv2.imencode(".bmp", np.zeros((8, 8, 3), np.uint8))
    data = bytearray(buf.tobytes())
    data[22:26] = struct.pack("<i", 2**30)  # BMP height
    path = tmp_path / "huge-header.bmp"
    path.write_bytes(bytes(data))
    with pytest.raises(LivedigitsError, match="not a readable image"):
        ImageSource(path)
