"""The one loop: source -> recognizer -> tracker -> sinks and window.

In the spirit of supervision's ``process_video(source, target, callback)``: any
:class:`~livedigits.sources.FrameSource` (images, a directory, a video, a camera, a stream) is
driven into any set of sinks (anything with ``write(frame, reading, annotated, process_ms)``,
``close()``, ``discard()`` and ``needs_image``) and, optionally, a :class:`Window`::

    with open_source("clip.mp4") as source:
        summary = run(source, Recognizer(), sinks=[JsonLinesSink("out.jsonl")], tracker=Tracker())

A new source or sink is written in its own module; this loop does not change. Ctrl-C and SIGTERM
end a run after the frame in hand, and every sink is closed (or, on a failure, discarded).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from livedigits.errors import LivedigitsError, OutputClosed
from livedigits.orientation import better_turn, hint, worth_asking
from livedigits.overlay import Overlay, debug_view
from livedigits.recognizer import Analysis, Recognizer
from livedigits.records import Frame, Reading
from livedigits.sinks import write_png

WINDOW = "livedigits"
KEY_QUIT = {ord("q"), 27}
KEY_PAUSE, KEY_DEBUG, KEY_NUMBERS, KEY_SNAPSHOT = ord(" "), ord("d"), ord("n"), ord("s")
NO_KEY = -1
PAUSED_WAIT_MS = 100
"""While paused, keys are read this often (and a stop request or a closed window noticed)."""
SCREEN_MARGIN = 0.9
"""Share of the screen a window may take: room for a title bar and a task bar."""
SYSTEM_FONTS = "/usr/share/fonts"
FALLBACK_SCREEN = (1280, 720)
"""Assumed screen size where it cannot be asked (a window larger than this is shrunk)."""


class Sink(Protocol):
    """Where a run's results go: see :mod:`livedigits.sinks`."""

    needs_image: bool
    """True when :meth:`write` wants the annotated image (drawing is skipped when no one does)."""

    def write(self, frame: Frame, reading: Reading, annotated: np.ndarray | None, process_ms: float) -> None: ...

    def close(self) -> None: ...

    def discard(self) -> None: ...


class Tracker(Protocol):
    """Ties each frame's digits to those of the previous frames: see :mod:`livedigits.track`."""

    def update(self, reading: Reading, frame_size: tuple[int, int] | None = None) -> Reading: ...


@dataclass
class RunOptions:
    """How a run behaves, apart from what it reads and where results go."""

    max_frames: int | None = None
    """Stop after this many frames (None: the whole source)."""
    progress: bool = False
    """A progress bar on stderr (only when no window is open)."""
    realtime: bool = False
    """In a window, play a file at its own frame rate instead of as fast as it can be read."""
    show_numbers: bool = False
    """Label whole numbers instead of single digits (the window's ``n`` key toggles it)."""
    snapshot_dir: Path = field(default_factory=lambda: Path("."))
    """Where the window's ``s`` key saves what is on screen."""
    overlay: Overlay = field(default_factory=Overlay)
    turn_hint: str | None = None
    """Say on stderr when the frames seem to lie on their side (:mod:`~livedigits.orientation`):
    "video" looks at the first frame and the one a second in, "images" at each image whose reading
    leaves it in doubt; None: never (the frames are turned already, ``--rotate``)."""


@dataclass
class RunSummary:
    frames: int = 0
    digits: int = 0
    seconds: float = 0.0
    bad_frames: int = 0
    interrupted: bool = False
    turn_hinted: bool = False
    """A frame seemed to lie on its side, and stderr said so (:attr:`RunOptions.turn_hint`)."""

    @property
    def mean_fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        # Readings summed over the frames: a digit in view for 60 frames counts 60 times.
        text = f"{self.frames} frames, {self.digits} digit readings, {self.mean_fps:.1f} fps mean"
        if self.bad_frames:
            text += f", {self.bad_frames} undecodable frames skipped"
        if self.interrupted:
            text += " (interrupted; outputs closed)"
        return text


# --- window -------------------------------------------------------------------------------------


