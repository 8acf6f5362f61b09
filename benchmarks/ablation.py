"""Every filter of the detector (and the recogniser's word and size checks) earns its place: F1 per
scene family with each one turned off.

    python -m benchmarks.ablation                 # tuning families, 4 seeds x 2 resolutions
    python -m benchmarks.ablation --held-out      # the held-out families (report only: never tune)

A row whose F1 is not below the baseline's on any family is a filter that does not pay. Speed is
not measured here (see ``benchmarks.family_bench``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np

from benchmarks.families import FAMILIES, HELD_OUT, render
from benchmarks.score import Score
from livedigits import cuts, detect, recognizer
from livedigits.recognizer import Recognizer

RESOLUTIONS = ((640, 480), (1280, 720))


def _no_containers(components: Callable):
    def patched(mask, min_h):
        found = components(mask, min_h)
        found.containers[:] = False
        return found

    return patched


def _singletons(boxes, hosts):
    return np.arange(len(boxes))


def _no_words(boxes, *args):
    return np.zeros(len(boxes), bool)


def _every_size(boxes, share):
    return np.ones(len(boxes), bool)


PATCHES: dict[str, tuple[object, str, Callable]] = {
    "no containers (outer contours only)": (detect, "_components", _no_containers),
    "no line erasing": (detect, "_erase_structures", lambda f: lambda mask, *args: mask),
    "no merging of pieces": (detect, "_merge_fragments", lambda f: _singletons),
    "no stacked joins": (detect, "_join_stacked", lambda f: lambda candidates, median_h: candidates),
    "no digits regrown in noisy frames": (detect, "_regrown", lambda f: lambda candidates, *args: candidates),
    "no cut lattice for touching digits": (cuts, "cut_lattice", lambda f: lambda candidate, count: []),
    "no touching digits read as one more than their width holds": (cuts, "path_counts", lambda f: lambda n: (n, n)),
    "no walls between cells (dividers)": (detect, "_without_dividers", lambda f: lambda kept, erased: kept),
    "no walls between lifted rulings or erased lines": (detect, "_between_rulings", lambda f: lambda *args: False),
    "no word check (livedigits.words)": (recognizer, "in_words", lambda f: _no_words),
    "no size consistency (recognizer.of_a_size)": (recognizer, "of_a_size", lambda f: _every_size),
}
"""Turned off by replacing a step of :mod:`livedigits.detect` (or the recogniser's word or size check) for the run."""
CONFIGS: dict[str, dict] = {
    "no ruling lift (ruling_lift_max)": {"ruling_lift_max": 0},
    "no edge check (min_side_ratio)": {"min_side_ratio": 0.0},
    "no surface check (min_surface_ratio)": {"min_surface_ratio": 0.0},
    "no ink taken off the bright page, in a shadow (shadow_min_contrast)": {"shadow_min_contrast": 1.0},
    "no ink contrast check (min_ink_contrast)": {"min_ink_contrast": 0.0},
    "no texture ring round small marks (max_texture)": {"max_texture": 1.0},
    "no mid-tone check round tall marks (max_mid_tones)": {"max_mid_tones": 1.0},
    "no fine ink for small marks (fine_scale)": {"fine_scale": 1},
    "no faint small digits grown from specks (faint_ratio)": {"faint_ratio": 0.0},
    "the classifier reads the binary mask, not the darkness (read_darkness)": {"read_darkness": False},
    "no dim-surface contrast check (dim_min_contrast)": {"dim_min_contrast": 0.0},
    "no denoising (noisy)": {"noisy": 1.0},
    "no static cut (max_noise)": {"max_noise": 10.0},
    "no second look at a quarter size for wide strokes (coarse_scale)": {"coarse_scale": 1},
}
"""Turned off through :class:`~livedigits.detect.DetectorConfig`."""


@contextmanager
def patched(name: str | None):
    if name is None:
        yield
        return
    module, attr, make = PATCHES[name]
    original = getattr(module, attr)
    setattr(module, attr, make(original))
    try:
        yield
    finally:
        setattr(module, attr, original)


def scenes_of(families, seeds: int, base_seed: int) -> dict[str, list]:
    return {
        f: [render(f, np.random.default_rng(base_seed + s), w, h) for s in range(seeds) for w, h in RESOLUTIONS]
        for f in families
    }


def f1_by_family(recognizer: Recognizer, scenes: dict[str, list]) -> dict[str, float]:
    out = {}
    for family, frames in scenes.items():
        score = Score()
        for scene in frames:
            score.add(scene.truths, recognizer.recognize(scene.image))
        out[family] = score.f1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4, help="scenes per family and resolution (default 4)")
    parser.add_argument("--base-seed", type=int, default=7000, help="default 7000 (not the benchmark's seeds)")
    parser.add_argument("--held-out", action="store_true", help="the held-out families instead (report only)")
    args = parser.parse_args(argv)
    families = HELD_OUT if args.held_out else tuple(f for f in FAMILIES if f not in HELD_OUT)
    scenes = scenes_of(families, args.seeds, args.base_seed)
    base_config = detect.DetectorConfig()
    rows = {"baseline (all on)": f1_by_family(Recognizer(threads=1), scenes)}
    for name in PATCHES:
        with patched(name):
            rows[name] = f1_by_family(Recognizer(threads=1), scenes)
    for name, change in CONFIGS.items():
        config = dataclasses.replace(base_config, **change)
        rows[name] = f1_by_family(Recognizer(threads=1, config=config), scenes)
    base = rows["baseline (all on)"]
    print("| F1 by family | " + " | ".join(families) + " | worst | families it helps |")
    print("|---|" + "---|" * (len(families) + 2))
    for name, f1s in rows.items():
        helps = sum(base[f] > f1s[f] + 0.002 for f in families)
        cells = [f"{f1s[f]:.3f}" for f in families]
        print(f"| {name} | " + " | ".join(cells) + f" | {min(f1s.values()):.3f} | {'-' if f1s is base else helps} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
