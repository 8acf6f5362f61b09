"""Frame sources behind one factory: a camera, a stream URL, a video file, images.

``open_source("0")`` is a camera, ``open_source("rtsp://host/cam")`` a stream, a video path yields
its frames, an image path yields it once, a directory or a glob its images, ``"-"`` one image read
from stdin. Every source yields :class:`~livedigits.records.Frame` records, is a context manager,
and releases what it holds in ``close()``. A source that cannot be opened raises
:class:`LivedigitsError` naming it; there is no silent fallback::

    with open_source("clip.mp4") as source:
        for frame in source:          # Frame(image HxWx3 uint8 BGR, index, source, time_s)
            ...
"""

from __future__ import annotations

import glob
import os
import re
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from livedigits.errors import LivedigitsError, is_utf8, opencv_path
from livedigits.records import ANNOTATED_SUFFIX, Frame

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".gif"}
UNREAD_PHOTO_SUFFIXES = {".heic", ".heif", ".avif", ".jxl", ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".raf"}
"""Phone and camera photo formats OpenCV's wheels may not decode (some builds read AVIF): in a
directory or a glob, each such file OpenCV cannot read is reported as skipped (a phone's HEIC
photos among its JPEGs were passed over silently), and the others are read; named alone, one
that cannot be read says to convert it."""
CONVERT = "convert to JPEG or PNG first"
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"}
"""Only for a hint when one is given as an image: a video is opened by whatever decodes it."""
STREAM_SCHEMES = ("rtsp://", "rtmp://", "http://", "https://")
STDIN = "-"
STDIN_NAME = "<stdin>"
"""What an image read from stdin is called in messages and records."""
MAX_BAD_FRAMES_IN_A_ROW = 25
"""A video with this many undecodable frames in a row is treated as ended (truncated file)."""
STREAM_OPEN_TIMEOUT_MS = 10_000
STREAM_READ_TIMEOUT_MS = 5_000
"""A stream that does not answer within these is reported, not waited on for FFmpeg's default minutes."""


# --- images -------------------------------------------------------------------------------------


def _eight_bits(image: np.ndarray) -> np.ndarray:
    """uint16 -> uint8 by the bits the colour samples use (8 to 16: a dark 16-bit photo is made
    brighter, which reading does not mind); alpha by the same bits, or its own when it uses more
    (a 12-bit page with a 16-bit alpha), so that alpha never seen opaque stays transparent."""
    colour = image if image.ndim == 2 or image.shape[2] in (1, 3) else image[:, :, :3]
    shift = max(8, int(colour.max()).bit_length()) - 8
    out = (image >> shift).astype(np.uint8)
    if colour is not image:
        alpha = image[:, :, 3]
        out[:, :, 3] = alpha >> max(shift, int(alpha.max()).bit_length() - 8)
    return out


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Any image cv2.imread(IMREAD_UNCHANGED) returns -> HxWx3 uint8 BGR (alpha over white).

    16-bit samples keep their top 8 bits of the depth they use: a scanner's or a camera's 10- or
    12-bit data in a 16-bit file (its largest value under 1024 or 4096) is not read as a nearly
    black page."""
    if image.dtype == np.uint16:
        image = _eight_bits(image)
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


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) stored in a JPEG, PNG or WebP file's bytes; 1 when there is none.

    Needed because ``cv2.imdecode(IMREAD_UNCHANGED)`` (which keeps alpha and 16 bits) ignores the
    tag, and ``IMREAD_COLOR`` (which applies it) turns transparent paper black. TIFF is not parsed:
    OpenCV's TIFF reader applies the orientation itself. Never raises on malformed bytes.
    """
    try:
        tiff = _exif_block(data)
        return _tiff_orientation(tiff) if tiff else 1
    except (struct.error, IndexError, ValueError):
        return 1


