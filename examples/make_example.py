"""Render examples/digits.mp4: a hand-held camera over handwritten numbers (MNIST test digits).

    python examples/make_example.py            # rewrites examples/digits.mp4 (seed 7, 640x480, 6 s)

Ground truth for every frame goes to examples/digits.truth.jsonl, so the example can be scored.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from benchmarks.synth import DigitBank, SceneStyle, render_video

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(HERE / "digits.mp4"))
    parser.add_argument("--frames", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    style = SceneStyle(digit_height=(0.07, 0.09), cover=(0.85, 0.9), paper=("ruled",), inks=("blue",))
    writer = cv2.VideoWriter(args.out, cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    truth_path = Path(args.out).with_suffix(".truth.jsonl")
    with open(truth_path, "w") as truth:
        for i, scene in enumerate(render_video(DigitBank.load(), rng, args.frames, 640, 480, 24, style)):
            writer.write(scene.image)
            digits = [{"digit": t.digit, "box": list(t.box)} for t in scene.truths]
            truth.write(json.dumps({"frame": i, "digits": digits}) + "\n")
    writer.release()
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB) and {truth_path}")


if __name__ == "__main__":
    main()
