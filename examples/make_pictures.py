"""Render the README's pictures from the bundled whole-sheet clip: what livedigits shows, and its
debug view (the ink mask and every crop the model read, with its reading).

    python examples/make_pictures.py        # writes docs/annotated.png and docs/debug.png

The clip is read with tracking, as ``livedigits video`` does, up to the frame pictured.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from livedigits import Overlay, Recognizer, open_source
from livedigits.overlay import debug_view
from livedigits.track import Tracker

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip", default=str(HERE / "sheet.mp4"))
    parser.add_argument("--frame", type=int, default=40, help="frame to picture (default 40)")
    args = parser.parse_args()
    recognizer, tracker, overlay = Recognizer(), Tracker(), Overlay()
    with open_source(args.clip) as source:
        for frame in source:
            analysis = recognizer.analyze(frame.image)
            reading = tracker.update(analysis.reading, frame_size=frame.image.shape[1::-1])
            if frame.index == args.frame:
                break
    DOCS.mkdir(exist_ok=True)
    annotated = overlay.annotate(frame.image.copy(), reading)
    debug = debug_view(frame.image, analysis)
    for name, image in (("annotated.png", annotated), ("debug.png", debug)):
        path = DOCS / name
        cv2.imwrite(str(path), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