def _exif_block(data: bytes) -> bytes | None:
    """The TIFF-structured EXIF payload of a JPEG (APP1), PNG (eXIf) or WebP (EXIF chunk)."""
    if data[:2] == b"\xff\xd8":  # JPEG: walk the marker segments up to the image data
        at = 2
        while at + 4 <= len(data) and data[at] == 0xFF:
            marker = data[at + 1]
            if marker == 0xD8 or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length field
                at += 2
                continue
            if marker == 0xFF:  # fill byte
                at += 1
                continue
            if marker in (0xDA, 0xD9):  # start of scan / end of image: no more metadata
                return None
            (length,) = struct.unpack(">H", data[at + 2 : at + 4])
            payload = data[at + 4 : at + 2 + length]
            if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
                return payload[6:]
            at += 2 + length
        return None
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        at = 8
        while at + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[at : at + 8])
            if kind == b"eXIf":
                return data[at + 8 : at + 8 + length]
            if kind in (b"IDAT", b"IEND"):  # eXIf must precede the image data
                return None
            at += 12 + length
        return None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        at = 12
        while at + 8 <= len(data):
            kind, length = struct.unpack("<4sI", data[at : at + 8])
            if kind == b"EXIF":
                block = data[at + 8 : at + 8 + length]
                return block[6:] if block.startswith(b"Exif\x00\x00") else block
            at += 8 + length + (length & 1)
        return None
    return None


