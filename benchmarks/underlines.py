"""Numbers written standing on a form's underlines: read exactly or not, per font, tilt and size.

A form has a printed line under each field, and the number written there stands on it: each
digit's foot crosses the line, and its top is the top of the mark the line and the number make
together. The scene families vary boxes and rulings, not this; a new user's photo of an order form
lost most of its numbers to it. Each scene is a page with three underlines, level or turned a few
degrees, and on each one of the numbers "40817", "3" and "1527" written in one of the handwriting
fonts of :mod:`benchmarks.glyphs`, at 480 px (digits 50 px tall, 2 px lines) and at 1600 px
(100 px digits, 4 px lines). Usage: ``python -m benchmarks.underlines [--model PATH]``.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from benchmarks.glyphs import font_glyph, font_paths
from livedigits.recognizer import Recognizer

NUMBERS = ("40817", "3", "1527")
TILTS = (-4.0, -3.0, -2.0, -1.5, 0.0, 1.5, 2.0, 3.0, 4.0)
SIZES = {"480 px": (480, 640, 50, 2, 540), "1600 px": (1600, 1400, 100, 4, 560)}
PAPER, INK = 225, 40
ABOVE = 0.85
"""Share of a digit's height above its line: the rest crosses it."""


def underlined_page(
    degrees: float, font: Path, height: int, width: int, digit_h: int, line_px: int, line_len: int
) -> np.ndarray:
    """A BGR page with three underlines turned ``degrees`` and :data:`NUMBERS` standing on them."""
    img = np.full((height, width), PAPER, np.uint8)
    slope = np.tan(np.radians(degrees))
    for n, text in enumerate(NUMBERS):
        y0 = int(height * 0.27) + int(height * 0.29) * n

        def line_y(x: float, y0: int = y0) -> float:
            return y0 + slope * (x - 60)

        ends = [(x, round(line_y(x))) for x in (60, 60 + line_len)]
        cv2.line(img, ends[0], ends[1], INK, line_px, cv2.LINE_AA)
        x = 110
        for ch in text:
            glyph = font_glyph(int(ch), font)
            w = max(2, round(glyph.shape[1] * digit_h / glyph.shape[0]))
            alpha = cv2.resize(glyph, (w, digit_h), interpolation=cv2.INTER_AREA)
            y = round(line_y(x + w / 2)) - int(digit_h * ABOVE)
            region = img[y : y + digit_h, x : x + w].astype(np.float32)
            img[y : y + digit_h, x : x + w] = (region * (1 - alpha) + INK * alpha).astype(np.uint8)
            x += w + digit_h // 5
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def run(model: str | None = None) -> dict[str, dict[str, tuple[int, int]]]:
    """Per kind of group ("font", "tilt", "size", "number", "all"), per group: (numbers read
    exactly, numbers in all); and under "false", "numbers": (numbers read that are none of the
    page's, pages)."""
    recognizer = Recognizer(model_path=model, threads=1)
    exact: Counter = Counter()
    total: Counter = Counter()
    false = pages = 0
    for font in font_paths():
        for degrees in TILTS:
            for size, args in SIZES.items():
                texts = [n.text for n in recognizer.read(underlined_page(degrees, font, *args)).numbers]
                read = set(texts)
                false += sum(text not in NUMBERS for text in texts)
                pages += 1
                for text in NUMBERS:
                    groups = (("font", font.stem), ("tilt", f"{degrees:+.1f} deg"), ("size", size), ("number", text))
                    for key in (*groups, ("all", "all")):
                        total[key] += 1
                        exact[key] += text in read
    out: dict[str, dict[str, tuple[int, int]]] = {"false": {"numbers": (false, pages)}}
    for (kind, group), n in total.items():
        out.setdefault(kind, {})[group] = (exact[(kind, group)], n)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="ONNX model (default: the shipped one)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = run(args.model)
    right, total = result.pop("all")["all"]
    false, pages = result.pop("false")["numbers"]
    print(f"numbers read exactly: {right} of {total} ({right / total:.1%})")
    print(f"numbers read that the pages do not hold (pieces, misreads): {false} on {pages} pages")
    for kind, groups in result.items():
        print(f"\n| {kind} (worst first) | read exactly |\n|---|---|")
        for group, (right, total) in sorted(groups.items(), key=lambda item: item[1][0] / item[1][1]):
            print(f"| {group} | {right} / {total} |")
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
