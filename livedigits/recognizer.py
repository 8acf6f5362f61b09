"""Recognizer: frame -> list of recognised digits. The record type every other part consumes."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from livedigits.classify import Classifier
from livedigits.detect import DetectorConfig, binarize, find_candidates, reading_order, to_gray
from livedigits.mnist import SIZE, normalize_digit

DEFAULT_MIN_CONFIDENCE = 0.8
"""Softmax probability below which a candidate is not reported: rejects most non-digit shapes."""
STAGES = ("threshold", "candidates", "normalize", "inference")


@dataclass(frozen=True)
class Digit:
    """One recognised digit. ``box`` is (x, y, w, h) in pixels of the input frame, x,y top-left."""

    box: tuple[int, int, int, int]
    digit: int
    confidence: float

    def to_dict(self) -> dict:
        return {"digit": self.digit, "confidence": round(self.confidence, 4), "box": list(self.box)}


@dataclass
class Analysis:
    """Everything one frame produced: the digits plus what the debug view and benchmarks need."""

    digits: list[Digit]
    mask: np.ndarray
    """HxW uint8 ink mask the candidates were found in."""
    crops: np.ndarray
    """[N,28,28,1] float32 normalised crops of all candidates, before the confidence cut."""
    timings_ms: dict[str, float] = field(default_factory=dict)


class Recognizer:
    """Finds and reads handwritten digits in BGR (or gray) uint8 frames.

    One onnxruntime session is created here and reused for every frame; each frame's candidates
    are classified in one batched call.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        config: DetectorConfig = DetectorConfig(),
        threads: int = 1,
    ):
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within 0..1, got {min_confidence}")
        self.classifier = Classifier(model_path, threads=threads)
        self.min_confidence = min_confidence
        self.config = config
        self._batch = np.zeros((32, SIZE, SIZE, 1), np.float32)

    def recognize(self, frame: np.ndarray) -> list[Digit]:
        """Return the digits in ``frame`` (HxWx3 BGR uint8, or HxW gray) in reading order."""
        return self.analyze(frame).digits

    def analyze(self, frame: np.ndarray) -> Analysis:
        """Like :meth:`recognize`, also returning the mask, the crops and per-stage times."""
        t0 = time.perf_counter()
        mask = binarize(to_gray(frame), self.config)
        t1 = time.perf_counter()
        candidates = find_candidates(mask, self.config)
        t2 = time.perf_counter()
        if len(candidates) > len(self._batch):
            self._batch = np.zeros((2 * len(candidates), SIZE, SIZE, 1), np.float32)
        batch = self._batch[: len(candidates)]
        for i, c in enumerate(candidates):
            normalize_digit(c.mask, out=batch[i, :, :, 0])
        t3 = time.perf_counter()
        probs = self.classifier.predict(batch)
        t4 = time.perf_counter()
        labels = probs.argmax(axis=1)
        confidences = probs[np.arange(len(probs)), labels]
        found = [
            Digit(c.box, int(label), float(conf))
            for c, label, conf in zip(candidates, labels, confidences)
            if conf >= self.min_confidence
        ]
        digits = [found[i] for i in reading_order([d.box for d in found])]
        timings = dict(zip(STAGES, ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3)))
        return Analysis(digits, mask, batch.copy(), timings)
