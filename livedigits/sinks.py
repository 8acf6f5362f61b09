"""Where a run's results go: an annotated video, annotated images, JSON Lines.

Every sink has ``write(frame, reading, annotated, process_ms)``, ``close()``, ``discard()`` and
``needs_image`` (True when it wants the annotated image; the loop draws only when one does).
Each checks its path before the first frame (an unwritable path fails at once, not after an
hour) and opens its file with the first frame (a run that fails to start leaves nothing). The app
calls ``close()`` in a ``finally``: the video is finalised and playable, and every JSON line
written so far is complete and flushed; ``discard()`` is for a run that failed part-way and
deletes what would look complete.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from livedigits.errors import LivedigitsError, OutputClosed, opencv_path, silence
from livedigits.records import ANNOTATED_SUFFIX, Frame, Reading

VIDEO_SUFFIXES = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "mp4v"}
"""Suffixes a video output may have, with the OpenCV codec used when PyAV is not installed."""
H264_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv"}
H264_CRF = "23"
H264_PRESET = "superfast"
"""x264's default quality at its second-fastest preset: on the bundled 640x480 example ~7 ms a
frame on a busy two-core machine (veryfast: ~15 ms, half a live camera's budget) and a file ~45%
smaller than mp4v's, with boxes and labels crisp."""
VIDEO_INSTALL = "pip install 'livedigits[video]'"
STDOUT = "-"
TICK = Fraction(1, 90000)
"""The time base frames are stamped in: MPEG's 90 kHz clock, in which a frame of 25, 30, 60 or
29.97 fps (1001/30000 s) lasts a whole number of ticks (with milliseconds a 30 fps file came out
at 29.998 fps), and a live camera's own times are kept to 11 microseconds."""

_noted_mp4v = False


def output_directory(directory: str | os.PathLike, what: str = "output directory", make: bool = True) -> Path:
    """``directory``, made if it is missing and its parent is a directory (``make``: False only
    checks that it could be: a run that fails before its output leaves no empty directory); a
    clear error (naming it as ``what``) when it is a file or cannot be made or written to, or is
    "-" (standard output is for JSON Lines: a directory named "-" was made)."""
    if os.fspath(directory) == "-":
        raise LivedigitsError(f'{what} "-" is not a directory (standard output takes JSON Lines: --json -)')
    directory = Path(directory)
    if not directory.exists():
        parent = directory.parent
        if not parent.is_dir():
            problem = "is a file" if parent.exists() else "does not exist"
            raise LivedigitsError(f"{what} {directory} cannot be made: its parent {parent} {problem}")
        if not os.access(parent, os.W_OK):
            raise LivedigitsError(f"{what} {directory} cannot be made: {parent} is not writable")
        if not make:
            return directory
        try:
            directory.mkdir()
        except OSError as exc:
            raise LivedigitsError(f"cannot create {what} {directory}: {exc.strerror}") from exc
    if not directory.is_dir():
        raise LivedigitsError(f"{what} is a file: {directory}")
    if not os.access(directory, os.W_OK):
        raise LivedigitsError(f"{what} is not writable: {directory}")
    return directory


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


def _pyav():
    """The ``av`` module, or None when PyAV is not installed (or blocked, or built without libx264)."""
    try:
        import av
    except ImportError:
        return None
    return av if "libx264" in av.codecs_available else None


class VideoSink:
    """The annotated frames as a video, opened with the first frame.

    ``.mp4``/``.m4v``/``.mov``/``.mkv`` are H.264 (yuv420p, which browsers play) through PyAV's
    libx264 when ``av`` is installed, else mp4v through OpenCV with a one-time note on stderr;
    ``.avi`` is MJPG through OpenCV. With PyAV each frame is stamped with its own ``time_s`` (a
    live camera processed at 12 fps plays back at the speed it happened); the OpenCV writers use
    ``fps`` throughout. Odd frame sizes are padded by one pixel (4:2:0 needs even sizes); frames
    that change size are resized to the first.
    """

    needs_image = True

    def __init__(self, path: str | os.PathLike, fps: float):
        self.path = check_writable(path)
        opencv_path(self.path)  # (PyAV and OpenCV take a name only as UTF-8)
        suffix = self.path.suffix.lower()
        if suffix not in VIDEO_SUFFIXES:
            # (as given: a directory's "out/" is no video file, and the path would drop its slash)
            raise LivedigitsError(f"video output must end in one of {sorted(VIDEO_SUFFIXES)}, got {os.fspath(path)}")
        if not fps > 0:
            raise LivedigitsError(f"video frame rate must be positive, got {fps}")
        self.fps = float(fps)
        self.av = _pyav() if suffix in H264_SUFFIXES else None
        self.codec = "h264" if self.av is not None else VIDEO_SUFFIXES[suffix]
        if self.av is None and suffix in H264_SUFFIXES:
            _note_mp4v()
        self.size: tuple[int, int] | None = None
        """(width, height) as written, set by the first frame."""
        self.frames = 0
        self._writer: cv2.VideoWriter | None = None
        self._container = self._stream = None
        self._t0: float | None = None
        self._last_pts = -1

    def write(self, frame: Frame, reading: Reading, annotated: np.ndarray | None, process_ms: float) -> None:
        """Append ``annotated`` (``frame.image`` when None): HxWx3 uint8 BGR."""
        image = annotated if annotated is not None else frame.image
        if self.size is None:
            self._open(image)
        h, w = image.shape[:2]
        if (w, h) != self.size:
            if (w + w % 2, h + h % 2) == self.size:
                image = cv2.copyMakeBorder(image, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
            else:
                image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        try:
            if self._writer is not None:
                self._writer.write(image)
            else:
                self._encode(image, frame.time_s)
        except (OSError, self._av_error()) as exc:
            raise LivedigitsError(f"cannot write video {self.path}: {_reason(exc)}") from exc
        self.frames += 1

    def _av_error(self):
        return self.av.error.FFmpegError if self.av is not None else OSError

    def _open(self, image: np.ndarray) -> None:
        h, w = image.shape[:2]
        if self.av is None:
            self.size = (w, h)
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*self.codec), self.fps, self.size)
            if not self._writer.isOpened():
                raise LivedigitsError(f"cannot write video: {self.path}")
            return
        self.size = (w + w % 2, h + h % 2)
        try:
            # faststart puts the index first, so a browser plays the file while it downloads
            options = {"movflags": "+faststart"} if self.path.suffix.lower() != ".mkv" else {}
            self._container = self.av.open(str(self.path), mode="w", options=options)
            rate = Fraction(self.fps).limit_denominator(1001)
            self._stream = self._container.add_stream("libx264", rate=rate)
            self._stream.width, self._stream.height = self.size
            self._stream.pix_fmt = "yuv420p"
            # each frame is stamped with its own time
            self._stream.time_base = self._stream.codec_context.time_base = TICK
            self._stream.options = {"crf": H264_CRF, "preset": H264_PRESET}
            # the file is created here, not with the encoder's first packets (frames later)
            self._container.start_encoding()
        except (OSError, self.av.error.FFmpegError) as exc:
            container, self._container = self._container, None
            if container is not None:
                try:
                    container.close()
                except (OSError, self.av.error.FFmpegError):
                    pass  # the error being raised says what went wrong
            raise LivedigitsError(f"cannot write video {self.path}: {_reason(exc)}") from exc

    def _encode(self, image: np.ndarray, time_s: float | None) -> None:
        if time_s is None:
            time_s = self.frames / self.fps
        if self._t0 is None:
            self._t0 = time_s
        # strictly increasing: two frames stamped the same tick would be refused
        pts = max(round((time_s - self._t0) / TICK), self._last_pts + 1)
        self._last_pts = pts
        frame = self.av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        frame.pts, frame.time_base = pts, TICK
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def _close_container(self) -> None:
        container, self._container = self._container, None
        if container is None:
            return
        try:
            if self._stream is not None and self.frames:
                for packet in self._stream.encode(None):  # flush the encoder's delayed frames
                    container.mux(packet)
        finally:
            container.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        try:
            self._close_container()
        except (OSError, self._av_error()) as exc:
            raise LivedigitsError(f"cannot finish video {self.path}: {_reason(exc)}") from exc

    def discard(self) -> None:
        """Close and delete: for a run that failed, whose output would pretend to be complete."""
        opened = self.size is not None
        try:
            self.close()
        except LivedigitsError:
            pass  # it is being deleted anyway
        if opened:
            _remove_partial(self.path)


