"""The ``livedigits`` command: thin argparse layer over the library.

Every subcommand parses its options and calls library functions; :class:`LivedigitsError` is
caught once here and printed as one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from livedigits import __version__
from livedigits.errors import LivedigitsError

TRAIN_INSTALL = "pip install 'livedigits[train]'"
TRAIN_MODULES = {"tensorflow", "keras", "tf2onnx", "onnx", "matplotlib"}


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
    from livedigits.recognizer import Recognizer

    return Recognizer(args.model, min_confidence=args.min_confidence)


def cmd_video(args) -> int:
    from livedigits.app import run
    from livedigits.sinks import JsonLinesSink, VideoSink
    from livedigits.sources import VideoSource

    recognizer = _recognizer(args)
    with VideoSource(args.path) as source:
        video = VideoSink(args.output, source.fps) if args.output else None
        jsonl = JsonLinesSink(args.json) if args.json else None
        summary = run(
            source, recognizer, video=video, jsonl=jsonl, show=args.show, max_frames=args.max_frames, progress=True
        )
    print(summary.line(), file=sys.stderr)
    return 0


def cmd_camera(args) -> int:
    from livedigits.app import display_available, run
    from livedigits.sinks import JsonLinesSink, VideoSink
    from livedigits.sources import CameraSource

    recognizer = _recognizer(args)
    show = (display_available() or args.show) and not args.no_window
    with CameraSource(args.index, args.width, args.height) as source:
        video = VideoSink(args.record, source.fps) if args.record else None
        jsonl = JsonLinesSink(args.json) if args.json else None
        if not show:
            print("livedigits: no display; running headless (Ctrl-C to stop)", file=sys.stderr)
        summary = run(source, recognizer, video=video, jsonl=jsonl, show=show, max_frames=args.max_frames)
    print(summary.line(), file=sys.stderr)
    return 0


def cmd_image(args) -> int:
    import cv2

    from livedigits.overlay import Overlay
    from livedigits.sinks import JsonLinesSink
    from livedigits.sources import ImageSource

    recognizer = _recognizer(args)
    out_dir = Path(args.output_dir) if args.output_dir else None
    if out_dir is not None:
        if out_dir.parent.is_dir() and not out_dir.exists():
            out_dir.mkdir()
        if not out_dir.is_dir():
            raise LivedigitsError(f"output directory does not exist: {out_dir}")
    jsonl = JsonLinesSink(args.json) if args.json else None
    overlay, failed = Overlay(), 0
    try:
        for path in args.paths:
            try:
                image = next(iter(ImageSource(path)))
            except LivedigitsError as exc:
                print(f"livedigits: {exc}", file=sys.stderr)
                failed += 1
                continue
            digits = recognizer.recognize(image)
            if jsonl is not None:
                jsonl.write(str(path), 0, 0.0, digits)
            text = "".join(str(d.digit) for d in digits)
            print(f"{path}: {len(digits)} digits {text}")
            if out_dir is not None:
                target = out_dir / f"{Path(path).stem}.annotated.png"
                if not cv2.imwrite(str(target), overlay.annotate(image, digits)):
                    raise LivedigitsError(f"cannot write {target}")
    finally:
        if jsonl is not None:
            jsonl.close()
    return 2 if failed else 0


def _training(module: str):
    """Import a train/ module, turning a missing TensorFlow into the install line to run."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in TRAIN_MODULES:
            raise LivedigitsError(f"training needs TensorFlow and tf2onnx: {TRAIN_INSTALL}") from exc
        raise


def cmd_train(args) -> int:
    _training("livedigits.train.fit").fit(
        args.data,
        args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        limit=args.limit,
        seed=args.seed,
        junk_fraction=args.junk_fraction,
    )
    return 0


def cmd_evaluate(args) -> int:
    report = _training("livedigits.train.evaluate").evaluate(args.model, args.data, args.report_dir)
    print(json.dumps(report, indent=2))
    return 0


