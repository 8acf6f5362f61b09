"""Evaluate a model (.onnx or .keras): MNIST accuracy and per-class figures, calibration, and
accuracy on held-out writing styles and non-digits.

Needs no TensorFlow for an ONNX model (numpy, OpenCV, onnxruntime; matplotlib for the plots).

The style crops are drawn by the pen model (``train/pen.py``) with seeds training never uses and
pen settings narrowed to one style each (hairline, marker, slants, European 1 and 7, open and
closed 4 and 9, script forms), plus digits typed in OpenCV's Hershey fonts, which training never
sees as digits. Those crops reach the model from a binary ink mask, through
:func:`livedigits.mnist.normalize_digit`; two more styles, pen digits a few pixels tall and pen
digits through a dim, noisy webcam, as the runtime reads such crops: their darkness.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from livedigits.classify import Classifier, default_model_path
from livedigits.errors import LivedigitsError
from livedigits.mnist import normalize_batch
from livedigits.sinks import output_directory
from livedigits.train.augment import CameraAugment, noisy, tiny
from livedigits.train.data import as_model_input, load_eval_split
from livedigits.train.junk import KINDS, render_junk
from livedigits.train.pen import PenStyle, render_digit

ECE_BINS = 15
CONFIDENT = 0.8
"""The runtime's default --min-confidence: a non-digit above it would be reported as a digit."""
STYLE_SEED = 1_000_003
"""Seed of the held-out crops; training draws its pen digits and non-digits with seeds < 1000."""
PER_STYLE = 600
"""Crops per pen style (spread over its digits); the fonts get half, as they vary less."""
NON_DIGITS = 2_000

# The held-out pens: each narrows the training ranges to one style, with pressure, jitter and
# wobble set off the training defaults (0.35, 0.035, 0.012).
HELD_OUT = PenStyle(pressure=0.5, jitter=0.045, wobble=0.016)
PEN_STYLES: dict[str, tuple[PenStyle, tuple[int, ...]]] = {
    "pen-any": (HELD_OUT, tuple(range(10))),
    "hairline": (replace(HELD_OUT, width=(0.02, 0.03), height=(60.0, 90.0)), tuple(range(10))),
    "marker": (replace(HELD_OUT, width=(0.19, 0.24), height=(28.0, 45.0)), tuple(range(10))),
    "slant-right": (replace(HELD_OUT, slant=(0.3, 0.45)), tuple(range(10))),
    "slant-left": (replace(HELD_OUT, slant=(-0.25, -0.15)), tuple(range(10))),
    "european-1-7": (replace(HELD_OUT, variants=("1-flag", "1-flag-base", "7-cross", "7-serif-cross")), (1, 7)),
    "open-4": (replace(HELD_OUT, variants=("4-open", "4-open-slant")), (4,)),
    "closed-4": (replace(HELD_OUT, variants=("4-closed",)), (4,)),
    "open-9": (replace(HELD_OUT, variants=("9-open",)), (9,)),
    "closed-9": (replace(HELD_OUT, variants=("9-closed", "9-curved-tail")), (9,)),
    "script": (
        replace(HELD_OUT, variants=("0-slashed", "2-loop", "6-big-loop", "8-figure", "9-script"), slant=(0.15, 0.4)),
        (0, 2, 6, 8, 9),
    ),
}
FONT_STYLES = {
    "hershey-simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "hershey-duplex": cv2.FONT_HERSHEY_DUPLEX,
    "hershey-complex": cv2.FONT_HERSHEY_COMPLEX,
    "hershey-triplex": cv2.FONT_HERSHEY_TRIPLEX,
    "hershey-plain": cv2.FONT_HERSHEY_PLAIN,
    "hershey-script-simplex": cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    "hershey-script-complex": cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
}

# Digits far from the camera and through a dim webcam, read as the runtime reads them (their
# darkness): pen-any digits with sizes and noise set apart from training's ranges (training, when
# its camera samples are on: 6-16 px tall, noise 4-25% of the paper; here 7-10 px, noise 15-30%).
CAMERA_STYLES: dict[str, tuple] = {
    "tiny-7-10px": (tiny, CameraAugment(tiny_height=(7.0, 10.0))),
    "webcam-noisy": (noisy, CameraAugment(noisy_sigma=(0.15, 0.3), noisy_height=(20.0, 40.0))),
}


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """[true, predicted] counts, int64 [classes, classes]."""
    matrix = np.zeros((classes, classes), np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predicted.astype(np.int64)), 1)
    return matrix


