"""Soak: 20,000 frames through `livedigits video`, watching the process's memory.

    python -m benchmarks.soak [--frames 20000]

Builds a long video by looping the bundled example, runs the real CLI on it with --output and
--json, samples the process's resident memory (VmRSS) every 0.5 s, and prints RSS after warm-up
(the first 1,000 frames) and at the end. Target: growth under 20 MB.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "digits.mp4"
WARMUP_FRAMES = 1000


def loop_video(src: Path, dst: Path, frames: int) -> None:
    cap = cv2.VideoCapture(str(src))
    clip = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        clip.append(frame)
    cap.release()
    h, w = clip[0].shape[:2]
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (w, h))
    for i in range(frames):
        # Play the clip forwards then backwards, so the loop has no jump.
        cycle = i % (2 * len(clip))
        writer.write(clip[cycle if cycle < len(clip) else 2 * len(clip) - 1 - cycle])
    writer.release()


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+)", status)
    return int(match.group(1)) / 1024 if match else None


def lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=20000, help="frames to run (default: 20000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        video, out, js = tmp / "long.mp4", tmp / "out.mp4", tmp / "out.jsonl"
        print(f"writing a {args.frames}-frame video ...", file=sys.stderr)
        loop_video(EXAMPLE, video, args.frames)
        proc = subprocess.Popen(
            [sys.executable, "-m", "livedigits.cli", "video", str(video), "--output", str(out), "--json", str(js)],
            stderr=subprocess.PIPE,
            text=True,
        )
        samples: list[tuple[int, float]] = []
        start = time.monotonic()
        while proc.poll() is None:
            rss = rss_mb(proc.pid)
            if rss is not None:
                samples.append((lines(js), rss))
            time.sleep(0.5)
        stderr = proc.stderr.read()
        elapsed = time.monotonic() - start
        if proc.returncode != 0:
            print(stderr, file=sys.stderr)
            return 1
    warm = [rss for frames, rss in samples if frames >= WARMUP_FRAMES]
    if not warm:
        print("run too short to measure after warm-up", file=sys.stderr)
        return 1
    start_rss, end_rss, peak = warm[0], warm[-1], max(rss for _, rss in samples)
    print(stderr.strip().splitlines()[-1])
    print(
        f"frames {args.frames}  wall {elapsed:.0f} s  RSS after {WARMUP_FRAMES} frames {start_rss:.1f} MB  "
        f"at end {end_rss:.1f} MB  growth {end_rss - start_rss:+.1f} MB  peak {peak:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
