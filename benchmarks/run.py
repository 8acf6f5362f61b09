"""Accuracy and speed of livedigits beside the recipes people use today, on the same frames.

    python -m benchmarks                    # full run (a few minutes), writes benchmarks/results.json
    python -m benchmarks --quick            # tiny scene set: checks that everything runs

Scenes come from benchmarks.synth with fixed seeds, so every run sees the same frames.
Speed is measured in one thread (OpenCV and onnxruntime both limited to one), as medians of
repeated passes; start-up and peak memory are measured on fresh ``livedigits`` processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from benchmarks.recipes import DemoRecipe, dnn_recognizer, keras_predict_one, onnx_predict_one
from benchmarks.score import Score
from benchmarks.synth import DigitBank, render_scene, render_video
from livedigits.classify import default_model_path
from livedigits.overlay import Overlay
from livedigits.recognizer import STAGES, Recognizer

RESOLUTIONS = [(640, 480), (1280, 720), (1920, 1080)]
DIGITS_PER_SCENE = 20


@dataclass
class SceneSet:
    name: str
    frames: list
    truths: list


def make_sets(bank: DigitBank, scenes: int, video_frames: int, seed: int) -> tuple[list[SceneSet], list]:
    rng = np.random.default_rng(seed)
    sets = []
    for w, h in RESOLUTIONS:
        rendered = [render_scene(bank, rng, w, h, DIGITS_PER_SCENE) for _ in range(scenes)]
        sets.append(SceneSet(f"{w}x{h}", [s.image for s in rendered], [s.truths for s in rendered]))
    video = list(render_video(bank, rng, video_frames, 640, 480, DIGITS_PER_SCENE))
    sets.append(SceneSet("video 640x480", [s.image for s in video], [s.truths for s in video]))
    blanks = [render_scene(None, rng, 640, 480, 0).image for _ in range(scenes)]
    garbage = garbage_frames(rng, max(5, scenes // 2))
    return sets, blanks + garbage


def garbage_frames(rng, n: int) -> list[np.ndarray]:
    """Frames with no digits in them: noise, black, white, extreme contrast, stripes, checkerboard."""
    frames = [np.zeros((480, 640, 3), np.uint8), np.full((480, 640, 3), 255, np.uint8)]
    frames.append(np.tile((np.arange(640) // 8 % 2 * 255).astype(np.uint8)[None, :, None], (480, 1, 3)))
    board = np.kron(np.indices((24, 32)).sum(0) % 2 * 255, np.ones((20, 20))).astype(np.uint8)
    frames.append(cv2.cvtColor(board, cv2.COLOR_GRAY2BGR))
    while len(frames) < n:
        noise = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
        frames.append(noise if len(frames) % 2 else cv2.threshold(noise, 127, 255, cv2.THRESH_BINARY)[1])
    return frames


def score_method(method, sets: list[SceneSet], empty_frames: list) -> dict:
    result = {}
    total = Score()
    for s in sets:
        score = Score()
        for frame, truths in zip(s.frames, s.truths):
            score.add(truths, method.recognize(frame))
        total.truths += score.truths
        total.detections += score.detections
        total.found += score.found
        total.right += score.right
        result[s.name] = score.as_dict()
    result["all"] = total.as_dict()
    result["false_digits_on_empty_frames"] = sum(len(method.recognize(f)) for f in empty_frames)
    result["empty_frames"] = len(empty_frames)
    return result


def fps(method, frames: list, repeats: int) -> float:
    """Median frames/s over ``repeats`` passes (after one warm-up pass)."""
    for f in frames[:3]:
        method.recognize(f)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for f in frames:
            method.recognize(f)
        rates.append(len(frames) / (time.perf_counter() - start))
    return float(np.median(rates))


def stage_times(recognizer: Recognizer, frames: list) -> dict:
    overlay = Overlay()
    samples = {stage: [] for stage in (*STAGES, "overlay")}
    for f in frames:
        analysis = recognizer.analyze(f)
        for stage in STAGES:
            samples[stage].append(analysis.timings_ms[stage])
        canvas = f.copy()
        t = time.perf_counter()
        overlay.annotate(canvas, analysis.digits, 30.0)
        samples["overlay"].append((time.perf_counter() - t) * 1e3)
    return {
        k: {"p50_ms": round(float(np.percentile(v, 50)), 3), "p95_ms": round(float(np.percentile(v, 95)), 3)}
        for k, v in samples.items()
    }


def classifier_batch_ms(recognizer: Recognizer, batch_size: int = 16, calls: int = 200, repeats: int = 5) -> float:
    """Median time of one batched onnxruntime call on ``batch_size`` digits, in one thread."""
    batch = np.random.default_rng(0).random((batch_size, 28, 28, 1), dtype=np.float32)
    for _ in range(20):
        recognizer.classifier.predict(batch)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            recognizer.classifier.predict(batch)
        times.append((time.perf_counter() - start) / calls * 1e3)
    return round(float(np.median(times)), 3)


def write_video(frames: list, path: Path) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()


LAUNCH = (
    "import re, sys\n"
    "from livedigits.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
    "print(f'peak_rss_kb {hwm.group(1) if hwm else 0}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_cli(args: list[str]) -> tuple[float, float, float]:
    """Run one fresh ``livedigits`` process: wall seconds, its own mean fps, its peak RSS in MB.

    Peak memory is the process's own high-water mark (VmHWM), read just before it exits; the
    rusage of a child would also count the benchmark process it was forked from.
    """
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", LAUNCH, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"livedigits {' '.join(args)} failed: {result.stderr.strip()}")
    fps_match = re.search(r"([\d.]+) fps mean", result.stderr)
    rss_match = re.search(r"peak_rss_kb (\d+)", result.stderr)
    return (
        elapsed,
        float(fps_match.group(1)) if fps_match else 0.0,
        int(rss_match.group(1)) / 1024 if rss_match else 0.0,
    )


def end_to_end(sets: list[SceneSet], tmp: Path, repeats: int, frames: int) -> dict:
    """`livedigits video` (decode + recognise + draw + encode) fps, start-up, peak memory."""
    out = {}
    for s in sets:
        src = tmp / f"{s.name}.mp4"
        # Loop the scenes so the run is long enough to measure, whatever the scene count.
        write_video((s.frames * (1 + frames // len(s.frames)))[:frames], src)
        runs = [
            run_cli(["video", str(src), "--output", str(tmp / "out.mp4"), "--json", str(tmp / "o.jsonl")])
            for _ in range(repeats)
        ]
        starts = [
            run_cli(["video", str(src), "--max-frames", "1", "--json", str(tmp / "one.jsonl")])[0]
            for _ in range(repeats)
        ]
        out[s.name] = {
            "video_fps": round(float(np.median([r[1] for r in runs])), 1),
            "startup_to_first_frame_s": round(float(np.median(starts)), 3),
            "peak_rss_mb": round(float(np.max([r[2] for r in runs])), 1),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny scene set (seconds): checks that it all runs")
    parser.add_argument("--scenes", type=int, default=30, help="scenes per resolution (default: 30)")
    parser.add_argument("--seed", type=int, default=2026, help="scene seed (default: 2026)")
    parser.add_argument("--model", default=str(default_model_path()), help="ONNX model (default: shipped)")
    parser.add_argument(
        "--keras",
        default=str(Path(default_model_path()).with_suffix(".keras")),
        help="Keras model for the tutorial comparator (default: models/digits.keras)",
    )
    parser.add_argument("--out", default="benchmarks/results.json", help="JSON results (default: %(default)s)")
    args = parser.parse_args(argv)
    scenes, video_frames, repeats, e2e_frames = (3, 6, 1, 10) if args.quick else (args.scenes, 90, 3, 120)

    cv2.setNumThreads(1)  # one thread for every method: a fair and repeatable comparison
    bank = DigitBank.load()
    sets, empty = make_sets(bank, scenes, video_frames, args.seed)
    ours = Recognizer(args.model, threads=1)
    methods = {
        "livedigits": ours,
        "livedigits + cv2.dnn": dnn_recognizer(args.model),
        "tutorial recipe + onnxruntime": DemoRecipe(onnx_predict_one(args.model)),
    }
    notes = []
    if Path(args.keras).is_file():
        try:
            methods["tutorial recipe + Keras"] = DemoRecipe(keras_predict_one(args.keras))
        except ImportError:
            notes.append("tutorial recipe + Keras skipped: TensorFlow not installed (pip install '.[train]')")
    else:
        notes.append(f"tutorial recipe + Keras skipped: no Keras model at {args.keras}")

    report = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {
            "scenes_per_resolution": scenes,
            "video_frames": video_frames,
            "seed": args.seed,
            "digits_per_scene": DIGITS_PER_SCENE,
            "threads": 1,
        },
        "notes": notes,
        "methods": {},
    }
    for name, method in methods.items():
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        entry = {"accuracy": score_method(method, sets, empty), "pipeline_fps": {}}
        for s in sets[: len(RESOLUTIONS)]:
            frames = s.frames if name != "tutorial recipe + Keras" else s.frames[: max(2, len(s.frames) // 5)]
            entry["pipeline_fps"][s.name] = round(fps(method, frames, repeats if "Keras" not in name else 1), 1)
        report["methods"][name] = entry
    report["methods"]["livedigits"]["classifier_batch16_ms"] = classifier_batch_ms(ours)
    report["methods"]["livedigits"]["stages"] = {s.name: stage_times(ours, s.frames) for s in sets[: len(RESOLUTIONS)]}
    with tempfile.TemporaryDirectory() as tmp:
        report["methods"]["livedigits"]["end_to_end"] = end_to_end(
            sets[: len(RESOLUTIONS)], Path(tmp), repeats, e2e_frames
        )

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    print(f"\nwritten {args.out}")
    return 0


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def format_table(report: dict) -> str:
    methods = report["methods"]
    ours = methods["livedigits"]
    res = [f"{w}x{h}" for w, h in RESOLUTIONS]
    lines = [
        "| method | found | right | F1 | false digits on empty frames | " + " | ".join(f"fps {r}" for r in res) + " |",
        "|---|---|---|---|---|" + "---|" * len(res),
    ]
    for name, m in methods.items():
        a = m["accuracy"]["all"]
        lines.append(
            f"| {name} | {_pct(a['found_rate'])} | {_pct(a['right_rate'])} | {a['f1']:.3f} | "
            f"{m['accuracy']['false_digits_on_empty_frames']} / {m['accuracy']['empty_frames']} | "
            + " | ".join(f"{m['pipeline_fps'][r]:.1f}" for r in res)
            + " |"
        )
    lines.append("")
    lines.append("| ratio livedigits / method | F1 | " + " | ".join(f"fps {r}" for r in res) + " |")
    lines.append("|---|---|" + "---|" * len(res))
    for name, m in methods.items():
        if name == "livedigits":
            continue
        f1 = ours["accuracy"]["all"]["f1"] / max(m["accuracy"]["all"]["f1"], 1e-9)
        speed = [ours["pipeline_fps"][r] / max(m["pipeline_fps"][r], 1e-9) for r in res]
        lines.append(f"| {name} | {f1:.2f}x | " + " | ".join(f"{s:.1f}x" for s in speed) + " |")
    lines.append("")
    lines.append("| livedigits by scene set | found | right | F1 |")
    lines.append("|---|---|---|---|")
    for k, a in ours["accuracy"].items():
        if isinstance(a, dict) and k != "all":
            lines.append(f"| {k} | {_pct(a['found_rate'])} | {_pct(a['right_rate'])} | {a['f1']:.3f} |")
    lines.append("")
    lines.append("| stage p50 / p95 ms | " + " | ".join(res) + " |")
    lines.append("|---|" + "---|" * len(res))
    for stage in (*STAGES, "overlay"):
        cells = [f"{ours['stages'][r][stage]['p50_ms']:.2f} / {ours['stages'][r][stage]['p95_ms']:.2f}" for r in res]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| `livedigits video` end to end | " + " | ".join(res) + " |")
    lines.append("|---|" + "---|" * len(res))
    e2e = ours["end_to_end"]
    for key, label in (
        ("video_fps", "frames/s (decode+recognise+draw+encode)"),
        ("startup_to_first_frame_s", "start-up to first recognised frame, s"),
        ("peak_rss_mb", "peak memory, MB"),
    ):
        lines.append(f"| {label} | " + " | ".join(str(e2e[r][key]) for r in res) + " |")
    lines.append(f"\nclassifier, one batch of 16 digits, one thread: {ours['classifier_batch16_ms']:.3f} ms (median)")
    for note in report["notes"]:
        lines.append(f"\nnote: {note}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