def _remove_partial(path: Path) -> None:
    """Delete a failed run's output: a regular file only, never a device, a pipe or a link it
    was written through (``--json /dev/stdout`` with stdout sent to a file), and quietly when it
    cannot be."""
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            path.unlink()
    except OSError:
        pass


def _reason(exc: Exception) -> str:
    """An OS or FFmpeg error in a few words ("No such file or directory"), without errno and path."""
    return getattr(exc, "strerror", None) or str(exc)


def _note_mp4v() -> None:
    global _noted_mp4v
    if not _noted_mp4v:
        _noted_mp4v = True
        print(
            "livedigits: note: PyAV (with libx264) is not installed, so video is written as mp4v, "
            f"which browsers do not play; for H.264: {VIDEO_INSTALL}",
            file=sys.stderr,
        )


def write_png(path: Path, image: np.ndarray) -> None:
    """``image`` as a PNG file at ``path``, encoded by OpenCV and written by Python (OSError when
    it cannot be): OpenCV's own file writing crashes the process on a name that is not valid UTF-8
    (an input's Latin-1 name, kept)."""
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise OSError("the image could not be encoded")
    path.write_bytes(png.tobytes())


class ImageSink:
    """Each annotated image as ``<directory>/<stem>.annotated.png``.

    The directory is created when its parent exists. Two inputs with the same stem (``a/p.jpg``,
    ``b/p.png``) are written as ``p.annotated.png`` and ``p-2.annotated.png``; an image from stdin
    as ``stdin.annotated.png``. Every file is complete when written, so ``discard()`` keeps them.
    """

    needs_image = True

    def __init__(self, directory: str | os.PathLike):
        self.directory = output_directory(directory)
        self.written: list[Path] = []
        self.by_frame: dict[int, Path] = {}
        """Each image's file by its frame index (what :class:`JsonLinesSink` records)."""
        self._stems: dict[str, int] = {}  # stem -> how many of its numbered names were tried
        self._taken: set[str] = set()  # the names written this run

    def target(self, source: str) -> Path:
        """The file the image from ``source`` goes to (each call reserves a new name, never one this
        run has written: an input named ``p-2.jpg`` beside two named ``p.jpg`` gets ``p-2-2``)."""
        stem = "stdin" if source in ("-", "<stdin>") else (Path(source).stem or "image")
        seen = self._stems.get(stem, 0)
        name = f"{stem}{ANNOTATED_SUFFIX}"
        while name in self._taken:
            seen += 1
            name = f"{stem}-{seen + 1}{ANNOTATED_SUFFIX}"
        self._stems[stem] = seen
        self._taken.add(name)
        return self.directory / name

    def write(self, frame: Frame, reading: Reading, annotated: np.ndarray | None, process_ms: float) -> None:
        path = self.target(frame.source)
        try:
            write_png(path, annotated if annotated is not None else frame.image)
        except OSError as exc:
            raise LivedigitsError(f"cannot write {path}: {_reason(exc)}") from exc
        self.written.append(path)
        self.by_frame[frame.index] = path

    def close(self) -> None:
        pass

    def discard(self) -> None:
        pass  # each image written is whole; nothing pretends to be more than it is


