"""Per-family accuracy, page losses, video flicker and speed: livedigits beside two classical recipes.

    python -m benchmarks.family_bench                  # full run (a few minutes on one core)
    python -m benchmarks.family_bench --quick          # a frame per family and resolution: checks it runs
    python -m benchmarks.family_bench --seeds 4 --out results.json --save-failures failures/

Scenes come from ``benchmarks.families`` with fixed seeds (each family, resolution and seed has its
own random stream, so adding a family changes no other family's frames). The headline is the
**worst family**, not the mean; the held-out families (``families.HELD_OUT``) are reported apart.

Methods, all with the shipped model and the 0.8 confidence bar:
- ``livedigits``: ``Recognizer(threads=1).read`` (digits and numbers);
- ``opencv samples``: the ``digits_video.py`` recipe (``benchmarks.recipes.SamplesRecipe``);
- ``tutorial``: Otsu, external contours, stretched crops, one onnxruntime call per digit.

A **page loss** is a frame with 3 or more true digits of which fewer than half are read right.
Video **flicker** is the share of (visible true digit, consecutive frame pair) in which the
digit's reading changes: right to wrong, one wrong digit to another, found to missing, or back.
**False per frame** counts what is reported and matched to no true digit: a false detection, a
second box on a digit already matched, or a tracker's box coasting off its digit.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from benchmarks import families as F
from benchmarks.recipes import DemoRecipe, SamplesRecipe, onnx_predict_one
from benchmarks.score import MATCH_IOU, Score, iou
from livedigits.classify import Classifier, default_model_path
from livedigits.recognizer import Recognizer

RESOLUTIONS = ((640, 480), (1280, 720))
"""The resolutions of a run unless ``--resolutions`` names others."""
KNOWN_RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))
"""Every resolution a scene can be made at. A scene's random stream is keyed by the index of its
resolution here, so a resolution added at the end changes no other's frames."""
DEFAULT_SEEDS = 12
DEFAULT_VIDEOS = 2
DEFAULT_VIDEO_FRAMES = 60
SPEED_PASSES = 3
NUMBER_IOU = 0.5
"""A true number is read exactly when a predicted number with the same text overlaps it this much."""
METHODS = ("livedigits", "opencv samples", "tutorial")


@dataclass
class Still:
    family: str
    resolution: str
    scene: F.Scene


@dataclass
class Tally:
    """Accumulates one method's results on one set of frames."""

    score: Score = field(default_factory=Score)
    frames: int = 0
    page_losses: int = 0
    numbers: int = 0
    numbers_exact: int = 0

    def add(self, truths, digits) -> None:
        before = self.score.right
        self.score.add(truths, digits)
        self.frames += 1
        self.page_losses += int(is_page_loss(len(truths), self.score.right - before))

    def as_dict(self) -> dict:
        out = self.score.as_dict() | {"frames": self.frames, "page_losses": self.page_losses}
        if self.numbers:
            out |= {"numbers": self.numbers, "numbers_exact": round(self.numbers_exact / self.numbers, 4)}
        return out


def is_page_loss(n_truths: int, n_right: int) -> bool:
    """A frame with 3+ true digits of which fewer than half are read right."""
    return n_truths >= 3 and n_right < n_truths / 2


def match(truths, detections) -> list[int | None]:
    """For each truth, the index of its detection (greedy one-to-one by IoU >= MATCH_IOU) or None."""
    pairs = sorted(
        ((iou(t.box, d.box), i, j) for i, t in enumerate(truths) for j, d in enumerate(detections)), reverse=True
    )
    out: list[int | None] = [None] * len(truths)
    used = set()
    for overlap, i, j in pairs:
        if overlap < MATCH_IOU:
            break
        if out[i] is None and j not in used:
            out[i] = j
            used.add(j)
    return out


def numbers_exact(true_numbers, predicted) -> int:
    """How many true numbers have a predicted number with the same text at IoU >= NUMBER_IOU."""
    return sum(any(p.text == t.text and iou(p.box, t.box) >= NUMBER_IOU for p in predicted) for t in true_numbers)


# ----------------------------------------------------------------------------------------------
# Scenes


