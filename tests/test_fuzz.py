"""Fuzzing the public API and CLI with random and mutated frames and files (fixed seeds, bounded)."""

import subprocess
import sys

import cv2
import numpy as np
import pytest

from benchmarks.synth import render_scene
from conftest import EXAMPLE_VIDEO
from livedigits import Digit
from livedigits.errors import LivedigitsError
from livedigits.sources import ImageSource, VideoSource, exif_orientation


def random_frame(rng, bank):
    """One of many kinds of odd frame: noise, flat, gradient, shapes, or a mangled real scene."""
    h, w = int(rng.integers(1, 400)), int(rng.integers(1, 500))
    channels = [None, 3, 4][int(rng.integers(3))]
    shape = (h, w) if channels is None else (h, w, channels)
    kind = int(rng.integers(6))
    if kind == 0:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == 1:
        return np.full(shape, int(rng.integers(256)), np.uint8)
    if kind == 2:
        ramp = np.linspace(0, 255, w, dtype=np.float32)[None, :] * np.linspace(0, 1, h, dtype=np.float32)[:, None]
        frame = ramp.astype(np.uint8)
        return frame if channels is None else np.repeat(frame[..., None], channels, axis=2)
    if kind == 3:
        frame = np.full(shape, 230, np.uint8)
        for _ in range(int(rng.integers(1, 30))):
            p1 = (int(rng.integers(-50, w + 50)), int(rng.integers(-50, h + 50)))
            p2 = (int(rng.integers(-50, w + 50)), int(rng.integers(-50, h + 50)))
            color = (int(rng.integers(256)),) * (channels or 1)
            thickness = int(rng.integers(1, 12))
            [cv2.line, cv2.rectangle][int(rng.integers(2))](frame, p1, p2, color, thickness)
        return frame
    scene = render_scene(bank, rng, 320, 240, n_digits=int(rng.integers(0, 12))).image
    if kind == 4:
        scene = 255 - scene  # inverted: light ink on dark
    else:
        y, x = int(rng.integers(0, 200)), int(rng.integers(0, 280))
        scene[y : y + 40, x : x + 40] = rng.integers(0, 256, scene[y : y + 40, x : x + 40].shape, dtype=np.uint8)
    return scene


def test_random_frames_through_the_api(recognizer, bank):
    rng = np.random.default_rng(20261126)
    checked = 0
    for _ in range(300):
        frame = random_frame(rng, bank)
        digits = recognizer.recognize(frame)
        h, w = frame.shape[:2]
        checked += len(digits)
        for d in digits:
            assert isinstance(d, Digit) and 0 <= d.digit <= 9
            assert recognizer.min_confidence <= d.confidence <= 1.0 + 1e-6
            x, y, bw, bh = d.box
            assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h and bw > 0 and bh > 0
    assert checked > 50, "the mangled real scenes should give digits to check"


def mutate(data: bytes, rng) -> bytes:
    buf = bytearray(data)
    kind = int(rng.integers(4))
    if kind == 0:  # flip random bytes
        for i in rng.integers(0, len(buf), max(1, len(buf) // 200)):
            buf[i] ^= int(rng.integers(1, 256))
    elif kind == 1:  # truncate
        buf = buf[: int(rng.integers(0, len(buf)))]
    elif kind == 2:  # insert garbage
        at = int(rng.integers(0, len(buf)))
        buf[at:at] = rng.integers(0, 256, int(rng.integers(1, 2000)), dtype=np.uint8).tobytes()
    else:  # overwrite the header
        buf[: min(len(buf), 64)] = rng.integers(0, 256, min(len(buf), 64), dtype=np.uint8).tobytes()
    return bytes(buf)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory, bank):
    tmp = tmp_path_factory.mktemp("seeds")
    scene = render_scene(bank, np.random.default_rng(1), 320, 240, n_digits=8).image
    files = {}
    for suffix in (".png", ".jpg", ".bmp"):
        path = tmp / f"scene{suffix}"
        cv2.imwrite(str(path), scene)
        files[suffix] = path.read_bytes()
    avi = tmp / "clip.avi"
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for _ in range(5):
        writer.write(scene)
    writer.release()
    files[".avi"] = avi.read_bytes()
    return files


def test_mutated_files_through_the_sources(tmp_path, seeds, recognizer):
    rng = np.random.default_rng(7)
    outcomes = {"read": 0, "refused": 0}
    for i in range(120):
        suffix = list(seeds)[i % len(seeds)]
        path = tmp_path / f"m{i}{suffix}"
        path.write_bytes(mutate(seeds[suffix], rng))
        try:
            source = VideoSource(path) if suffix == ".avi" else ImageSource(path)
            with source:
                for frame in source:
                    recognizer.recognize(frame.image)
            outcomes["read"] += 1
        except LivedigitsError:
            outcomes["refused"] += 1
    # both outcomes occur: the mutations are neither all harmless nor all fatal
    assert outcomes["read"] > 0 and outcomes["refused"] > 0, outcomes


def test_mutated_exif_never_breaks_reading(tmp_path, seeds):
    # a JPEG carrying an EXIF orientation block, then mangled: the orientation parser must never
    # raise (only 1-8 come out) and the image is read or refused with our error
    from test_sources import exif_app1

    jpeg = seeds[".jpg"]
    tagged = jpeg[:2] + exif_app1(6) + jpeg[2:]
    rng = np.random.default_rng(3)
    for i in range(200):
        data = bytearray(tagged)
        for at in rng.integers(2, 60, int(rng.integers(1, 6))):  # hit the EXIF block itself
            data[at] = int(rng.integers(256))
        data = mutate(bytes(data), rng) if i % 4 == 0 else bytes(data)
        assert 1 <= exif_orientation(data) <= 8
        path = tmp_path / f"e{i}.jpg"
        path.write_bytes(data)
        try:
            assert next(iter(ImageSource(path))).image.dtype == np.uint8
        except LivedigitsError:
            pass  # refused with our one-line error: fine


@pytest.mark.slow
def test_mutated_files_through_the_cli(tmp_path, seeds):
    rng = np.random.default_rng(11)
    for i in range(12):
        suffix = [".png", ".jpg", ".avi"][i % 3]
        path = tmp_path / f"m{i}{suffix}"
        path.write_bytes(mutate(seeds[suffix], rng))
        command = "video" if suffix == ".avi" else "image"
        result = subprocess.run(
            [sys.executable, "-m", "livedigits.cli", command, str(path)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode in (0, 2), result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_example_video_mutations_never_crash(tmp_path):
    rng = np.random.default_rng(5)
    data = EXAMPLE_VIDEO.read_bytes()[:300_000]
    for i in range(5):
        path = tmp_path / f"v{i}.mp4"
        path.write_bytes(mutate(data, rng))
        result = subprocess.run(
            [sys.executable, "-m", "livedigits.cli", "video", str(path), "--max-frames", "20"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr, result.stderr
