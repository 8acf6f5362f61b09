"""Draws recognised digits (box, digit, confidence) and the frame rate on a frame."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from livedigits.records import Digit


@dataclass(frozen=True)
class Overlay:
    """Configured once, then ``annotate(frame, digits)`` draws on the frame it is given.

    Line widths and text sizes scale with the frame, so labels stay readable from 320x240 to 4K.
    """

    box_color: tuple[int, int, int] = (0, 200, 0)
    low_color: tuple[int, int, int] = (0, 165, 255)
    """Colour of boxes whose confidence is below ``low_confidence``."""
    low_confidence: float = 0.95
    text_color: tuple[int, int, int] = (255, 255, 255)
    show_confidence: bool = True

    def annotate(self, frame: np.ndarray, digits: list[Digit], fps: float | None = None) -> np.ndarray:
        """Draw on ``frame`` (HxWx3 uint8 BGR) in place and return it."""
        h = frame.shape[0]
        unit = max(1.0, h / 480.0)
        thickness = max(1, int(round(2 * unit)))
        for d in digits:
            x, y, w, bh = d.box
            color = self.box_color if d.confidence >= self.low_confidence else self.low_color
            cv2.rectangle(frame, (x, y), (x + w, y + bh), color, thickness)
            # The digit, large, on a tab above the box (below it at the top edge); its size follows
            # the digit a little and the frame more, so it stays readable without shouting.
            scale = 0.7 * unit * min(1.5, max(0.8, bh / (50 * unit)))
            self._tab(frame, str(d.digit), x, y, bh, scale, thickness, color, above=True)
            if self.show_confidence:
                self._tab(
                    frame, f"{d.confidence:.0%}", x, y, bh, 0.4 * unit, max(1, thickness // 2), color, above=False
                )
        if fps is not None:
            text = f"{fps:5.1f} fps  {len(digits)} digits"
            scale = 0.6 * unit
            (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
            cv2.rectangle(frame, (0, 0), (tw + 10, th + base + 10), (0, 0, 0), cv2.FILLED)
            cv2.putText(
                frame, text, (5, th + 5), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness, cv2.LINE_AA
            )
        return frame

    def _tab(self, frame, text, x, y, bh, scale, thickness, color, above: bool) -> None:
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        height = th + base + 4
        top = y - height if above else y + bh + 1
        if top < 0 or top + height > frame.shape[0]:
            top = y + bh + 1 if above else y - height
        cv2.rectangle(frame, (x, top), (x + tw + 4, top + height), color, cv2.FILLED)
        cv2.putText(
            frame, text, (x + 2, top + th + 2), cv2.FONT_HERSHEY_SIMPLEX, scale, self.text_color, thickness, cv2.LINE_AA
        )


def debug_view(frame: np.ndarray, mask: np.ndarray, crops: np.ndarray) -> np.ndarray:
    """The threshold mask with the normalised crops tiled along its top: what the model saw."""
    view = cv2.cvtColor(mask, cv2.COLOR_GRAY2BGR)
    if len(crops):
        tile = max(28, frame.shape[0] // 12)
        per_row = max(1, view.shape[1] // tile)
        for i, crop in enumerate(crops[: per_row * 3]):
            r, c = divmod(i, per_row)
            img = cv2.resize((crop[:, :, 0] * 255).astype(np.uint8), (tile, tile), interpolation=cv2.INTER_NEAREST)
            view[r * tile : (r + 1) * tile, c * tile : (c + 1) * tile] = img[:, :, None]
            cv2.rectangle(view, (c * tile, r * tile), ((c + 1) * tile - 1, (r + 1) * tile - 1), (0, 128, 255), 1)
    return view
