"""Outputs that survive interruption: an annotated video and a JSON Lines results file.

Both check their path before the first frame (an unwritable path fails at once, not after an hour),
and both are closed by ``close()``, which the app calls in a ``finally``: the video is finalised
and playable, and every JSON line written so far is complete and flushed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np

from livedigits.errors import LivedigitsError
from livedigits.records import Digit

VIDEO_SUFFIXES = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "mp4v"}


def check_writable(path: str | os.PathLike) -> Path:
    """Fail early, with the path in the message, when ``path`` cannot be created."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise LivedigitsError(f"output path is a directory: {path}")
    if not parent.is_dir():
        raise LivedigitsError(f"output directory does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise LivedigitsError(f"output directory is not writable: {parent}")
    return path


class VideoSink:
    """Writes annotated frames to .mp4 ('mp4v') or .avi ('MJPG'); opened lazily on the first frame."""

    def __init__(self, path: str | os.PathLike, fps: float):
        self.path = check_writable(path)
        suffix = self.path.suffix.lower()
        if suffix not in VIDEO_SUFFIXES:
            raise LivedigitsError(f"video output must end in one of {sorted(VIDEO_SUFFIXES)}, got {self.path}")
        self.fourcc = cv2.VideoWriter_fourcc(*VIDEO_SUFFIXES[suffix])
        self.fps = fps
        self.writer: cv2.VideoWriter | None = None
        self.size: tuple[int, int] | None = None
        self.frames = 0

    def write(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        if self.writer is None:
            self.size = (w, h)
            self.writer = cv2.VideoWriter(str(self.path), self.fourcc, self.fps, self.size)
            if not self.writer.isOpened():
                raise LivedigitsError(f"cannot write video: {self.path}")
        elif (w, h) != self.size:
            frame = cv2.resize(frame, self.size)
        self.writer.write(frame)
        self.frames += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()
            self.writer = None

    def discard(self) -> None:
        """Close and delete: for a run that failed, whose output would pretend to be complete."""
        opened = self.size is not None
        self.close()
        if opened:
            self.path.unlink(missing_ok=True)


class JsonLinesSink:
    """One JSON object per frame or image, flushed as written:

    ``{"source": ..., "frame": 0, "t_ms": 2.1, "digits": [{"digit": 7, "confidence": 0.998, "box": [x, y, w, h]}]}``
    """

    def __init__(self, path: str | os.PathLike):
        self.path = check_writable(path)
        self.file = None  # opened with the first record: a run that fails to start leaves no file

    def write(self, source: str, frame: int, t_ms: float, digits: list[Digit]) -> None:
        if self.file is None:
            try:
                self.file = open(self.path, "w", encoding="utf-8")
            except OSError as exc:
                raise LivedigitsError(f"cannot write {self.path}: {exc.strerror}") from exc
        record = {"source": source, "frame": frame, "t_ms": round(t_ms, 2), "digits": [d.to_dict() for d in digits]}
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()

    def close(self) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()

    def discard(self) -> None:
        """Close and delete: for a run that failed, whose output would pretend to be complete."""
        opened = self.file is not None
        self.close()
        if opened:
            self.path.unlink(missing_ok=True)
