"""The ``livedigits`` command: thin argparse layer over the library.

Every subcommand parses its options and calls library functions; :class:`LivedigitsError` is
caught once here and printed as one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from livedigits import __version__
from livedigits.errors import LivedigitsError, OutputClosed, silence

AV_LOG_QUIET = -8
"""FFmpeg's log level for silence, read by OpenCV from OPENCV_FFMPEG_LOGLEVEL when it opens a file or stream."""
TRAIN_INSTALL = "pip install 'livedigits[train]'"
VERBOSE_HELP = "print the full traceback behind an error (and OpenCV's own log lines)"
TRAIN_MODULES = {"tensorflow", "keras", "tf2onnx", "onnx", "matplotlib"}
INTERRUPTED = 130
"""Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it): its
outputs are closed and valid, but partial."""


def _int_at_least(minimum: int):
    """An argparse type: a whole number no smaller than ``minimum``, named in the error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


positive_int = _int_at_least(1)
non_negative_int = _int_at_least(0)


def probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {value}")
    return value


def _recognizer(args):
    from livedigits.recognizer import DEFAULT_MIN_CONFIDENCE, Recognizer

    bar = DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else args.min_confidence
    return Recognizer(args.model, min_confidence=bar)


def _report_stream(args):
    """Where the lines a person reads go: stdout, unless JSON Lines are going there."""
    return sys.stderr if getattr(args, "json", None) == "-" else sys.stdout


def _tracker(args):
    if args.no_track:
        return None
    from livedigits.track import Tracker

    return Tracker()


def _refuse_one_file_twice(outputs) -> None:
    """Two outputs named alike (``--output a.mp4 --json a.mp4``) would write over each other: an
    error before anything is opened."""
    seen = {}
    for option, path in outputs:
        if not path or path == "-":
            continue
        key = Path(path).resolve()
        if key in seen:
            raise LivedigitsError(f"{seen[key]} and {option} name the same file: {path}")
        seen[key] = option


def _refuse_overwriting(outputs, inputs) -> None:
    """An output that would overwrite an input (``video a.mp4 --output a.mp4``) is an error before
    anything is opened: the input would be lost."""
    import glob

    files = set()
    for spec in inputs:
        text = str(spec)
        paths = glob.glob(text, recursive=True) if any(ch in text for ch in "*?[") else [text]
        files.update(Path(p).resolve() for p in paths if Path(p).is_file())
    for output in outputs:
        if output and output != "-" and Path(output).resolve() in files:
            raise LivedigitsError(f"output would overwrite an input: {output}")


def _made(option: str, make):
    """``make()``, a sink for an option's value; a problem with it is told with the option's
    name (``--json: output directory does not exist: new``): a run with two outputs says which."""
    try:
        return make()
    except LivedigitsError as exc:
        raise LivedigitsError(f"{option}: {exc}") from exc


def _results_sinks(args, fps: float, video_option: str) -> list:
    """The sinks a video or camera run asks for: the annotated video first, then JSON Lines."""
    from livedigits.sinks import JsonLinesSink, VideoSink

    sinks = []
    if getattr(args, video_option):
        sinks.append(_made(f"--{video_option}", lambda: VideoSink(getattr(args, video_option), fps)))
    if args.json:
        sinks.append(_made("--json", lambda: JsonLinesSink(args.json)))
    return sinks


def cmd_video(args) -> int:
    from livedigits.app import RunOptions, Window, run
    from livedigits.sources import VideoSource, is_stream_url, open_stream, turned

    _refuse_overwriting([args.output, args.json], [args.path])
    _refuse_one_file_twice([("--output", args.output), ("--json", args.json)])
    recognizer = _recognizer(args)
    opened = open_stream(args.path) if is_stream_url(args.path) else VideoSource(args.path)
    with turned(opened, args.rotate or 0) as source:
        sinks = _results_sinks(args, source.fps, "output")
        if not sinks and not args.show:
            print("livedigits: nothing is shown or saved (--output, --json, --show): a summary only", file=sys.stderr)
        if not args.no_track:
            sinks.append(_PrintNumbersSeen(_report_stream(args), source.name))
        window = Window() if args.show else None
        options = RunOptions(
            max_frames=args.max_frames,
            progress=True,
            realtime=not args.fast,
            show_numbers=args.numbers,
            turn_hint="video" if args.rotate is None else None,
        )
        summary = run(source, recognizer, sinks, _tracker(args), window, options)
    print(summary.line(), file=sys.stderr)
    return INTERRUPTED if summary.interrupted else 0


def cmd_camera(args) -> int:
    from livedigits.app import RunOptions, Window, display_available, run
    from livedigits.sources import open_source, turned

    _refuse_overwriting([args.record, args.json], [args.source] if args.source is not None else [])
    _refuse_one_file_twice([("--record", args.record), ("--json", args.json)])
    if args.source is not None and args.index is not None:
        raise LivedigitsError("give the camera as SOURCE or as --index, not both")
    if args.source is not None and args.source.lstrip("-").isdigit() and args.source.startswith("-"):
        raise LivedigitsError(f"camera index must be at least 0, got {args.source}")
    recognizer = _recognizer(args)
    show = (display_available() or args.show) and not args.no_window
    spec = args.source if args.source is not None else (args.index or 0)
    with turned(open_source(spec, args.width, args.height), args.rotate or 0) as source:
        sinks = _results_sinks(args, source.fps, "record")
        window = Window() if show else None
        if window is None:
            why = "--no-window" if args.no_window else "no display"
            unsaved = "" if sinks else ": nothing is shown or saved (--record, --json)"
            print(f"livedigits: {why}; running headless{unsaved} (Ctrl-C to stop)", file=sys.stderr)
        if not args.no_track:
            sinks.append(_PrintNumbersSeen(_report_stream(args), source.name))
        options = RunOptions(
            max_frames=args.max_frames, show_numbers=args.numbers, turn_hint="video" if args.rotate is None else None
        )
        summary = run(source, recognizer, sinks, _tracker(args), window, options)
    print(summary.line(), file=sys.stderr)
    return INTERRUPTED if summary.interrupted else 0


def describe(name: str, reading) -> str:
    """One line a person reads: ``page.png: 14 digits; line 1: 31; line 2: 4159 2653``."""
    count = len(reading.digits)
    parts = [f"{name}: {count} digit{'' if count == 1 else 's'}"]
    unsure = reading.unsure
    if not count and unsure:
        parts[0] += (
            f" ({unsure} mark{'' if unsure == 1 else 's'} read under the confidence bar: --min-confidence lowers it)"
        )
    for line in range(len(reading.lines)):
        numbers = [n.text for n in reading.numbers if n.line == line]
        if numbers:
            parts.append(f"line {line + 1}: {' '.join(numbers)}")
    return "; ".join(parts)


class _PrintReadings:
    """A sink that prints one line per image (see :func:`describe`)."""

    needs_image = False

    def __init__(self, stream):
        self.stream = stream

    def write(self, frame, reading, annotated, process_ms) -> None:
        try:
            print(describe(frame.source, reading), file=self.stream, flush=True)
        except BrokenPipeError as exc:  # `livedigits image ... | head -1`
            silence(self.stream)
            raise OutputClosed("output closed by its reader (broken pipe)") from exc

    def close(self) -> None:
        pass

    def discard(self) -> None:
        pass


class _PrintNumbersSeen:
    """A sink that prints, when the run ends, each tracked number once: the text it read as in most
    of its frames (:class:`~livedigits.tally.NumberTally`), in the order they were first seen."""

    needs_image = False

    def __init__(self, stream, name: str):
        from livedigits.tally import NumberTally

        self.stream, self.name, self.tally = stream, name, NumberTally()

    def write(self, frame, reading, annotated, process_ms) -> None:
        self.tally.add(frame.index, reading)

    def close(self) -> None:
        from livedigits.tally import STEADY_FRAMES

        numbers = [n.text for n in self.tally.steady()]
        told = f"{len(numbers)} number{'' if len(numbers) == 1 else 's'} read in {STEADY_FRAMES} frames or more"
        try:
            print(f"{self.name}: {told}{': ' if numbers else ''}{' '.join(numbers)}", file=self.stream, flush=True)
        except BrokenPipeError:  # `livedigits video ... | head -0`: nothing more to say
            silence(self.stream)

    def discard(self) -> None:
        pass


def _print_error(message: str) -> None:
    print(f"livedigits: {message}", file=sys.stderr, flush=True)


def cmd_image(args) -> int:
    from livedigits.app import RunOptions, run
    from livedigits.records import ANNOTATED_SUFFIX
    from livedigits.sinks import ImageSink, JsonLinesSink
    from livedigits.sources import open_images, turned

    _refuse_overwriting([args.json], args.paths)
    if args.json and args.output_dir and args.json != "-":
        json_path = Path(args.json).resolve()
        if json_path.parent == Path(args.output_dir).resolve() and json_path.name.endswith(ANNOTATED_SUFFIX):
            raise LivedigitsError(f"--json would be overwritten by an annotated image: {args.json}")
    recognizer = _recognizer(args)
    # An unreadable image is reported as it comes (and has its JSON record, in its place) and the
    # others are still read; the exit code says.
    json_sink = None  # made below; it takes the records of unreadable images, a lone one too

    def unreadable(name: str, message: str) -> None:
        if json_sink is not None:
            json_sink.unreadable(name, message)

    images = open_images(args.paths, on_error=_print_error, on_unreadable=unreadable if args.json else None)
    with turned(images, args.rotate or 0) as source:
        image_sink = _made("--output-dir", lambda: ImageSink(args.output_dir)) if args.output_dir else None
        # Each record names its image's annotated file, written before it (the JSON may go into
        # the output folder, made just above).
        json_sink = _made("--json", lambda: JsonLinesSink(args.json, images=image_sink)) if args.json else None
        sinks = [_PrintReadings(_report_stream(args)), *(s for s in (image_sink, json_sink) if s is not None)]
        options = RunOptions(show_numbers=args.numbers, turn_hint="images" if args.rotate is None else None)
        summary = run(source, recognizer, sinks, options=options)
    if summary.interrupted:
        print(f"livedigits: interrupted after {summary.frames} images; outputs closed", file=sys.stderr)
        return INTERRUPTED
    total = len(images.paths)
    unread = total - summary.frames
    if unread and total > 1:
        # Some images failed, each said as it came (and with its record kept): counted at the end.
        if summary.frames:
            print(f"livedigits: {summary.frames} of the {total} images read, {unread} could not be", file=sys.stderr)
        else:
            print(f"livedigits: none of the {total} images could be read", file=sys.stderr)
    return 2 if source.errors else 0


def _training(module: str, what: str = "training"):
    """Import a train/ module, turning a missing TensorFlow into the install line to run."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in TRAIN_MODULES:
            raise LivedigitsError(f"{what} needs TensorFlow and tf2onnx: {TRAIN_INSTALL}") from exc
        raise