def _tiff_orientation(tiff: bytes) -> int:
    """Tag 0x0112 of IFD0 in a TIFF-structured block."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return 1
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for i in range(count):
        entry = tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == 0x0112:
            # SHORT (3) in the first two bytes of the value field; some writers use LONG (4)
            value = struct.unpack(order + ("H" if kind == 3 else "I"), entry[8 : 10 if kind == 3 else 12])[0]
            return value if 1 <= value <= 8 else 1
    return 1


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Turn an image stored with EXIF ``orientation`` (1-8) the right way up (any dtype, 2 or 3 dims)."""
    if orientation == 2:
        return cv2.flip(image, 1)
    if orientation == 3:
        return cv2.rotate(image, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(image, 0)
    if orientation == 5:
        return cv2.transpose(image)
    if orientation == 6:
        return cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.rotate(cv2.transpose(image), cv2.ROTATE_180)
    if orientation == 8:
        return cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return image


def decode_image(data: bytes, name: str) -> np.ndarray:
    """Encoded image bytes -> HxWx3 uint8 BGR, the right way up; LivedigitsError naming ``name``."""
    if not data:
        raise LivedigitsError(f"empty file: {name}")
    try:
        with quiet_opencv():  # a damaged file's decoder warnings: the one line below says it
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:  # e.g. a damaged header claiming a size over OpenCV's limits
        image = None
    if image is None or image.size == 0:
        raise LivedigitsError(f"not a readable image: {name}{_format_hint(name)}")
    # cv2.rotate/flip take 1, 3 or 4 channels; orientation first so alpha is still there to use.
    return to_bgr(apply_orientation(image, exif_orientation(data)))


def read_image(path: str | os.PathLike) -> np.ndarray:
    """An image file (or ``"-"``: stdin's bytes) -> HxWx3 uint8 BGR, the right way up."""
    if str(path) == STDIN:
        return decode_image(sys.stdin.buffer.read(), STDIN_NAME)
    path = Path(path)
    _check_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LivedigitsError(f"cannot read {path}: {exc.strerror}") from exc
    return decode_image(data, str(path))


# --- sources ------------------------------------------------------------------------------------


class FrameSource:
    """Iterator of :class:`Frame` records with a name, a frame rate and, where known, a length.

    ``live`` sources (cameras, streams) deliver the newest frame, skipping what the consumer was
    too slow for; ``bad_frames`` counts undecodable frames a video skipped.
    """

    name: str = ""
    fps: float = 30.0
    live: bool = False
    frame_count: int | None = None
    bad_frames: int = 0

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
"""Degrees clockwise a frame may be turned by (:class:`Turned`) and OpenCV's code for each."""


class Turned:
    """``source``'s frames turned ``degrees`` clockwise (90, 180 or 270), for a page photographed
    sideways without an orientation tag or a camera mounted on its side: the frames are read, and
    boxes reported, the right way up. Everything else (name, frame rate, errors) is the source's."""

    def __init__(self, source, degrees: int):
        if degrees not in TURNS:
            raise ValueError(f"a turn is 90, 180 or 270 degrees, got {degrees}")
        self.source, self.code = source, TURNS[degrees]

    def __getattr__(self, name: str):
        return getattr(self.source, name)

    def __iter__(self) -> Iterator[Frame]:
        for frame in self.source:
            yield Frame(cv2.rotate(frame.image, self.code), frame.index, frame.source, frame.time_s)

    def close(self) -> None:
        self.source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def turned(source, degrees: int):
    """``source`` as it is for 0 degrees, else :class:`Turned`."""
    return source if not degrees else Turned(source, degrees)


class ImageSource(FrameSource):
    """One image file (``"-"``: one image read from stdin), decoded here so a bad file fails at once."""

    def __init__(self, path: str | os.PathLike):
        self.name = STDIN_NAME if str(path) == STDIN else str(path)
        self.image = read_image(path)
        self.frame_count, self.fps = 1, 1.0

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(self.image, 0, self.name, None)


class ImageListSource(FrameSource):
    """Images from files, directories (their image files, sorted), globs and ``"-"`` (stdin).

    An input that cannot be read is skipped, not fatal: its message (e.g. ``"not a readable image:
    b.png"``) is appended to ``errors`` and passed to ``on_error`` as it happens, so the caller can
    print it at once (``on_error=lambda m: print(f"livedigits: {m}", file=sys.stderr)``) and exit
    non-zero when ``errors`` is not empty. A file that fails to decode as it comes is also passed
    to ``on_unreadable`` as (its name, the message), in its place among the images: the JSON
    Lines output's record of it. When nothing readable is left, LivedigitsError: at once if no
    input names an image, else at the end of the iteration (not with ``on_unreadable``, which had
    every failure: the caller says it). A single image is decoded here (unless ``on_unreadable``
    is given, which takes its failure in its place), so a lone bad file fails with its own
    message like :class:`ImageSource`.

    Each frame's ``source`` is its path (``"<stdin>"`` for stdin), ``index`` its position among the
    images yielded, ``time_s`` None. Images are decoded one at a time: a directory of thousands
    does not sit in memory.
    """

    def __init__(
        self,
        paths: list[str | os.PathLike],
        on_error: Callable[[str], None] | None = None,
        on_unreadable: Callable[[str, str], None] | None = None,
    ):
        self.on_error = on_error
        self.on_unreadable = on_unreadable
        self.errors: list[str] = []
        self.paths: list[str] = []
        problems = []
        seen: set[str] = set()  # each file once: '*.jpg' '*.JPG', or a folder and a glob in it, name it twice
        for spec in paths:
            found, problem = expand_image_spec(str(spec))
            for path in found:
                key = path if path == STDIN else os.path.realpath(path)
                if key not in seen or path == STDIN:
                    seen.add(key)
                    self.paths.append(path)
            problems += [problem] if problem else []
        if not self.paths:
            if len(problems) == 1:
                raise LivedigitsError(problems[0])
            raise LivedigitsError(f"no images found in {', '.join(str(p) for p in paths) or 'an empty list'}")
        if self.paths.count(STDIN) > 1:
            raise LivedigitsError("stdin ('-') can be read only once")
        self.name = str(paths[0]) if len(paths) == 1 else f"{len(self.paths)} images"
        self.frame_count, self.fps = len(self.paths), 1.0
        self._first: np.ndarray | None = None
        if len(self.paths) == 1 and not problems and on_unreadable is None:
            self._first = read_image(self.paths[0])  # a lone image fails here, with its own message
        for problem in problems:
            self._report(problem)

    def _report(self, message: str) -> None:
        self.errors.append(message)
        if self.on_error is not None:
            self.on_error(message)

    def __iter__(self) -> Iterator[Frame]:
        yielded = 0
        for path in self.paths:
            name = STDIN_NAME if path == STDIN else path
            if self._first is not None:
                image, self._first = self._first, None
            else:
                try:
                    image = read_image(path)
                except LivedigitsError as exc:
                    self._report(str(exc))
                    if self.on_unreadable is not None:
                        self.on_unreadable(name, str(exc))
                    continue
            yield Frame(image, yielded, name, None)
            yielded += 1
        if yielded == 0 and self.on_unreadable is None:
            # (With ``on_unreadable`` each failure has its record, which a raise here would have
            # the run discard: the caller says it.)
            raise LivedigitsError(f"none of the {len(self.paths)} images could be read")


def _format_hint(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return " (a video file: `livedigits video` reads those)"
    if suffix in UNREAD_PHOTO_SUFFIXES:
        return f" ({suffix[1:].upper()} is not read here: {CONVERT})"
    return ""


def expand_image_spec(spec: str) -> tuple[list[str], str | None]:
    """One command-line input -> (image paths, a message when it names none).

    A file stays as given (whatever its suffix: the decoder decides); a directory gives its image
    files sorted by name (not recursive); a glob its sorted matches (``**``: every folder below; a
    plain extension at its end in any case, :func:`_any_case_suffix`);
    ``"-"`` stays ``"-"``. Of a directory or a glob, annotated images
    (:data:`~livedigits.records.ANNOTATED_SUFFIX`) are left out, and photos of a format not read
    here (:data:`UNREAD_PHOTO_SUFFIXES`) are named as skipped.
    """
    if spec == STDIN:
        return [STDIN], None
    error = unsupported_url(spec)
    if error:
        return [], error
    path = Path(spec)
    if path.is_dir():
        files = [str(p) for p in path.iterdir() if p.is_file()]
        where, among = f"in directory: {spec}", f"in directory: {spec}"
    elif path.exists() or not is_glob(spec):
        return [spec], None  # a missing file is reported when it is read, in list order
    else:
        files = [p for p in glob.glob(_any_case_suffix(spec), recursive=True) if Path(p).is_file()]
        where, among = f"match {spec}", f"matching {spec}"
    # (annotated images, livedigits' own outputs, left out: an output directory may be the input's)
    own = [p for p in files if p.endswith(ANNOTATED_SUFFIX)]
    photos = [p for p in files if Path(p).suffix.lower() in UNREAD_PHOTO_SUFFIXES]
    with quiet_opencv():
        # (a name OpenCV cannot take would crash it: such a photo is not read here either)
        unread = sorted(p for p in photos if not is_utf8(p) or not cv2.haveImageReader(p))
    readable = IMAGE_SUFFIXES | UNREAD_PHOTO_SUFFIXES
    found = sorted(
        p for p in files if Path(p).suffix.lower() in readable and not p.endswith(ANNOTATED_SUFFIX) and p not in unread
    )
    if unread:
        kinds = "/".join(sorted({Path(p).suffix[1:].upper() for p in unread}))
        names = ", ".join(Path(p).name for p in unread[:3]) + (", ..." if len(unread) > 3 else "")
        many = f"{len(unread)} {kinds} photos ({names})" if len(unread) > 1 else Path(unread[0]).name
        return found, f"skipped {many} {among} ({kinds} is not read here: {CONVERT})"
    if not found and own:
        return found, f"no images {where}: only annotated ones ({ANNOTATED_SUFFIX}, livedigits' own outputs)"
    return found, (None if found else f"no images {where}")


def _any_case_suffix(pattern: str) -> str:
    """A glob ending in a plain extension (``'*.jpg'``) that matches it in any case (``.JPG``,
    ``.Jpg``): phones and cameras name their photos in capitals, and a folder's images are found
    whatever the case of their suffix."""
    match = re.search(r"\.([A-Za-z0-9]+)$", pattern)
    if match is None:
        return pattern
    either = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in match.group(1))
    return pattern[: match.start(1)] + either


def open_images(
    paths: list[str | os.PathLike],
    on_error: Callable[[str], None] | None = None,
    on_unreadable: Callable[[str, str], None] | None = None,
) -> ImageListSource:
    """The ``image`` command's source: files, directories, globs and ``"-"``; see :class:`ImageListSource`."""
    return ImageListSource(paths, on_error, on_unreadable)


class VideoSource(FrameSource):
    """A video file; ``time_s`` is each frame's position in the file."""

    def __init__(self, path: str | os.PathLike):
        _refuse_url(os.fspath(path))
        path = Path(path)
        _check_file(path)
        name = opencv_path(path)
        with quiet_opencv():
            capture = cv2.VideoCapture(name)
        self._open(capture, str(path))

    @classmethod
    def of_capture(cls, capture: cv2.VideoCapture, name: str) -> VideoSource:
        """A video file read through a capture opened elsewhere (a file served over HTTP)."""
        source = cls.__new__(cls)
        source._open(capture, name)
        return source

    def _open(self, capture: cv2.VideoCapture, name: str) -> None:
        self.name, self.capture = name, capture
        try:
            ok, first = self.capture.read() if self.capture.isOpened() else (False, None)
        except cv2.error:
            ok, first = False, None
        if not ok or first is None:
            self.capture.release()
            raise LivedigitsError(f"not a readable video: {name}")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self.first = first, self._position(0)
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None

    def _position(self, index: int) -> float:
        """Seconds into the file of the frame just read: the container's clock, else index / fps."""
        ms = self.capture.get(cv2.CAP_PROP_POS_MSEC)
        if ms > 0 or (ms == 0 and index == 0):
            return ms / 1000.0
        return index / self.fps

    def __iter__(self) -> Iterator[Frame]:
        image, time_s = self.first
        yield Frame(image, 0, self.name, time_s)
        index, failures = 1, 0
        while True:
            ok, image = self.capture.read()
            if ok and image is not None:
                failures = 0
                yield Frame(image, index, self.name, self._position(index))
                index += 1
                continue
            # A failed read is either the end or a frame that did not decode: skip it and count
            # it, unless there is nothing left to read.
            position = self.capture.get(cv2.CAP_PROP_POS_FRAMES)
            if self.frame_count is None or position >= self.frame_count - 1:
                return
            failures += 1
            self.bad_frames += 1
            if failures >= MAX_BAD_FRAMES_IN_A_ROW or not self.capture.grab():
                # Not the end the file says it has: cut short, or its connection lost (over HTTP)
                ended = f"ended at frame {index} of {self.frame_count}"
                print(f"livedigits: {self.name} {ended} (file cut short or connection lost)", file=sys.stderr)
                return

    def close(self) -> None:
        self.capture.release()


@contextmanager
def quiet_opencv():
    """Silence OpenCV's own log while probing a device or file: our one-line error says what failed.

    Where ``OPENCV_LOG_LEVEL`` is set in the environment (``livedigits -v`` sets it), the user
    asked for OpenCV's lines, and they are left alone.
    """
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is None or os.environ.get("OPENCV_LOG_LEVEL"):  # no logging bindings, or logs wanted
        yield
        return
    previous = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(previous)


class LiveSource(FrameSource):
    """A capture read in a background thread that keeps only the newest frame.

    Processing never works on a stale, buffered frame. ``time_s`` is seconds since the first
    frame arrived, taken when the reader received it. Iteration ends, with one line on stderr,
    when no new frame has come for ``stall_seconds``.
    """

    live = True
    join_seconds = 2.0
    """How long ``close()`` waits for the reader to finish its read."""

    def _start(self, capture, stall_seconds: float) -> None:
        self.capture = capture
        self.stall_seconds = stall_seconds
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._frame: np.ndarray | None = None
        self._stamp = 0.0
        self._seq = 0
        self._cond = threading.Condition()
        self._running = True
        self._thread = threading.Thread(target=self._read, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while self._running:
            try:
                ok, image = self.capture.read()
            except cv2.error:
                ok, image = False, None
            if not ok or image is None:
                time.sleep(0.01)
                continue
            with self._cond:
                self._frame, self._stamp, self._seq = image, time.monotonic(), self._seq + 1
                self._cond.notify_all()

    def __iter__(self) -> Iterator[Frame]:
        seen, index, start = 0, 0, None

        def fresh() -> bool:
            return self._seq != seen or not self._running

        while True:
            with self._cond:
                if not self._cond.wait_for(fresh, self.stall_seconds):
                    print(f"livedigits: {self.name} stopped delivering frames", file=sys.stderr)
                    return
                if not self._running:
                    return
                image, stamp, seen = self._frame, self._stamp, self._seq
            start = stamp if start is None else start
            yield Frame(image, index, self.name, stamp - start)
            index += 1

    def close(self) -> None:
        self._running = False
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=self.join_seconds)
        # Releasing a capture while the reader is inside read() can crash the process; a reader
        # stuck in a dead device's read() keeps it, and goes with the process (a daemon thread).
        if not self._thread.is_alive():
            self.capture.release()


class CameraSource(LiveSource):
    """A camera opened for low latency: MJPG where the camera offers it (less USB bandwidth, higher
    frame rates), a one-frame driver buffer, and the newest-frame reader thread."""

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
        if capture is None:
            with quiet_opencv():
                capture = cv2.VideoCapture(index)
        if not capture.isOpened():
            capture.release()
            raise LivedigitsError(f"camera {index} could not be opened (missing, busy or no permission)")
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if width:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._start(capture, stall_seconds)


class StreamSource(LiveSource):
    """A network stream (rtsp, rtmp, http(s): MJPEG, HLS, a camera's URL) through FFmpeg, read by
    the newest-frame reader thread. Its ``name`` is the URL with any password masked."""

    join_seconds = STREAM_READ_TIMEOUT_MS / 1000 + 1.0

    def __init__(self, url: str, stall_seconds: float = 5.0, capture: cv2.VideoCapture | None = None):
        """``capture`` replaces ``cv2.VideoCapture(url, CAP_FFMPEG)``, for tests and custom backends."""
        self.url = url
        self.name = redact_url(url)
        if capture is None:
            capture = _url_capture(url)
        if not capture.isOpened():
            capture.release()
            raise LivedigitsError(f"stream could not be opened: {self.name} (unreachable, wrong URL or format)")
        self._start(capture, stall_seconds)


def open_stream(url: str, stall_seconds: float = 5.0) -> FrameSource:
    """A URL's frames: a live stream (a camera's, MJPEG, HLS) through :class:`StreamSource`, which
    keeps only the newest frame; a video file served over HTTP (the capture knows how many frames
    it holds) read frame by frame as a file is (the newest-frame reader took 5 of its 200 frames
    and then waited for more)."""
    capture = _url_capture(url)
    if capture.isOpened() and capture.get(cv2.CAP_PROP_FRAME_COUNT) > 0:
        try:
            return VideoSource.of_capture(capture, redact_url(url))
        except LivedigitsError as exc:
            # Most often a phone's .mp4 whose index is at its end, from a server that cannot seek.
            raise LivedigitsError(
                f"{exc} (a video served over HTTP is read from its start: download it, or move its"
                " index first with ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4)"
            ) from None
    return StreamSource(url, stall_seconds, capture=capture)


def _url_capture(url: str) -> cv2.VideoCapture:
    """``url`` opened through FFmpeg, with the open and read timeouts of a network source."""
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_OPEN_TIMEOUT_MS]
    params += [cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_READ_TIMEOUT_MS]
    with quiet_opencv():
        return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)


