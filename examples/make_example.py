"""Render the bundled example clips, with ground truth for every frame beside each.

    python examples/make_example.py            # examples/digits.mp4: a hand-held camera close over a
                                               # ruled page (MNIST test digits, seed 7, 640x480, 6 s)
    python examples/make_example.py --sheet    # examples/sheet.mp4: the whole sheet in view on a dark
                                               # desk, pulled back, shaken, a pen passing (seed 2, 5 s)

Ground truth goes to ``<clip>.truth.jsonl`` (one line per frame: each digit and its box), so an
example can be scored.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent


def page_scenes(frames: int, seed: int):
    from benchmarks.synth import DigitBank, SceneStyle, render_video

    style = SceneStyle(digit_height=(0.07, 0.09), cover=(0.85, 0.9), paper=("ruled",), inks=("blue",))
    return render_video(DigitBank.load(), np.random.default_rng(seed), frames, 640, 480, 24, style)


def sheet_scenes(frames: int, seed: int):
    from benchmarks.families import render_video

    return render_video("a_sheet", np.random.default_rng(seed), frames, 640, 480)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sheet", action="store_true", help="render the whole-sheet clip (examples/sheet.mp4)")
    parser.add_argument("--out", default=None, help="clip to write (default: examples/digits.mp4 or sheet.mp4)")
    parser.add_argument("--frames", type=int, default=None, help="frames (default: 180 page, 150 sheet)")
    parser.add_argument("--seed", type=int, default=None, help="scene seed (default: 7 page, 2 sheet)")
    args = parser.parse_args()
    if args.sheet:
        out, scenes = (
            args.out or HERE / "sheet.mp4",
            sheet_scenes(args.frames or 150, 2 if args.seed is None else args.seed),
        )
    else:
        out, scenes = (
            args.out or HERE / "digits.mp4",
            page_scenes(args.frames or 180, 7 if args.seed is None else args.seed),
        )
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    truth_path = Path(out).with_suffix(".truth.jsonl")
    with open(truth_path, "w") as truth:
        for i, scene in enumerate(scenes):
            writer.write(scene.image)
            digits = [{"digit": t.digit, "box": list(t.box)} for t in scene.truths]
            truth.write(json.dumps({"frame": i, "digits": digits}) + "\n")
    writer.release()
    print(f"wrote {out} ({Path(out).stat().st_size / 1e6:.2f} MB) and {truth_path}")


if __name__ == "__main__":
    main()
