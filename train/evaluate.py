"""Evaluate a model (.onnx or .keras) on the MNIST test set: accuracy, per-class figures, plots."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from livedigits.classify import Classifier
from livedigits.errors import LivedigitsError
from livedigits.train.data import load_mnist
from livedigits.train.fit import as_model_input


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


def predict(model_path, images: np.ndarray) -> np.ndarray:
    """Probabilities [N,10] from an ONNX model (default: the shipped one) or a .keras model."""
    if model_path is not None and Path(model_path).suffix == ".keras":
        from livedigits.train.export import load_keras

        return load_keras(model_path).predict(images, batch_size=512, verbose=0)
    return Classifier(model_path, threads=os.cpu_count() or 1).predict(images)


def evaluate(model_path: str | None, data_dir: str | None, report_dir: str | None = None) -> dict:
    """Return the report as a dict; with ``report_dir``, also write confusion.png and errors.png."""
    _, (x_test, y_test) = load_mnist(data_dir)
    images = as_model_input(x_test)
    probs = predict(model_path, images)
    predicted = probs.argmax(1)
    matrix = confusion_matrix(y_test, predicted)
    report = {
        "model": str(model_path or "shipped"),
        "test_images": int(len(y_test)),
        "accuracy": round(float((predicted == y_test).mean()), 5),
        "errors": int((predicted != y_test).sum()),
        "per_class": per_class(matrix),
    }
    if report_dir is not None:
        out = Path(report_dir)
        if not out.exists() and out.parent.is_dir():
            out.mkdir()
        if not out.is_dir():
            raise LivedigitsError(f"report directory does not exist: {out}")
        report["confusion_png"] = str(plot_confusion(matrix, out / "confusion.png"))
        report["errors_png"] = str(plot_errors(x_test, y_test, predicted, probs, out / "errors.png"))
    return report


def plot_confusion(matrix: np.ndarray, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    ax.set_title(f"MNIST test confusion matrix ({int(np.trace(matrix))}/{int(matrix.sum())} right)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_errors(images, labels, predicted, probs, path: Path, limit: int = 100) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wrong = np.nonzero(predicted != labels)[0][:limit]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(images[i], cmap="gray")
        ax.set_title(f"{labels[i]}→{predicted[i]} {probs[i].max():.0%}", fontsize=7)
    fig.suptitle(f"misclassified test digits (true→predicted, confidence); {len(wrong)} shown", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