def redact_url(url: str) -> str:
    """``rtsp://user:secret@host/cam`` -> ``rtsp://user:***@host/cam``: names go into logs and JSON."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def unsupported_url(spec: str) -> str | None:
    """The error for ``spec`` when it is a URL of a kind no source reads (ftp://, file://, udp://),
    else None: such a URL is no file name either (as a path, "ftp://h/x" reads "ftp:/h/x"). A
    scheme is two letters or more: "C://clips" is a Windows drive."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]+)://", spec)
    if scheme is None or is_stream_url(spec):
        return None
    return f"unsupported URL scheme {scheme.group(1)!r} (streams: rtsp, rtmp, http, https): {redact_url(spec)}"


def _refuse_url(spec: str) -> None:
    error = unsupported_url(spec)
    if error:
        raise LivedigitsError(error)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise LivedigitsError(f"no such file: {path}")
    if path.is_dir():
        raise LivedigitsError(f"is a directory, not a file: {path}")
    if path.stat().st_size == 0:
        raise LivedigitsError(f"empty file: {path}")


def is_image_path(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def is_glob(spec: str) -> bool:
    return any(c in spec for c in "*?[")


def is_stream_url(spec: str) -> bool:
    return spec.lower().startswith(STREAM_SCHEMES)


def open_source(spec: str | int, width: int | None = None, height: int | None = None) -> FrameSource:
    """The source ``spec`` names.

    An int or digit string is a camera index (``width``/``height`` ask it for a size); an rtsp,
    rtmp, http or https URL a stream; ``"-"`` one image read from stdin; a directory or a glob its
    images; a path with an image suffix an image; anything else a video file.
    """
    if isinstance(spec, int) or str(spec).isdigit():
        return CameraSource(int(spec), width, height)
    spec = os.fspath(spec)
    if is_stream_url(spec):
        return open_stream(spec)
    _refuse_url(spec)
    if spec == STDIN:
        return ImageSource(STDIN)
    if Path(spec).is_dir() or (is_glob(spec) and not Path(spec).exists()):
        return open_images([spec])
    if is_image_path(spec):
        return ImageSource(spec)
    return VideoSource(spec)