def per_class(matrix: np.ndarray) -> list[dict]:
    rows = []
    for c in range(len(matrix)):
        tp = matrix[c, c]
        precision = tp / matrix[:, c].sum() if matrix[:, c].sum() else 0.0
        recall = tp / matrix[c].sum() if matrix[c].sum() else 0.0
        rows.append(
            {
                "digit": c,
                "precision": round(float(precision), 4),
                "recall": round(float(recall), 4),
                "support": int(matrix[c].sum()),
            }
        )
    return rows


def calibration(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Expected calibration error of the top-class confidence, in ``bins`` equal-width bins.

    ECE = sum over bins of (share of samples in the bin) x |accuracy - mean confidence| there.
    Returns {"ece", "bins": [{"lo", "hi", "count", "confidence", "accuracy"}...]} (empty bins kept
    with count 0), from probabilities float [N, C] and integer labels [N].
    """
    confidence = probs.max(1)
    correct = probs.argmax(1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bin i holds (edges[i], edges[i+1]]; a confidence of exactly 0 goes to the first bin.
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    ece, rows = 0.0, []
    for i in range(bins):
        member = index == i
        count = int(member.sum())
        row = {"lo": round(float(edges[i]), 4), "hi": round(float(edges[i + 1]), 4), "count": count}
        if count:
            row["confidence"] = float(confidence[member].mean())
            row["accuracy"] = float(correct[member].mean())
            ece += count / len(labels) * abs(row["accuracy"] - row["confidence"])
        rows.append(row)
    return {"ece": float(ece), "bins": rows}


def with_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax probabilities recomputed as softmax(logits / T) (log p equals the logits up to a
    per-row constant, which softmax ignores)."""
    logits = np.log(np.clip(probs.astype(np.float64), 1e-30, None)) / temperature
    logits -= logits.max(1, keepdims=True)
    out = np.exp(logits)
    return (out / out.sum(1, keepdims=True)).astype(np.float32)


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """The temperature (0.5-3) that minimises the negative log-likelihood of ``labels``."""
    grid = np.exp(np.linspace(np.log(0.5), np.log(3.0), 181))
    nll = [-np.log(with_temperature(probs, t)[np.arange(len(labels)), labels] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(nll))])


