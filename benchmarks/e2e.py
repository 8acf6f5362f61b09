"""Whole-process speed on a 720p clip: ``livedigits video --json`` beside the OpenCV-samples recipe.

    python -m benchmarks.e2e                  # renders a 1280x720 clip (the whole sheet in view, a
                                              # hand-held camera), runs each 3 times, prints medians

Both runs are fresh processes reading the same file and writing one JSON line per frame, so
start-up, decoding and writing count for both. One thread each (OpenCV and onnxruntime).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

SAMPLES_RUN = """
import json, sys, cv2
cv2.setNumThreads(1)
from benchmarks.recipes import SamplesRecipe
recipe = SamplesRecipe()
capture = cv2.VideoCapture(sys.argv[1])
with open(sys.argv[2], "w") as out:
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        digits = recipe.recognize(frame)
        out.write(json.dumps({"frame": index, "digits": [d.to_dict() for d in digits]}) + "\\n")
        index += 1
capture.release()
"""


def render_clip(path: Path, frames: int, seed: int) -> None:
    from benchmarks.families import render_video

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (1280, 720))
    for scene in render_video("a_sheet", np.random.default_rng(seed), frames, 1280, 720):
        writer.write(scene.image)
    writer.release()


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=90, help="clip length (default 90)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, median reported (default 3)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "sheet720.mp4"
        render_clip(clip, args.frames, args.seed)
        runs = {
            "livedigits video --json (tracked)": [sys.executable, "-m", "livedigits", "video", str(clip), "--json"],
            "livedigits video --json --no-track": [
                sys.executable,
                "-m",
                "livedigits",
                "video",
                str(clip),
                "--no-track",
                "--json",
            ],
            "opencv samples recipe": [sys.executable, "-c", SAMPLES_RUN, str(clip)],
        }
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeats):  # interleaved, so load changes hit every method alike
            for name, command in runs.items():
                seconds[name].append(timed([*command, str(Path(tmp) / "out.jsonl")]))
        lines = len((Path(tmp) / "out.jsonl").read_text().splitlines())
    print(f"| 1280x720 clip, {args.frames} frames, whole process | seconds (median of {args.repeats}) | frames/s |")
    print("|---|---|---|")
    for name, values in seconds.items():
        median = float(np.median(values))
        print(f"| {name} | {median:.2f} | {args.frames / median:.1f} |")
    print(json.dumps({"frames": args.frames, "json_lines_last_run": lines}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