def display_available() -> bool:
    """True where a window can be shown: always off Linux; on Linux when a Wayland display or a
    reachable X display is named (Qt aborts the whole process when it cannot connect)."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    if not display:
        return False
    if display.startswith(":"):  # a local X server listens on /tmp/.X11-unix/X<n>
        number = display[1:].split(".")[0]
        return os.path.exists(f"/tmp/.X11-unix/X{number}")
    return True  # a remote display (ssh -X): trust it


def screen_size() -> tuple[int, int]:
    """The screen's (width, height) in pixels; :data:`FALLBACK_SCREEN` where it cannot be asked.

    HighGUI has no call for it, so ask the platform: user32 on Windows, Xlib on X11.
    """
    try:
        if sys.platform == "win32":
            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
            return int(user32.GetSystemMetrics(0)), int(user32.GetSystemMetrics(1))
        library = ctypes.util.find_library("X11") if os.environ.get("DISPLAY") else None
        if library:
            xlib = ctypes.CDLL(library)
            xlib.XOpenDisplay.restype = ctypes.c_void_p
            xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
            xlib.XDefaultScreen.argtypes = xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
            xlib.XDisplayWidth.argtypes = xlib.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
            display = xlib.XOpenDisplay(None)
            if display:
                try:
                    screen = xlib.XDefaultScreen(display)
                    return int(xlib.XDisplayWidth(display, screen)), int(xlib.XDisplayHeight(display, screen))
                finally:
                    xlib.XCloseDisplay(display)
    except (OSError, AttributeError):
        pass  # no Xlib or user32 to ask: assume a common screen
    return FALLBACK_SCREEN


def fit_to_screen(image: np.ndarray, screen: tuple[int, int]) -> np.ndarray:
    """``image`` shrunk (never enlarged) to fit :data:`SCREEN_MARGIN` of ``screen`` (width, height)."""
    h, w = image.shape[:2]
    scale = min(1.0, SCREEN_MARGIN * screen[0] / w, SCREEN_MARGIN * screen[1] / h)
    if scale >= 1.0:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _quiet_qt() -> None:
    """OpenCV's Linux wheels carry Qt without its fonts, and Qt then says so on every start
    ("QFontDatabase: Cannot find font directory ..."). Point Qt at the system's fonts, or where
    there are none, turn that one warning off. Before the first window: Qt starts with it."""
    if not sys.platform.startswith("linux") or "QT_QPA_FONTDIR" in os.environ:
        return
    if os.path.isdir(SYSTEM_FONTS):
        os.environ["QT_QPA_FONTDIR"] = SYSTEM_FONTS
    else:
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts=false")


class Window:
    """The one place that touches HighGUI: show an image, read a key.

    The window takes the image's own size (shrunk to fit the screen), without Qt's toolbar and
    status bar; closing it counts as the quit key.
    """

    def __init__(self, title: str = WINDOW):
        self.title = title
        if not display_available():
            display = os.environ.get("DISPLAY")
            why = f"DISPLAY={display} cannot be reached" if display else "no DISPLAY is set"
            raise LivedigitsError(f"cannot open a window: {why} (run without --show to work headless)")
        _quiet_qt()
        try:
            cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise LivedigitsError(f"cannot open a window (is there a display?): {exc.msg.strip()}") from exc
        self.screen = screen_size()

    def show(self, image: np.ndarray, wait_ms: int = 1) -> int:
        """Show ``image`` (HxWx3 uint8), wait up to ``wait_ms`` (at least 1) for a key; the key or -1."""
        cv2.imshow(self.title, fit_to_screen(image, self.screen))
        key = cv2.waitKey(max(1, wait_ms))
        if key == NO_KEY and self._closed():
            return ord("q")
        return key & 0xFF if key != NO_KEY else NO_KEY

    def _closed(self) -> bool:
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:
            return True

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass  # the window was closed by the user already


# --- progress and signals -----------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr for video files (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int | None, enabled: bool):
        self.total, self.enabled = total, enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.last_decile = -1
        self.finished = False

    def update(self, done: int, fps: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self.last < 0.2:
                return
            self.last = now
            if self.total:
                filled = int(30 * min(done, self.total) / self.total)
                bar = "#" * filled + "." * (30 - filled)
                sys.stderr.write(f"\r[{bar}] {done}/{self.total} frames  {fps:6.1f} fps")
            else:
                sys.stderr.write(f"\r{done} frames  {fps:6.1f} fps")
            sys.stderr.flush()
        elif self.total:
            decile = 10 * done // self.total
            if decile > self.last_decile:
                self.last_decile = decile
                print(f"{10 * decile}% ({done}/{self.total} frames, {fps:.1f} fps)", file=sys.stderr, flush=True)

    def finish(self) -> None:
        """End the bar's line (once), before anything else is printed after it."""
        if self.enabled and self.tty and not self.finished:
            sys.stderr.write("\n")
            sys.stderr.flush()
        self.finished = True


