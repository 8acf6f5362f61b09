"""Score recognised digits against ground truth: found, right, false detections."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATCH_IOU = 0.4
"""A detection matches a true digit when their boxes overlap by this intersection-over-union."""


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    truths: int = 0
    detections: int = 0
    found: int = 0
    right: int = 0

    def add(self, truths, detections) -> Score:
        """Greedy one-to-one matching by IoU; ``truths`` and ``detections`` have .box and .digit."""
        self.truths += len(truths)
        self.detections += len(detections)
        if truths and detections:
            pairs = sorted(
                ((iou(t.box, d.box), i, j) for i, t in enumerate(truths) for j, d in enumerate(detections)),
                reverse=True,
            )
            used_t, used_d = set(), set()
            for overlap, i, j in pairs:
                if overlap < MATCH_IOU:
                    break
                if i in used_t or j in used_d:
                    continue
                used_t.add(i)
                used_d.add(j)
                self.found += 1
                self.right += int(truths[i].digit == detections[j].digit)
        return self

    @property
    def found_rate(self) -> float:
        """Share of true digits that were detected."""
        return self.found / self.truths if self.truths else float("nan")

    @property
    def right_rate(self) -> float:
        """Share of matched detections whose digit is right."""
        return self.right / self.found if self.found else float("nan")

    @property
    def f1(self) -> float:
        """End-to-end F1: a detection counts only when it is found and right."""
        precision = self.right / self.detections if self.detections else 0.0
        recall = self.right / self.truths if self.truths else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def false_detections(self) -> int:
        return self.detections - self.found

    def as_dict(self) -> dict:
        return {
            "truths": self.truths,
            "detections": self.detections,
            "found_rate": round(self.found_rate, 4) if self.truths else None,
            "right_rate": round(self.right_rate, 4) if self.found else None,
            "f1": round(self.f1, 4),
            "false_detections": self.false_detections,
        }


def mean_or_nan(values) -> float:
    return float(np.mean(values)) if len(values) else float("nan")
