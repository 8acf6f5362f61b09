"""Frame sources behind one factory: a camera index, a video file or an image file.

``open_source("0")`` is a camera, a path to a video yields its frames, a path to an image yields
it once. A source that cannot be opened raises :class:`LivedigitsError` naming it; there is no
silent fallback. Every source is a context manager and releases its capture in ``close()``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from livedigits.errors import LivedigitsError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".gif"}
MAX_BAD_FRAMES_IN_A_ROW = 25
"""A video with this many undecodable frames in a row is treated as ended (truncated file)."""


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Any image cv2.imread(IMREAD_UNCHANGED) returns -> HxWx3 uint8 BGR (alpha over white)."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        # Transparent pixels become paper-white, not black ink.
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        return (image[:, :, :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    if image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


class FrameSource:
    """Iterator of HxWx3 uint8 BGR frames with a name, fps and size."""

    name: str = ""
    fps: float = 30.0
    live: bool = False
    frame_count: int | None = None
    bad_frames: int = 0

    def __iter__(self):
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ImageSource(FrameSource):
    def __init__(self, path: str | os.PathLike):
        path = Path(path)
        _check_file(path)
        data = np.fromfile(str(path), np.uint8)
        try:
            image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
        except cv2.error:  # e.g. a damaged header claiming a size over OpenCV's limits
            image = None
        if image is None:
            raise LivedigitsError(f"not a readable image: {path}")
        self.image = to_bgr(image)
        self.name, self.frame_count, self.fps = str(path), 1, 1.0

    def __iter__(self):
        yield self.image


class VideoSource(FrameSource):
    def __init__(self, path: str | os.PathLike):
        path = Path(path)
        _check_file(path)
        self.name = str(path)
        self.capture = cv2.VideoCapture(str(path))
        try:
            ok, first = self.capture.read() if self.capture.isOpened() else (False, None)
        except cv2.error:
            ok, first = False, None
        if not ok or first is None:
            self.capture.release()
            raise LivedigitsError(f"not a readable video: {path}")
        self.first = first
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None

    def __iter__(self):
        yield self.first
        failures = 0
        while True:
            ok, frame = self.capture.read()
            if ok and frame is not None:
                failures = 0
                yield frame
                continue
            # A failed read is either the end or a frame that did not decode: skip it and count
            # it, unless there is nothing left to read.
            position = self.capture.get(cv2.CAP_PROP_POS_FRAMES)
            if self.frame_count is None or position >= self.frame_count - 1:
                return
            failures += 1
            self.bad_frames += 1
            if failures >= MAX_BAD_FRAMES_IN_A_ROW or not self.capture.grab():
                return

    def close(self) -> None:
        self.capture.release()


class CameraSource(FrameSource):
    """A camera opened for low latency, read in a background thread that keeps only the newest frame.

    Processing never works on a stale, buffered frame: MJPG where the camera offers it (less USB
    bandwidth, higher frame rates), a one-frame driver buffer, and a reader thread.
    """

    live = True

    def __init__(
        self,
        index: int,
        width: int | None = None,
        height: int | None = None,
        stall_seconds: float = 3.0,
        capture: cv2.VideoCapture | None = None,
    ):
        """``capture`` replaces ``cv2.VideoCapture(index)``, for tests and custom backends."""
        self.name = f"camera {index}"
        self.stall_seconds = stall_seconds
        self.capture = capture if capture is not None else cv2.VideoCapture(index)
        if not self.capture.isOpened():
            self.capture.release()
            raise LivedigitsError(f"camera {index} could not be opened (missing, busy or no permission)")
        self.capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        self.capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if width:
            self.capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self.capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._cond = threading.Condition()
        self._running = True
        self._thread = threading.Thread(target=self._read, name="camera-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while self._running:
            ok, frame = self.capture.read()
            if not ok or frame is None:
                time.sleep(0.01)
                continue
            with self._cond:
                self._frame, self._seq = frame, self._seq + 1
                self._cond.notify_all()

    def __iter__(self):
        seen = 0

        def fresh() -> bool:
            return self._seq != seen or not self._running

        while True:
            with self._cond:
                if not self._cond.wait_for(fresh, self.stall_seconds):
                    print(f"livedigits: {self.name} stopped delivering frames", file=sys.stderr)
                    return
                if not self._running:
                    return
                frame, seen = self._frame, self._seq
            yield frame

    def close(self) -> None:
        self._running = False
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=2.0)
        self.capture.release()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise LivedigitsError(f"no such file: {path}")
    if path.is_dir():
        raise LivedigitsError(f"is a directory, not a file: {path}")
    if path.stat().st_size == 0:
        raise LivedigitsError(f"empty file: {path}")


def is_image_path(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def open_source(spec: str | int, width: int | None = None, height: int | None = None) -> FrameSource:
    """An int or digit string is a camera index; an image suffix an image; anything else a video."""
    if isinstance(spec, int) or str(spec).isdigit():
        return CameraSource(int(spec), width, height)
    if is_image_path(spec):
        return ImageSource(spec)
    return VideoSource(spec)