class _StopRequest:
    """Ctrl-C and SIGTERM ask the loop to stop after the frame in hand, so that frame's outputs
    are all written or none. A second Ctrl-C stops at once."""

    def __init__(self):
        self.requested = False
        self.previous: dict[int, object] = {}

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


# --- the loop -----------------------------------------------------------------------------------


def run(
    source: Iterable,
    recognizer: Recognizer,
    sinks: Sequence[Sink] = (),
    tracker: Tracker | None = None,
    window: Window | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Read every frame of ``source``, track it when a ``tracker`` is given, and hand the reading
    to every sink and the window. Closes the sinks and the window; the source stays the caller's.

    A :class:`LivedigitsError` part-way (an output that cannot be written) discards every sink,
    so no output looks complete when it is not, and is raised again; but when an output's reader
    went away (:class:`~livedigits.errors.OutputClosed`) the others are kept, as on Ctrl-C.
    Ctrl-C and SIGTERM end the run after the current frame, like the end of the stream:
    ``summary.interrupted`` says so.
    """
    return _Run(source, recognizer, list(sinks), tracker, window, options or RunOptions()).run()


@dataclass
class _View:
    """What the window shows and how, changed by keys."""

    debug: bool = False
    numbers: bool = False
    paused: bool = False
    quit: bool = False


class _Run:
    """One run's state; :func:`run` is its interface."""

    def __init__(self, source, recognizer, sinks, tracker, window, options: RunOptions):
        self.source, self.recognizer, self.sinks = source, recognizer, sinks
        self.tracker, self.window, self.options = tracker, window, options
        self.summary = RunSummary()
        self.view = _View(numbers=options.show_numbers)
        self.stop = _StopRequest()
        self.draw = window is not None or any(sink.needs_image for sink in sinks)
        self.live = bool(getattr(source, "live", False))
        self.fps = float(getattr(source, "fps", 30.0) or 30.0)
        total = min(getattr(source, "frame_count", None) or 0, options.max_frames or 10**12) or None
        self.progress = Progress(total, options.progress and window is None)
        self.rate = 0.0  # frames per second as they really go by, smoothed, for the overlay
        self.clock: float | None = None  # perf_counter() at media time 0 when pacing playback
        self.start = self.last = 0.0  # perf_counter() at the start and at the last frame

    def run(self) -> RunSummary:
        self.stop.install()
        self.start = self.last = time.perf_counter()
        try:
            self._loop()
            self.progress.finish()  # a sink may print as it closes (a video's numbers)
            self._close_sinks()
        except OutputClosed:
            # Its reader has what it wanted: the run ends there, as on Ctrl-C, the other
            # outputs kept (an annotated video is whole to the last frame); one that cannot be
            # finished is discarded, as on any failure.
            for sink in self.sinks:
                try:
                    sink.close()
                except LivedigitsError:
                    sink.discard()
            raise
        except LivedigitsError:
            # A run that fails part-way (an output that cannot be written or finished) leaves no
            # output behind that would look complete.
            for sink in self.sinks:
                sink.discard()
            raise
        except BaseException:
            self._close_sinks(quietly=True)
            raise
        finally:
            self.summary.interrupted = self.stop.requested
            self.summary.seconds = time.perf_counter() - self.start
            self.summary.bad_frames = getattr(self.source, "bad_frames", 0)
            self.progress.finish()
            if self.window is not None:
                self.window.close()
            self.stop.restore()
        return self.summary

    def _loop(self) -> None:
        try:
            for index, item in enumerate(self.source):
                if self.stop.requested:
                    break
                self._step(_as_frame(item, index, self.source))
                if self.view.quit or self._enough():
                    break
        except KeyboardInterrupt:  # a second Ctrl-C: stop now, still closing every output
            self.stop.requested = True

    def _close_sinks(self, quietly: bool = False) -> None:
        """Close every sink; the first that cannot finish its output is raised after the others
        are closed (unless ``quietly``: another error is already on its way)."""
        failure = None
        for sink in self.sinks:
            try:
                sink.close()
            except LivedigitsError as exc:
                failure = failure or exc
        if failure is not None and not quietly:
            raise failure

    def _enough(self) -> bool:
        limit = self.options.max_frames
        return limit is not None and self.summary.frames >= limit

    def _step(self, frame: Frame) -> None:
        analysis, process_ms = self._read(frame)
        reading = analysis.reading
        annotated = self._annotate(frame.image, reading) if self.draw else None
        for sink in self.sinks:
            sink.write(frame, reading, annotated if sink.needs_image else None, process_ms)
        self.summary.frames += 1
        self.summary.digits += len(reading.digits)
        self._tick()
        if self.window is not None:
            self._show(frame, analysis, annotated)
        self.progress.update(self.summary.frames, self.summary.frames / max(time.perf_counter() - self.start, 1e-9))

    def _read(self, frame: Frame) -> tuple[Analysis, float]:
        t0 = time.perf_counter()
        analysis = self.recognizer.analyze(frame.image)
        if self.options.turn_hint is not None:
            asked = time.perf_counter()
            self._ask_turn(frame, analysis.reading)
            t0 += time.perf_counter() - asked  # not the frame's own processing time
        if self.tracker is not None:
            height, width = frame.image.shape[:2]
            analysis.reading = self.tracker.update(analysis.reading, frame_size=(width, height))
        return analysis, (time.perf_counter() - t0) * 1e3

    def _ask_turn(self, frame: Frame, reading: Reading) -> None:
        """Say once (a video) or per image when ``frame`` reads clearly more turned a quarter."""
        if self.options.turn_hint == "video":
            if self.summary.turn_hinted or frame.index not in (0, round(self.fps)):
                return
            what = f"{frame.source} (frame {frame.index})"
        elif worth_asking(reading):
            what = frame.source
        else:
            return
        turn = better_turn(self.recognizer.read, frame.image, reading)
        if turn is not None:
            self.summary.turn_hinted = True
            lead = "\n" if self.progress.enabled and self.progress.tty else ""
            print(f"{lead}livedigits: {hint(what, turn, len(reading.digits))}", file=sys.stderr, flush=True)

    def _annotate(self, image: np.ndarray, reading: Reading) -> np.ndarray:
        # The frame rate is drawn where it means something: live, or in a window.
        fps = self.rate if (self.live or self.window is not None) else None
        return self.options.overlay.annotate(image.copy(), reading, fps=fps, show_numbers=self.view.numbers)

    def _tick(self) -> None:
        now = time.perf_counter()
        rate = 1.0 / max(now - self.last, 1e-6)
        self.rate, self.last = (rate if self.rate == 0.0 else 0.9 * self.rate + 0.1 * rate), now

    # -- the window --

    def _show(self, frame: Frame, analysis: Analysis, annotated: np.ndarray) -> None:
        drawn = {self.view.numbers: annotated}

        def render() -> np.ndarray:
            if self.view.debug:
                return debug_view(frame.image, analysis, self.recognizer.min_confidence)
            if self.view.numbers not in drawn:  # n was pressed while paused: draw again
                drawn[self.view.numbers] = self._annotate(frame.image, analysis.reading)
            return drawn[self.view.numbers]

        shown = render()
        self._handle(self.window.show(shown, self._wait_ms(frame)), frame, shown)
        while self.view.paused and not self.view.quit and not self.stop.requested:
            shown = render()  # a key may have changed the view: the debug view survives pause
            self._handle(self.window.show(shown, PAUSED_WAIT_MS), frame, shown)

    def _handle(self, key: int, frame: Frame, shown: np.ndarray) -> None:
        """Act on ``key``, pressed while ``shown`` (full resolution) was on screen."""
        if key in KEY_QUIT:
            self.view.quit = True
        elif key == KEY_PAUSE:
            self.view.paused = not self.view.paused
            self.clock = None  # playback resumes from here, not racing to catch up
        elif key == KEY_DEBUG:
            self.view.debug = not self.view.debug
        elif key == KEY_NUMBERS:
            self.view.numbers = not self.view.numbers
        elif key == KEY_SNAPSHOT:
            self._snapshot(frame, shown)

    def _wait_ms(self, frame: Frame) -> int:
        """How long the window waits for a key: 1 ms, or until the frame's time when pacing a file."""
        if not self.options.realtime or self.live:
            return 1
        media_s = frame.time_s if frame.time_s is not None else frame.index / self.fps
        now = time.perf_counter()
        if self.clock is None:
            self.clock = now - media_s
        return max(1, round((self.clock + media_s - now) * 1e3))

    def _snapshot(self, frame: Frame, image: np.ndarray) -> None:
        path = Path(self.options.snapshot_dir) / f"livedigits-{time.strftime('%Y%m%d-%H%M%S')}-{frame.index}.png"
        try:
            write_png(path, image)
        except OSError:
            print(f"livedigits: cannot write {path}", file=sys.stderr)
        else:
            print(f"saved {path}", file=sys.stderr)


def _as_frame(item, index: int, source) -> Frame:
    """What a source yields as a :class:`Frame` (a bare image gets its index and the source's name)."""
    if isinstance(item, Frame):
        return item
    return Frame(item, index, str(getattr(source, "name", "")), None)