def scene_rng(base_seed: int, family: str, resolution: int, seed: int) -> np.random.Generator:
    """An independent random stream per (family, resolution, seed)."""
    return np.random.default_rng([base_seed, F.FAMILIES.index(family), resolution, seed])


def make_stills(families, seeds: int, base_seed: int, resolutions=RESOLUTIONS) -> list[Still]:
    stills = []
    for family in families:
        for w, h in resolutions:
            r = KNOWN_RESOLUTIONS.index((w, h))
            for seed in range(seeds):
                scene = F.render(family, scene_rng(base_seed, family, r, seed), w, h)
                stills.append(Still(family, f"{w}x{h}", scene))
    return stills


# ----------------------------------------------------------------------------------------------
# Methods


def make_methods(model_path=None) -> dict:
    """name -> callable(frame) -> (digits, Reading for livedigits / None for the recipes)."""
    recognizer = Recognizer(model_path, threads=1)
    samples = SamplesRecipe(Classifier(model_path, threads=1))
    tutorial = DemoRecipe(onnx_predict_one(model_path or default_model_path()))

    def ours(frame):
        reading = recognizer.read(frame)
        return reading.digits, reading

    return {
        "livedigits": ours,
        "opencv samples": lambda frame: (samples.recognize(frame), None),
        "tutorial": lambda frame: (tutorial.recognize(frame), None),
    }


def timed_passes(method, frames: list, passes: int) -> tuple[list, float]:
    """Run ``method`` over ``frames`` ``passes`` times: (outputs of the first pass, median frames/s)."""
    method(frames[0])  # warm-up
    rates, outputs = [], []
    for p in range(passes):
        start = time.perf_counter()
        result = [method(f) for f in frames]
        rates.append(len(frames) / (time.perf_counter() - start))
        if p == 0:
            outputs = result
    return outputs, float(np.median(rates))


def score_stills(stills: list[Still], methods: dict, passes: int) -> tuple[dict, dict, dict, dict]:
    """(tallies[method][family][resolution], by_variant[method][family][variant], fps[method][resolution],
    outputs[method] per still)."""
    tallies = {m: {} for m in methods}
    by_variant = {m: {} for m in methods}
    speed = {m: {} for m in methods}
    outputs = {m: [None] * len(stills) for m in methods}
    for res in dict.fromkeys(s.resolution for s in stills):
        idx = [i for i, s in enumerate(stills) if s.resolution == res]
        frames = [stills[i].scene.image for i in idx]
        for name, method in methods.items():
            results, fps = timed_passes(method, frames, passes)
            speed[name][res] = round(fps, 1)
            for i, (digits, reading) in zip(idx, results):
                still = stills[i]
                outputs[name][i] = digits
                tally = tallies[name].setdefault(still.family, {}).setdefault(res, Tally())
                variant = by_variant[name].setdefault(still.family, {}).setdefault(still.scene.variant, Tally())
                for t in (tally, variant):
                    t.add(still.scene.truths, digits)
                    if reading is not None:
                        t.numbers += len(still.scene.numbers)
                        t.numbers_exact += numbers_exact(still.scene.numbers, reading.numbers)
    return tallies, by_variant, speed, outputs


def merged(per_res: dict) -> Tally:
    """One Tally over all resolutions."""
    total = Tally()
    for t in per_res.values():
        for name in ("truths", "detections", "found", "right"):
            setattr(total.score, name, getattr(total.score, name) + getattr(t.score, name))
        total.frames += t.frames
        total.page_losses += t.page_losses
        total.numbers += t.numbers
        total.numbers_exact += t.numbers_exact
    return total


# ----------------------------------------------------------------------------------------------
# Videos


def reading_states(scenes, outputs) -> list[dict]:
    """Per frame: {truth id: read digit or None (missed)} for the visible true digits."""
    states = []
    for scene, digits in zip(scenes, outputs):
        m = match(scene.truths, digits)
        states.append({tid: (None if j is None else digits[j].digit) for tid, j in zip(scene.truth_ids, m)})
    return states