def _verbose_training(args) -> None:
    """With -v, TensorFlow's own start-up lines are shown (set before it is imported)."""
    if args.verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"


def cmd_train(args) -> int:
    if args.init is not None and args.epochs is not None:
        raise LivedigitsError("--epochs is the first stage's, which --init skips: give one or the other")
    _verbose_training(args)
    fit = _training("livedigits.train.fit")
    fit.SAVED.clear()
    try:
        _fit(fit, args)
    except KeyboardInterrupt:
        saved = fit.SAVED
        if saved:
            epoch, accuracy = saved["epoch"], saved["val_accuracy"]
            kept = f"{saved['out']} holds the {saved['stage']}'s epoch {epoch} (validation accuracy {accuracy:.4f})"
        elif os.path.exists(args.out):
            kept = f"no epoch ended: nothing saved ({args.out} is an earlier run's, left as it was)"
        else:
            kept = f"no epoch ended: nothing saved to {args.out}"
        print(f"livedigits: interrupted; {kept}", file=sys.stderr)
        return INTERRUPTED
    return 0


def _fit(fit, args) -> None:
    fit.fit(
        args.data,
        args.out,
        epochs=fit.EPOCHS if args.epochs is None else args.epochs,
        batch_size=args.batch_size,
        limit=args.limit,
        seed=args.seed,
        junk_fraction=args.junk_fraction,
        pen_fraction=args.pen_fraction,
        verbose=args.verbose,
        camera_epochs=args.camera_epochs,
        init=args.init,
    )