class JsonLinesSink:
    """One JSON object per frame or image, each flushed as written; ``"-"`` writes to stdout.

    ``{"source": "clip.mp4", "frame": 0, "time_s": 0.0, "width": 640, "height": 480,
    "process_ms": 3.1, "digits": [Digit.to_dict(), ...], "numbers": [Number.to_dict(), ...]}``

    ``time_s`` is the frame's media time (seconds into the video; since the first frame for a
    camera or stream; null for images); ``process_ms`` the time recognising it took. An image
    that could not be read has a record of its own in its place, ``{"source": "b.jpg", "frame":
    null, "error": "not a readable image: b.jpg"}`` (:meth:`unreadable`). With ``images`` (the
    run's :class:`ImageSink`, before this sink among the run's sinks) each record also names the
    annotated file written for it: ``"annotated": "out/p.annotated.png"``. Stdout is flushed,
    never closed, and ``discard()`` leaves it alone (and any path that is no regular file:
    :func:`_remove_partial`).
    """

    needs_image = False

    def __init__(self, path: str | os.PathLike, images: ImageSink | None = None):
        self.images = images
        self.stdout = str(path) == STDOUT
        self.path = Path(STDOUT) if self.stdout else check_writable(path)
        self.file = None  # opened with the first record: a run that fails to start leaves no file

    def write(self, frame: Frame, reading: Reading, annotated: np.ndarray | None, process_ms: float) -> None:
        h, w = frame.image.shape[:2]
        self._put(
            {
                "source": frame.source,
                "frame": frame.index,
                "time_s": None if frame.time_s is None else round(frame.time_s, 3),
                "width": w,
                "height": h,
                "process_ms": round(process_ms, 2),
                "digits": [d.to_dict() for d in reading.digits],
                "numbers": [n.to_dict() for n in reading.numbers],
            }
            | self._annotated(frame)
        )

    def _annotated(self, frame: Frame) -> dict:
        if self.images is None:
            return {}
        path = self.images.by_frame.get(frame.index)
        return {"annotated": None if path is None else str(path)}

    def unreadable(self, source: str, message: str) -> None:
        """The record of an input that could not be read: its name and why."""
        self._put({"source": source, "frame": None, "error": message})

    def _put(self, record: dict) -> None:
        if self.file is None:
            self.file = sys.stdout if self.stdout else self._open()
        try:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
        except BrokenPipeError as exc:
            if self.stdout:
                silence(sys.stdout)
            raise OutputClosed("JSON Lines output closed by its reader (broken pipe)") from exc
        except OSError as exc:
            raise LivedigitsError(f"cannot write {self.path}: {exc.strerror}") from exc

    def _open(self):
        try:
            return open(self.path, "w", encoding="utf-8")
        except OSError as exc:
            raise LivedigitsError(f"cannot write {self.path}: {exc.strerror}") from exc

    def close(self) -> None:
        if self.file is None or self.file.closed:
            return
        if self.stdout:
            try:
                self.file.flush()
            except (BrokenPipeError, ValueError):
                pass  # the reader has gone; nothing is left to say to it
        else:
            try:
                self.file.close()
            except BrokenPipeError:
                pass  # a path that is a pipe (/dev/stdout, a FIFO) whose reader has gone

    def discard(self) -> None:
        """Close and delete: for a run that failed, whose output would pretend to be complete."""
        opened = self.file is not None
        self.close()
        if opened and not self.stdout:
            _remove_partial(self.path)
