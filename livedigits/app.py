"""The loop: source -> recognizer -> overlay -> sinks and window, with keys, signals and progress."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2

from livedigits.errors import LivedigitsError
from livedigits.overlay import Overlay, debug_view
from livedigits.recognizer import Recognizer
from livedigits.sinks import JsonLinesSink, VideoSink
from livedigits.sources import FrameSource

WINDOW = "livedigits"
KEY_QUIT = {ord("q"), 27}
KEY_PAUSE, KEY_DEBUG, KEY_SNAPSHOT = ord(" "), ord("d"), ord("s")


@dataclass
class RunSummary:
    frames: int = 0
    digits: int = 0
    seconds: float = 0.0
    bad_frames: int = 0
    interrupted: bool = False

    @property
    def mean_fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        text = f"{self.frames} frames, {self.digits} digits, {self.mean_fps:.1f} fps mean"
        if self.bad_frames:
            text += f", {self.bad_frames} undecodable frames skipped"
        if self.interrupted:
            text += " (interrupted; outputs closed)"
        return text


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


class Window:
    """The one place that touches HighGUI: show a frame, read a key."""

    def __init__(self, title: str = WINDOW):
        self.title = title
        if not display_available():
            display = os.environ.get("DISPLAY")
            why = f"DISPLAY={display} cannot be reached" if display else "no DISPLAY is set"
            raise LivedigitsError(f"cannot open a window: {why} (run without --show to work headless)")
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL)
        except cv2.error as exc:
            raise LivedigitsError(f"cannot open a window (is there a display?): {exc.msg.strip()}") from exc

    def show(self, image, wait_ms: int = 1) -> int:
        cv2.imshow(self.title, image)
        return cv2.waitKey(wait_ms) & 0xFF

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass  # the window was closed by the user already


class Progress:
    """A one-line progress bar on stderr for video files (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int | None, enabled: bool):
        self.total, self.enabled = total, enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.last_decile = -1

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
        if self.enabled and self.tty:
            sys.stderr.write("\n")


class _StopRequest:
    """Ctrl-C and SIGTERM ask the loop to stop after the frame in hand, so that frame's video
    frame and JSON line are both written or both not. A second Ctrl-C stops at once."""

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


def run(
    source: FrameSource,
    recognizer: Recognizer,
    overlay: Overlay | None = None,
    video: VideoSink | None = None,
    jsonl: JsonLinesSink | None = None,
    show: bool = False,
    max_frames: int | None = None,
    progress: bool = False,
    snapshot_dir: str | os.PathLike = ".",
) -> RunSummary:
    """Recognise every frame of ``source``; draw, write and show as asked. Closes the sinks.

    Ctrl-C and SIGTERM end the run after the current frame, like the end of the stream: the
    summary says so and every output is closed properly.
    """
    overlay = overlay or Overlay()
    summary = RunSummary()
    window = None
    bar = Progress(min(source.frame_count or 0, max_frames or 10**12) or None, progress and not show)
    stop = _StopRequest()
    stop.install()
    debug, fps, start = False, 0.0, time.perf_counter()
    last = start
    try:
        window = Window() if show else None
        for index, frame in enumerate(source):
            if stop.requested:
                break
            t0 = time.perf_counter()
            analysis = recognizer.analyze(frame)
            t_ms = (time.perf_counter() - t0) * 1e3
            summary.frames += 1
            summary.digits += len(analysis.digits)
            if jsonl is not None:
                jsonl.write(source.name, index, t_ms, analysis.digits)
            if video is not None or window is not None:
                overlay.annotate(frame, analysis.digits, fps if (source.live or window) else None)
            if video is not None:
                video.write(frame)
            # The rate frames really go by (camera and window included), smoothed for display.
            now = time.perf_counter()
            rate = 1.0 / max(now - last, 1e-6)
            fps, last = (rate if fps == 0.0 else 0.9 * fps + 0.1 * rate), now
            if window is not None:
                key = window.show(debug_view(frame, analysis.mask, analysis.crops) if debug else frame)
                if key == KEY_PAUSE:
                    key = window.show(frame, 0)  # paused until the next key; space resumes
                if key in KEY_QUIT:
                    break
                if key == KEY_DEBUG:
                    debug = not debug
                elif key == KEY_SNAPSHOT:
                    path = Path(snapshot_dir) / f"livedigits-{time.strftime('%Y%m%d-%H%M%S')}-{index}.png"
                    cv2.imwrite(str(path), frame)
                    print(f"saved {path}", file=sys.stderr)
            bar.update(summary.frames, summary.frames / max(time.perf_counter() - start, 1e-9))
            if max_frames is not None and summary.frames >= max_frames:
                break
    except KeyboardInterrupt:
        stop.requested = True
    except LivedigitsError:
        # A run that fails part-way (an output that cannot be written) leaves no output behind
        # that would look complete.
        for sink in (video, jsonl):
            if sink is not None:
                sink.discard()
        raise
    finally:
        summary.interrupted = stop.requested
        summary.seconds = time.perf_counter() - start
        summary.bad_frames = source.bad_frames
        bar.finish()
        for sink in (video, jsonl):
            if sink is not None:
                sink.close()
        if window is not None:
            window.close()
        stop.restore()
    return summary