def cmd_evaluate(args) -> int:
    _verbose_training(args)
    if args.report_dir is not None:
        try:  # asked before the work, not after it
            import matplotlib  # noqa: F401
        except ImportError:
            raise LivedigitsError(
                f"--report-dir's plots need matplotlib: pip install matplotlib (or {TRAIN_INSTALL})"
            ) from None
    report = _training("livedigits.train.evaluate").evaluate(
        args.model, args.data, args.report_dir, split=args.split, styles=not args.no_styles
    )
    print(json.dumps(report, indent=2))
    print(evaluation_line(report), file=sys.stderr)
    return 0


def evaluation_line(report: dict) -> str:
    """The report of ``evaluate`` in one line a person reads (the JSON on stdout has it all)."""
    images = report.get("test_images", report.get("validation_images", 0))
    text = (
        f"{report['model']} on MNIST {report['split']}: {report['accuracy']:.2%} "
        f"({report['errors']} wrong of {images}), calibration error {report['ece']:.2%}"
    )
    styles = report.get("styles")
    if styles:
        worst = min(styles, key=lambda name: styles[name]["accuracy"])
        text += f"; worst style {worst} {styles[worst]['accuracy']:.2%}"
    if "non_digits" in report:
        text += f"; non-digits over the bar {report['non_digits']['confident_share']:.2%}"
    return text