def flicker(states: list[dict]) -> tuple[int, int]:
    """(changes, pairs): over consecutive frames, how often a digit visible in both changes reading."""
    changes = pairs = 0
    for a, b in zip(states, states[1:]):
        for tid in a.keys() & b.keys():
            pairs += 1
            changes += int(a[tid] != b[tid])
    return changes, pairs


def video_stats(scenes, outputs) -> dict:
    """Flicker, per-frame read-right share and page losses of one method on one video."""
    changes, pairs = flicker(reading_states(scenes, outputs))
    shares, losses, false = [], 0, 0
    for scene, digits in zip(scenes, outputs):
        score = Score().add(scene.truths, digits)
        if scene.truths:
            shares.append(score.right / len(scene.truths))
        losses += int(is_page_loss(len(scene.truths), score.right))
        false += score.false_detections
    return {
        "flicker": round(changes / pairs, 4) if pairs else None,
        "flicker_changes": changes,
        "flicker_pairs": pairs,
        "read_right": round(float(np.mean(shares)), 4) if shares else None,
        "page_losses": losses,
        "false_per_frame": round(false / len(outputs), 2) if outputs else None,
    }


def tracker_factory():
    """``livedigits.track.Tracker`` if that module exists, else None."""
    try:
        from livedigits.track import Tracker
    except ImportError:
        return None
    return Tracker


def run_videos(families, videos: int, n_frames: int, base_seed: int, methods: dict) -> dict:
    """Per video family: a list of per-video stats for every method, and livedigits with tracking."""
    tracker_cls = tracker_factory()
    out = {}
    for family in families:
        runs = []
        for v in range(videos):
            rng = np.random.default_rng([base_seed, 1000 + F.FAMILIES.index(family), v])
            scenes = list(F.render_video(family, rng, n_frames, 640, 480))
            run = {"video": v, "frames": len(scenes)}
            for name, method in methods.items():
                results = [method(s.image) for s in scenes]
                run[name] = video_stats(scenes, [d for d, _ in results])
                if name == "livedigits":
                    run[name]["numbers_exact"] = numbers_share(scenes, [r.numbers for _, r in results])
                    if tracker_cls is not None:
                        run["livedigits + tracker"] = tracked_stats(tracker_cls(), scenes, [r for _, r in results])
            runs.append(run)
        out[family] = runs
    return out


def numbers_share(scenes, predicted) -> float | None:
    """Share of the videos' true numbers read exactly (see :func:`numbers_exact`)."""
    total = sum(len(s.numbers) for s in scenes)
    exact = sum(numbers_exact(s.numbers, p) for s, p in zip(scenes, predicted))
    return round(exact / total, 4) if total else None


def tracked_stats(tracker, scenes, readings) -> dict:
    """Video stats of livedigits' readings passed frame by frame through ``tracker``, told the
    frame's size as ``livedigits video`` tells it (a track leaving the frame is dropped)."""
    tracked = [tracker.update(r, frame_size=s.image.shape[1::-1]) for r, s in zip(readings, scenes)]
    stats = video_stats(scenes, [t.digits for t in tracked])
    stats["numbers_exact"] = numbers_share(scenes, [t.numbers for t in tracked])
    return stats


# ----------------------------------------------------------------------------------------------
# Failure montages