def _font_digit(digit: int, font: int, rng: np.random.Generator) -> np.ndarray:
    canvas = 160
    img = np.zeros((canvas, canvas), np.uint8)
    thickness = int(rng.integers(1, 9))  # a fine pen to a marker
    scale = cv2.getFontScaleFromHeight(font, int(rng.uniform(50, 80)), thickness)
    (tw, th), _ = cv2.getTextSize(str(digit), font, scale, thickness)
    cv2.putText(img, str(digit), ((canvas - tw) // 2, (canvas + th) // 2), font, scale, 255, thickness, cv2.LINE_AA)
    angle = rng.uniform(-5, 5)
    matrix = cv2.getRotationMatrix2D((canvas / 2, canvas / 2), angle, 1.0)
    return cv2.warpAffine(img, matrix, (canvas, canvas), flags=cv2.INTER_LINEAR)


def _as_runtime_crop(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A crop as the detector hands it on: blurred a little by the lens, then a binary ink mask."""
    ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.3, 1.0))
    return np.where(ink > 0.45 * max(int(ink.max()), 1), 255, 0).astype(np.uint8)


def style_crops(seed: int = STYLE_SEED, per_style: int = PER_STYLE) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Held-out style crops: {style: (model input float32 [N,28,28,1], labels int64 [N])}."""
    rng = np.random.default_rng(seed)
    sets = {}
    for name, (style, digits) in PEN_STYLES.items():
        labels = np.repeat(np.array(digits), max(1, per_style // len(digits)))
        crops = [_as_runtime_crop(render_digit(int(d), rng, style), rng) for d in labels]
        sets[name] = (normalize_batch(crops), labels.astype(np.int64))
    for name, font in FONT_STYLES.items():
        labels = np.repeat(np.arange(10), max(1, per_style // 20))
        crops = [_as_runtime_crop(_font_digit(int(d), font, rng), rng) for d in labels]
        sets[name] = (normalize_batch(crops), labels.astype(np.int64))
    for name, (seen, augment) in CAMERA_STYLES.items():
        labels = np.repeat(np.arange(10), max(1, per_style // 10))
        crops = [_through_camera(render_digit(int(d), rng, HELD_OUT), seen, augment, rng) for d in labels]
        sets[name] = (normalize_batch(crops), labels.astype(np.int64))
    return sets


def _through_camera(ink: np.ndarray, seen, augment: CameraAugment, rng: np.random.Generator) -> np.ndarray:
    """A pen digit (uint8, ink bright) seen by :func:`~livedigits.train.augment.tiny` or
    :func:`~livedigits.train.augment.noisy`, as the runtime reads such a crop."""
    ys = np.nonzero(ink.any(axis=1))[0]
    height = float(ys[-1] - ys[0] + 1) if len(ys) else float(ink.shape[0])
    return seen(ink.astype(np.float32) / 255.0, height, rng, augment)


def non_digit_crops(digits: np.ndarray, n: int = NON_DIGITS, seed: int = STYLE_SEED) -> tuple[np.ndarray, list[str]]:
    """Held-out non-digits of every kind in train/junk.py (pairs made from ``digits``, which should
    be test digits): model input float32 [n,28,28,1] and the kind of each."""
    rng = np.random.default_rng(seed + 1)
    kinds = [list(KINDS)[i % len(KINDS)] for i in range(n)]
    crops = [_as_runtime_crop(render_junk(rng, digits, kind), rng) for kind in kinds]
    return normalize_batch(crops), kinds


def predict(model_path, images: np.ndarray) -> np.ndarray:
    """Probabilities [N,10] from an ONNX model (default: the shipped one) or a .keras model."""
    if model_path is not None and Path(model_path).suffix == ".keras":
        try:
            from livedigits.train.export import load_keras
        except ImportError as exc:
            raise LivedigitsError(
                "a .keras model needs TensorFlow: pip install 'livedigits[train]' (or evaluate the .onnx)"
            ) from exc

        return load_keras(model_path).predict(images, batch_size=512, verbose=0)
    return Classifier(model_path, threads=os.cpu_count() or 1).predict(images)


def evaluate(
    model_path: str | None,
    data_dir: str | None,
    report_dir: str | None = None,
    split: str = "test",
    styles: bool = True,
) -> dict:
    """Return the report as a dict; with ``report_dir``, also write confusion.png, errors.png,
    reliability.png and styles.png.

    ``split`` is "test" (the figure to report, once) or "validation" (the last 10,000 of
    MNIST-train, for choosing). ``styles`` adds the held-out style and non-digit crops.
    """
    if report_dir is not None:
        output_directory(report_dir, "report directory", make=False)  # before the work, made after it
    x_eval, y_eval = load_eval_split(data_dir, split)
    images = as_model_input(x_eval)
    probs = predict(model_path, images)
    predicted = probs.argmax(1)
    matrix = confusion_matrix(y_eval, predicted)
    calib = calibration(probs, y_eval)
    report = {
        "model": str(model_path or default_model_path()),
        "split": split,
        "test_images" if split == "test" else "validation_images": int(len(y_eval)),
        "accuracy": round(float((predicted == y_eval).mean()), 5),
        "errors": int((predicted != y_eval).sum()),
        "ece": round(calib["ece"], 5),
        "per_class": per_class(matrix),
    }
    style_results = {}
    if styles:
        for name, (crops, labels) in style_crops().items():
            style_probs = predict(model_path, crops)
            style_results[name] = {
                "accuracy": round(float((style_probs.argmax(1) == labels).mean()), 4),
                "reported_accuracy": _reported_accuracy(style_probs, labels),
                "reported": int((style_probs.max(1) > CONFIDENT).sum()),
                "crops": int(len(labels)),
            }
        test_digits = x_eval if split == "test" else load_eval_split(data_dir, "test")[0]
        junk, kinds = non_digit_crops(test_digits)
        junk_conf = predict(model_path, junk).max(1)
        kinds_arr = np.array(kinds)
        report["styles"] = style_results
        report["non_digits"] = {
            "crops": int(len(junk)),
            "confident_share": round(float((junk_conf > CONFIDENT).mean()), 4),
            "by_kind": {k: round(float((junk_conf[kinds_arr == k] > CONFIDENT).mean()), 4) for k in KINDS},
        }
    if report_dir is not None:
        out = output_directory(report_dir, "report directory")
        report["confusion_png"] = str(plot_confusion(matrix, out / "confusion.png", split))
        report["errors_png"] = str(plot_errors(x_eval, y_eval, predicted, probs, out / "errors.png"))
        report["reliability_png"] = str(plot_reliability(calib, out / "reliability.png", split))
        if style_results:
            report["styles_png"] = str(plot_styles(style_results, out / "styles.png"))
    return report


def _reported_accuracy(probs: np.ndarray, labels: np.ndarray) -> float | None:
    """Accuracy among the crops the runtime would report (confidence above ``CONFIDENT``); None
    when it would report none of them (a model trained briefly: "nothing reported" is not "all
    wrong")."""
    kept = probs.max(1) > CONFIDENT
    return round(float((probs.argmax(1)[kept] == labels[kept]).mean()), 4) if kept.any() else None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(matrix: np.ndarray, path: Path, split: str = "test") -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.5))
    # Log colour scale: the diagonal (~1000) would otherwise hide every error (~1-10).
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for t in range(10):
        for p in range(10):
            if matrix[t, p]:
                color = "white" if t == p else "black"
                ax.text(p, t, str(matrix[t, p]), ha="center", va="center", fontsize=7, color=color)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"MNIST {split} confusion matrix ({int(np.trace(matrix))}/{int(matrix.sum())} right)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_errors(images, labels, predicted, probs, path: Path, limit: int = 100) -> Path:
    plt = _pyplot()
    wrong = np.nonzero(predicted != labels)[0][:limit]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(images[i], cmap="gray")
        ax.set_title(f"{labels[i]}→{predicted[i]} {probs[i].max():.0%}", fontsize=7)
    fig.suptitle(f"misclassified digits (true→predicted, confidence); {len(wrong)} shown", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_reliability(calib: dict, path: Path, split: str = "test") -> Path:
    """Accuracy against confidence per bin (the diagonal is perfect calibration), with counts."""
    plt = _pyplot()
    bins = [b for b in calib["bins"] if b["count"]]
    fig, (ax, ax_count) = plt.subplots(2, 1, figsize=(5, 6), height_ratios=[3, 1], sharex=True)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    for b in calib["bins"]:
        if b["count"]:
            ax.bar(b["lo"], b["accuracy"], width=b["hi"] - b["lo"], align="edge", color="tab:blue", alpha=0.7)
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="tab:red", markersize=4)
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    ax.set_title(f"reliability on MNIST {split}: ECE {calib['ece']:.2%} ({len(calib['bins'])} bins)")
    ax_count.bar(  # empty bins drawn as no bar (on the log scale a count of 0 has no height)
        [b["lo"] for b in calib["bins"] if b["count"]],
        [b["count"] for b in calib["bins"] if b["count"]],
        width=1 / len(calib["bins"]),
        align="edge",
        color="tab:grey",
    )
    ax_count.set_yscale("log")
    ax_count.set_xlabel("confidence (top-class probability)")
    ax_count.set_ylabel("digits")
    ax_count.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_styles(results: dict, path: Path) -> Path:
    plt = _pyplot()
    names = list(results)
    values = [results[n]["accuracy"] * 100 for n in names]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
    ax.barh(names, values, color=["tab:green" if v >= 99 else "tab:orange" for v in values])
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.1f}%", va="center", fontsize=7)
    ax.axvline(99, color="grey", linestyle="--", linewidth=1, label="target: 99%")
    ax.set_xlim(min(80.0, 10 * (min(values) // 10)), 101)  # a round start: a bar near it still shows
    ax.legend(loc="lower right", fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy on held-out style crops (%; green at or above the 99% target, orange under it)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