def cmd_export(args) -> int:
    summary = _training("livedigits.train.export", "export-model").export(args.keras, args.out, args.data)
    print(
        f"wrote {args.out} ({summary['size_bytes'] / 1e6:.2f} MB); ONNX vs Keras max abs difference "
        f"{summary['max_abs_diff']:.1e}; test accuracy {summary['test_accuracy']:.2%}"
    )
    return 0


class _DefaultsFormatter(argparse.HelpFormatter):
    """Appends "(default: X)" to an option's help when X says something (not None or False)."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        says_something = default is not None and default is not False and default is not argparse.SUPPRESS
        if says_something and "%(default)" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _global_options(parser: argparse.ArgumentParser, defaults: bool, model_help: str) -> None:
    """The options every command takes, before or after the command's name.

    The top-level parser holds the defaults; a subcommand's copy defaults to SUPPRESS so that
    ``livedigits -v video x.mp4`` is not undone by the subcommand's own default.
    """

    from livedigits.records import DEFAULT_MIN_CONFIDENCE

    def default(value):
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--model", default=default(None), help=model_help)
    parser.add_argument(
        "--min-confidence",
        type=probability,
        default=default(None),
        help=f"report digits at least this confident (default: {DEFAULT_MIN_CONFIDENCE})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False), help=VERBOSE_HELP)


def _output_options(p: argparse.ArgumentParser, per: str) -> None:
    p.add_argument("--json", metavar="OUT.jsonl", help=f"write one JSON line of results per {per} ('-': stdout)")
    toggle = " (in the window, n toggles)" if per == "frame" else ""
    p.add_argument("--numbers", action="store_true", help=f"label whole numbers instead of single digits{toggle}")
    p.add_argument(
        "--rotate",
        type=int,
        choices=(0, 90, 180, 270),
        default=None,
        metavar="DEGREES",
        help=f"turn each {per} this far clockwise before reading it (90, 180, 270: a sideways photo without "
        "an orientation tag, a camera on its side); without it, a hint is given when the frames seem to "
        "lie on their side (0: read them as they are, no hint and none of its cost)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livedigits",
        description="Recognise handwritten digits live in camera frames, videos and images.",
        epilog="-v may come before or after any command; --model and --min-confidence before or after "
        "camera, video and image (evaluate takes --model too).",
    )
    parser.add_argument("--version", action="version", version=f"livedigits {__version__}")
    shipped = "ONNX model (default: the shipped models/digits.onnx)"
    _global_options(parser, defaults=True, model_help=shipped)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fmt = _DefaultsFormatter

    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False, model_help=shipped)
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)

    p = sub.add_parser("camera", parents=[common], formatter_class=fmt, help="recognise digits live from a camera")
    p.add_argument(
        "source",
        nargs="?",
        default=None,
        metavar="SOURCE",
        help="camera index, stream URL (rtsp://, http://) or video file",
    )
    p.add_argument("--index", type=non_negative_int, default=None, help="camera index, when no SOURCE is given (0)")
    p.add_argument("--width", type=positive_int, default=None, help="requested frame width")
    p.add_argument("--height", type=positive_int, default=None, help="requested frame height")
    p.add_argument("--record", metavar="OUT.mp4", help="also write the annotated video here")
    _output_options(p, "frame")
    p.add_argument("--max-frames", type=positive_int, default=None, help="stop after this many frames")
    p.add_argument("--no-track", action="store_true", help="raw per-frame readings: no tracking across frames")
    p.add_argument("--show", action="store_true", help="require the window: fail rather than run headless")
    p.add_argument("--no-window", action="store_true", help="never open a window")
    p.set_defaults(func=cmd_camera)

    p = sub.add_parser("video", parents=[common], formatter_class=fmt, help="annotate a video file or stream")
    p.add_argument("path", metavar="PATH", help="video file or stream URL (rtsp://, http://)")
    p.add_argument("--output", metavar="OUT.mp4", help="write the annotated video here")
    _output_options(p, "frame")
    p.add_argument("--show", action="store_true", help="show the annotated video in a window, at the file's frame rate")
    p.add_argument("--fast", action="store_true", help="with --show: play as fast as frames are read")
    p.add_argument("--max-frames", type=positive_int, default=None, help="stop after this many frames")
    p.add_argument("--no-track", action="store_true", help="raw per-frame readings: no tracking across frames")
    p.set_defaults(func=cmd_video)

    p = sub.add_parser("image", parents=[common], formatter_class=fmt, help="recognise digits in images")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files, directories, globs ('*.png'); '-' is stdin")
    p.add_argument("--output-dir", metavar="DIR", help="write <name>.annotated.png files here")
    _output_options(p, "image")
    p.set_defaults(func=cmd_image)

    p = sub.add_parser("train", parents=[verbose], formatter_class=fmt, help="train the CNN (needs the train extra)")
    p.add_argument("--data", metavar="DIR", help="directory of the four MNIST IDX files (default: Keras download)")
    p.add_argument("--epochs", type=positive_int, help="first-stage epochs, the best on validation kept (default: 40)")
    p.add_argument(
        "--camera-epochs",
        type=non_negative_int,
        default=6,
        help="camera-stage epochs after the first stage: tiny and noisy webcam digits added (0: none)",
    )
    p.add_argument(
        "--init",
        metavar="PATH.keras",
        help="skip the first stage: run the camera stage on this trained model",
    )
    p.add_argument("--batch-size", type=positive_int, default=128, help="batch size")
    p.add_argument("--limit", type=positive_int, default=None, help="train on the first N images only")
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed (weights, shuffling, augmentation)")
    p.add_argument(
        "--junk-fraction",
        type=probability,
        default=0.08,
        help="share of each batch that is non-digits (symbols, letters) taught to get low confidence",
    )
    p.add_argument(
        "--pen-fraction",
        type=probability,
        default=0.25,
        help="share of each batch that is pen-model digits (European 1 and 7, open 4 and 9, script)",
    )
    p.add_argument("--out", default="digits.keras", metavar="PATH.keras", help="where to save the model")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", parents=[verbose], formatter_class=fmt, help="accuracy report on the MNIST test set")
    p.add_argument("--model", default=argparse.SUPPRESS, help=".onnx or .keras model (default: the shipped model)")
    p.add_argument("--data", metavar="DIR", help="directory of the MNIST IDX files (default: Keras download)")
    p.add_argument(
        "--report-dir", metavar="DIR", default=None, help="write confusion, errors, reliability and styles PNGs here"
    )
    p.add_argument(
        "--split",
        choices=("test", "validation"),
        default="test",
        help="test: the figure to report; validation: the last 10,000 of MNIST-train, for choosing",
    )
    p.add_argument("--no-styles", action="store_true", help="skip the generated pen, font and non-digit crops")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export-model", parents=[verbose], formatter_class=fmt, help="convert a .keras model to ONNX")
    p.add_argument("--keras", required=True, metavar="PATH.keras", help="trained Keras model")
    p.add_argument("--out", required=True, metavar="PATH.onnx", help="ONNX file to write")
    p.add_argument("--data", metavar="DIR", help="MNIST IDX directory for the agreement check (default: download)")
    p.set_defaults(func=cmd_export)
    return parser


@contextmanager
def _library_logs(verbose: bool):
    """Which C libraries' own log lines reach the terminal during a command (restored after it).

    Quiet by default: FFmpeg logs on its own ("[tcp @ 0x...] Connection refused", "[h264 @ 0x...]
    error while decoding"), and our one-line errors and the skipped-frame count say it for us.
    With ``-v``: OpenCV's warnings (on stderr; :func:`livedigits.sources.quiet_opencv` leaves them
    alone when ``OPENCV_LOG_LEVEL`` is set). A variable the user set is left as it is.
    """
    name, value = ("OPENCV_LOG_LEVEL", "WARNING") if verbose else ("OPENCV_FFMPEG_LOGLEVEL", str(AV_LOG_QUIET))
    if name in os.environ:
        yield
        return
    os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C while the libraries load (the first fraction of a second) is an interrupt too, not a
    # traceback through their imports.
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("livedigits: interrupted", file=sys.stderr)
        return INTERRUPTED
    except ImportError as exc:
        # onnxruntime turns a Ctrl-C during its own import into "ImportError: initialization failed".
        if not _caused_by_interrupt(exc):
            raise
        print("livedigits: interrupted", file=sys.stderr)
        return INTERRUPTED


def _caused_by_interrupt(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _refuse_unused_options(parser, args)
    try:
        with _library_logs(args.verbose):
            return args.func(args)
    except LivedigitsError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"livedigits: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("livedigits: out of memory", file=sys.stderr)
        return 2


def _refuse_unused_options(parser: argparse.ArgumentParser, args) -> None:
    """``--model`` and ``--min-confidence`` given before a command that does not read frames
    (``livedigits --model m.onnx train``) would be ignored: an argparse-style error instead."""
    unused = []
    if args.command in ("train", "export-model") and args.model is not None:
        unused.append("--model")
    if args.command in ("train", "export-model", "evaluate") and args.min_confidence is not None:
        unused.append("--min-confidence")
    if unused:
        parser.error(f"{' and '.join(unused)} do{'es' if len(unused) == 1 else ''} not apply to {args.command}")


if __name__ == "__main__":
    sys.exit(main())