def tile(image: np.ndarray, box, caption: str, size: int = 64) -> np.ndarray:
    """A size x (2*size) uint8 BGR tile: the box with 40% context, scaled, and a caption beneath."""
    x, y, w, h = box
    pad = int(0.4 * max(w, h)) + 2
    crop = image[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
    out = np.full((size + 16, 2 * size, 3), 255, np.uint8)
    if crop.size:
        s = min(size / crop.shape[0], 2 * size / crop.shape[1])
        small = cv2.resize(crop, (max(1, int(crop.shape[1] * s)), max(1, int(crop.shape[0] * s))))
        out[: small.shape[0], : small.shape[1]] = small
    cv2.putText(out, caption, (2, size + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 200), 1, cv2.LINE_AA)
    return out


def montage(tiles: list[np.ndarray], columns: int = 10) -> np.ndarray:
    """Tiles (all the same shape) in rows of ``columns``."""
    blank = np.full_like(tiles[0], 255)
    rows = [tiles[i : i + columns] for i in range(0, len(tiles), columns)]
    rows[-1] = rows[-1] + [blank] * (columns - len(rows[-1]))
    return np.vstack([np.hstack(r) for r in rows])


def annotated(image: np.ndarray, truths, digits, width: int = 640) -> np.ndarray:
    """The frame scaled to ``width``: true digits boxed green, detections red with their reading."""
    s = width / image.shape[1]
    out = cv2.resize(image, (width, int(round(image.shape[0] * s))), interpolation=cv2.INTER_AREA)
    for items, colour in ((truths, (0, 200, 0)), (digits, (0, 0, 255))):
        for d in items:
            x, y, w, h = (int(round(v * s)) for v in d.box)
            cv2.rectangle(out, (x, y), (x + w, y + h), colour, 1)
            if colour == (0, 0, 255):
                cv2.putText(out, str(d.digit), (x, y - 2), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
    return out


def save_failures(stills: list[Still], outputs: list, directory: Path, limit: int = 80) -> dict:
    """Write ``<family>_missed.png``, ``_misread.png``, ``_false.png`` (crops) and ``_page_losses.png``
    (whole frames, truths green, readings red) for livedigits; return the counts."""
    directory.mkdir(parents=True, exist_ok=True)
    found: dict[str, dict[str, list]] = {}
    for still, digits in zip(stills, outputs):
        kinds = found.setdefault(still.family, {"missed": [], "misread": [], "false": [], "page_losses": []})
        m = match(still.scene.truths, digits)
        image = still.scene.image
        right = sum(j is not None and digits[j].digit == t.digit for t, j in zip(still.scene.truths, m))
        if is_page_loss(len(still.scene.truths), right):
            kinds["page_losses"].append(annotated(image, still.scene.truths, digits))
        for t, j in zip(still.scene.truths, m):
            if j is None:
                kinds["missed"].append(tile(image, t.box, f"{t.digit} missed {t.box[3]}px"))
            elif digits[j].digit != t.digit:
                kinds["misread"].append(tile(image, t.box, f"{t.digit} read {digits[j].digit}"))
        matched = {j for j in m if j is not None}
        for j, d in enumerate(digits):
            if j not in matched:
                kinds["false"].append(tile(image, d.box, f"false {d.digit} {d.confidence:.2f}"))
    counts = {}
    for family, kinds in found.items():
        counts[family] = {k: len(v) for k, v in kinds.items()}
        for kind, tiles in kinds.items():
            if kind == "page_losses":
                tiles = [cv2.resize(t, (640, 480)) for t in tiles[:6]]
            if tiles:
                cv2.imwrite(
                    str(directory / f"{family}_{kind}.png"), montage(tiles[:limit], 2 if kind == "page_losses" else 10)
                )
    return counts


# ----------------------------------------------------------------------------------------------
# Report


def pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def f1s(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def family_rows(result: dict, names: list[str]) -> list[str]:
    """Markdown rows for ``names``, worst livedigits F1 first."""
    fams = result["families"]
    order = sorted(names, key=lambda f: fams[f]["all"]["livedigits"]["f1"])
    rows = []
    for f in order:
        ld, sa, tu = (fams[f]["all"][m] for m in METHODS)
        per_res = " / ".join(f1s(fams[f][res]["livedigits"]["f1"]) for res in result["meta"]["resolutions"])
        rows.append(
            f"| {f} | {ld['frames']} | {ld['truths']} | {pct(ld['found_rate'])} | {pct(ld['right_rate'])} "
            f"| **{f1s(ld['f1'])}** | {per_res} | {ld['false_detections']} | {ld['page_losses']} "
            f"| {pct(ld.get('numbers_exact'))} "
            f"| {pct(sa['found_rate'])} | {f1s(sa['f1'])} | {sa['page_losses']} "
            f"| {pct(tu['found_rate'])} | {f1s(tu['f1'])} | {tu['page_losses']} |"
        )
    return rows


def table_head(resolutions: list[str]) -> str:
    widths = " / ".join(res.split("x")[0] for res in resolutions)
    return (
        f"| family | frames | digits | found | right | F1 | F1 {widths} | false | page losses | numbers exact "
        "| samples found | samples F1 | samples page losses | tutorial found | tutorial F1 | tutorial page losses |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )


def markdown(result: dict) -> str:
    """The report: headline, per-family tables (tuning, then held out), videos, speed."""
    fams = result["families"]
    tuning = [f for f in fams if not fams[f]["held_out"]]
    held = [f for f in fams if fams[f]["held_out"]]
    lines = [result["headline"], ""]
    head = table_head(result["meta"]["resolutions"])
    lines += ["Families (livedigits columns first; worst livedigits F1 first):", "", head]
    lines += family_rows(result, tuning)
    if held:
        lines += ["", "Held-out families (never used for tuning):", "", head]
        lines += family_rows(result, held)
    lines += ["", "By variant (all families; livedigits F1 beside the recipes'):", ""]
    lines += ["| family | variant | frames | digits | found | F1 | page losses | samples F1 | tutorial F1 |"]
    lines += ["|---|---|---|---|---|---|---|---|---|"]
    for f in sorted(fams, key=lambda f: fams[f]["all"]["livedigits"]["f1"]):
        for v, cell in sorted(fams[f]["variants"].items(), key=lambda kv: kv[1]["livedigits"]["f1"]):
            ld = cell["livedigits"]
            lines.append(
                f"| {f} | {v or '-'} | {ld['frames']} | {ld['truths']} | {pct(ld['found_rate'])} | {f1s(ld['f1'])} "
                f"| {ld['page_losses']} | {f1s(cell['opencv samples']['f1'])} | {f1s(cell['tutorial']['f1'])} |"
            )
    if result.get("videos"):
        lines += ["", "Moving-camera videos (640x480; flicker = reading changes per visible digit and frame pair):", ""]
        methods = [
            m for m in (*METHODS, "livedigits + tracker") if any(m in r for v in result["videos"].values() for r in v)
        ]
        lines.append(
            "| video | frames | "
            + " | ".join(f"{m} flicker | {m} read right | {m} false per frame | {m} page losses" for m in methods)
            + " |"
        )
        lines.append("|---|---|" + "---|---|---|---|" * len(methods))
        for family, runs in result["videos"].items():
            for run in runs:
                cells = []
                for m in methods:
                    s = run.get(m)
                    cells += (
                        ["-", "-", "-", "-"]
                        if s is None
                        else [pct(s["flicker"]), pct(s["read_right"]), str(s["false_per_frame"]), str(s["page_losses"])]
                    )
                lines.append(f"| {family} #{run['video']} | {run['frames']} | " + " | ".join(cells) + " |")
    lines += ["", "Speed (frames/s, one thread, median of passes over all still frames):", ""]
    resolutions = result["meta"]["resolutions"]
    lines.append("| method | " + " | ".join(resolutions) + " |")
    lines.append("|---|" + "---|" * len(resolutions))
    for m, per in result["speed"].items():
        lines.append(f"| {m} | " + " | ".join(str(per[res]) for res in resolutions) + " |")
    return "\n".join(lines)


def headline(fams: dict) -> str:
    def worst(names):
        return min(names, key=lambda f: fams[f]["all"]["livedigits"]["f1"]) if names else None

    tuning = [f for f in fams if not fams[f]["held_out"]]
    held = [f for f in fams if fams[f]["held_out"]]
    w = worst(tuning)
    a = fams[w]["all"]
    text = (
        f"worst family: {w} F1 {a['livedigits']['f1']:.3f} (found {pct(a['livedigits']['found_rate'])}, "
        f"page losses {a['livedigits']['page_losses']}; opencv samples F1 {a['opencv samples']['f1']:.3f}, "
        f"tutorial F1 {a['tutorial']['f1']:.3f})"
    )
    if held:
        h = worst(held)
        text += f"; held-out worst: {h} F1 {fams[h]['all']['livedigits']['f1']:.3f}"
    return text


def build_result(stills, tallies, by_variant, speed, videos, args, elapsed) -> dict:
    fams = {}
    resolutions = list(dict.fromkeys(s.resolution for s in stills))
    for family in dict.fromkeys(s.family for s in stills):
        entry = {"held_out": family in F.HELD_OUT, "description": F.DESCRIPTIONS[family], "all": {}}
        for res in resolutions:
            entry[res] = {m: tallies[m][family][res].as_dict() for m in tallies}
        for m in tallies:
            entry["all"][m] = merged(tallies[m][family]).as_dict()
        variants = sorted(by_variant["livedigits"][family])
        entry["variants"] = {v: {m: by_variant[m][family][v].as_dict() for m in by_variant} for v in variants}
        fams[family] = entry
    return {
        "headline": headline(fams),
        "held_out": list(F.HELD_OUT),
        "families": fams,
        "videos": videos,
        "speed": speed,
        "meta": {
            "seeds": args.seeds,
            "base_seed": args.base_seed,
            "resolutions": resolutions,
            "video_frames": args.video_frames,
            "videos_per_family": args.videos,
            "pen_model": F.G.pen_source(),
            "tracker": tracker_factory() is not None,
            "git": git_state(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "seconds": round(elapsed, 1),
        },
    }


def git_state() -> dict:
    """The commit measured and the runtime files that differed from it (others may be mid-edit)."""
    repo = Path(__file__).resolve().parent.parent

    def git(*cmd):
        try:
            return subprocess.run(["git", *cmd], cwd=repo, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": git("status", "--porcelain", "--", "livedigits").splitlines()}


def get_args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="1 seed, 1 short video per family, 1 speed pass (<40 s)")
    p.add_argument(
        "--seeds", type=int, default=None, help=f"scenes per family and resolution (default {DEFAULT_SEEDS})"
    )
    p.add_argument("--videos", type=int, default=None, help=f"videos per video family (default {DEFAULT_VIDEOS})")
    p.add_argument("--video-frames", type=int, default=None, help=f"frames per video (default {DEFAULT_VIDEO_FRAMES})")
    p.add_argument("--passes", type=int, default=None, help=f"speed passes, median reported (default {SPEED_PASSES})")
    p.add_argument("--families", nargs="+", default=list(F.FAMILIES), choices=F.FAMILIES, help="default: all")
    p.add_argument("--base-seed", type=int, default=2026, help="default 2026")
    p.add_argument(
        "--resolutions",
        nargs="+",
        default=[f"{w}x{h}" for w, h in RESOLUTIONS],
        choices=[f"{w}x{h}" for w, h in KNOWN_RESOLUTIONS],
        help="still frames' sizes (default: %(default)s; videos are 640x480)",
    )
    p.add_argument("--model", default=None, help="ONNX model (default: the shipped one)")
    p.add_argument("--out", default="benchmarks/results-families.json", help="JSON results (default %(default)s)")
    p.add_argument("--save-failures", metavar="DIR", default=None, help="write montages of livedigits' failures")
    return p


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    args.seeds = args.seeds or (1 if args.quick else DEFAULT_SEEDS)
    args.videos = args.videos if args.videos is not None else (1 if args.quick else DEFAULT_VIDEOS)
    args.video_frames = args.video_frames or (16 if args.quick else DEFAULT_VIDEO_FRAMES)
    passes = args.passes or (1 if args.quick else SPEED_PASSES)
    cv2.setNumThreads(1)
    start = time.perf_counter()
    methods = make_methods(args.model)
    resolutions = [tuple(int(v) for v in res.split("x")) for res in args.resolutions]
    stills = make_stills(args.families, args.seeds, args.base_seed, resolutions)
    tallies, by_variant, speed, outputs = score_stills(stills, methods, passes)
    video_families = [f for f in F.VIDEO_FAMILIES if f in args.families]
    videos = run_videos(video_families, args.videos, args.video_frames, args.base_seed, methods) if args.videos else {}
    result = build_result(stills, tallies, by_variant, speed, videos, args, time.perf_counter() - start)
    if args.save_failures:
        result["failures"] = save_failures(stills, outputs["livedigits"], Path(args.save_failures))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    print(f"\n{len(stills)} still frames, {result['meta']['seconds']} s; results in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