def cmd_export(args) -> int:
    summary = _training("livedigits.train.export").export(args.keras, args.out, args.data)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livedigits", description="Recognise handwritten digits live in camera frames, videos and images."
    )
    parser.add_argument("--version", action="version", version=f"livedigits {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fmt = _DefaultsFormatter

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", default=None, help="ONNX model (default: the shipped models/digits.onnx)")
    common.add_argument("--min-confidence", type=probability, default=0.8, help="report digits at least this confident")
    common.add_argument("-v", "--verbose", action="store_true", help="print the full traceback behind an error")

    p = sub.add_parser("camera", parents=[common], formatter_class=fmt, help="recognise digits live from a camera")
    p.add_argument("--index", type=non_negative_int, default=0, help="camera index")
    p.add_argument("--width", type=positive_int, default=None, help="requested frame width")
    p.add_argument("--height", type=positive_int, default=None, help="requested frame height")
    p.add_argument("--record", metavar="OUT.mp4", help="also write the annotated video here")
    p.add_argument("--json", metavar="OUT.jsonl", help="write one JSON line of results per frame")
    p.add_argument("--max-frames", type=positive_int, default=None, help="stop after this many frames")
    p.add_argument("--show", action="store_true", help="open a window even when no display is detected")
    p.add_argument("--no-window", action="store_true", help="never open a window")
    p.set_defaults(func=cmd_camera)

    p = sub.add_parser("video", parents=[common], formatter_class=fmt, help="annotate a video file")
    p.add_argument("path", help="video file")
    p.add_argument("--output", metavar="OUT.mp4", help="write the annotated video here")
    p.add_argument("--json", metavar="OUT.jsonl", help="write one JSON line of results per frame")
    p.add_argument("--show", action="store_true", help="show the annotated video in a window")
    p.add_argument("--max-frames", type=positive_int, default=None, help="stop after this many frames")
    p.set_defaults(func=cmd_video)

    p = sub.add_parser("image", parents=[common], formatter_class=fmt, help="recognise digits in images")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files")
    p.add_argument("--output-dir", metavar="DIR", help="write <name>.annotated.png files here")
    p.add_argument("--json", metavar="OUT.jsonl", help="write one JSON line of results per image")
    p.set_defaults(func=cmd_image)

    p = sub.add_parser("train", formatter_class=fmt, help="train the CNN on MNIST (needs the train extra)")
    p.add_argument("--data", metavar="DIR", help="directory of the four MNIST IDX files (default: Keras download)")
    p.add_argument("--epochs", type=positive_int, default=30, help="training epochs")
    p.add_argument("--batch-size", type=positive_int, default=128, help="batch size")
    p.add_argument("--limit", type=positive_int, default=None, help="train on the first N images only")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (weights, shuffling, augmentation)")
    p.add_argument(
        "--junk-fraction",
        type=probability,
        default=0.08,
        help="share of each batch that is non-digits (symbols, letters) taught to get low confidence",
    )
    p.add_argument("--out", default="digits.keras", metavar="PATH.keras", help="where to save the model")
    p.add_argument("-v", "--verbose", action="store_true", help="print the full traceback behind an error")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", formatter_class=fmt, help="accuracy report on the MNIST test set")
    p.add_argument("--model", default=None, help=".onnx or .keras model (default: the shipped model)")
    p.add_argument("--data", metavar="DIR", help="directory of the MNIST IDX files (default: Keras download)")
    p.add_argument("--report-dir", metavar="DIR", default=None, help="write confusion matrix and error PNGs here")
    p.add_argument("-v", "--verbose", action="store_true", help="print the full traceback behind an error")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export-model", formatter_class=fmt, help="convert a .keras model to ONNX and check it")
    p.add_argument("--keras", required=True, metavar="PATH.keras", help="trained Keras model")
    p.add_argument("--out", required=True, metavar="PATH.onnx", help="ONNX file to write")
    p.add_argument("--data", metavar="DIR", help="MNIST IDX directory for the agreement check (default: download)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the full traceback behind an error")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LivedigitsError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"livedigits: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("livedigits: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("livedigits: out of memory", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
