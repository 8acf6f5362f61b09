"""A tiny benchmark run: everything runs, and the JSON has every field the table needs."""

import json

import pytest

from benchmarks.run import RESOLUTIONS, main

METHODS = {"livedigits", "livedigits + cv2.dnn", "tutorial recipe + onnxruntime", "tutorial recipe + Keras"}


@pytest.mark.slow
def test_quick_benchmark_writes_complete_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["--quick", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report["methods"]) == METHODS, report["notes"]
    names = [f"{w}x{h}" for w, h in RESOLUTIONS]
    for name, method in report["methods"].items():
        accuracy = method["accuracy"]
        for key in (*names, "video 640x480", "all"):
            assert {"found_rate", "right_rate", "f1", "false_detections", "truths", "detections"} <= set(accuracy[key])
        assert accuracy["all"]["truths"] > 100
        assert accuracy["empty_frames"] > 0
        assert isinstance(accuracy["false_digits_on_empty_frames"], int), name
        assert all(method["pipeline_fps"][n] > 0 for n in names), name
    ours = report["methods"]["livedigits"]
    assert ours["accuracy"]["false_digits_on_empty_frames"] == 0  # blank and garbage frames read nothing
    assert ours["classifier_batch16_ms"] > 0
    for n in names:
        assert set(ours["stages"][n]) == {"gray", "detect", "normalize", "inference", "overlay"}
        assert all(0 < v["p50_ms"] <= v["p95_ms"] < 1000 for v in ours["stages"][n].values()), ours["stages"][n]
        e2e = ours["end_to_end"][n]
        assert e2e["video_fps"] > 0 and e2e["startup_to_first_frame_s"] > 0 and e2e["peak_rss_mb"] > 50
    assert "| livedigits |" in capsys.readouterr().out


def test_the_prices_benchmark_draws_marked_numbers_on_a_turned_sheet_and_scores_them(capsys):
    import numpy as np

    from benchmarks.prices import BANDS, main, price_frame
    from benchmarks.synth import DigitBank

    # a frame: its numbers' truths hold points and commas, and every digit's truth box holds ink
    scene, numbers, turn = price_frame(DigitBank.load(), np.random.default_rng(1))
    assert -12 <= turn <= 12
    assert any("." in n.text or "," in n.text for n in numbers)
    gray = scene.image[..., 0]
    for t in scene.truths:
        x, y, w, h = t.box
        assert gray[max(0, y) : y + h, max(0, x) : x + w].min() < 150
    # the run prints a row for every band of turn
    assert main(["--frames", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert all(f"| {a} to {b} |" in out for a, b in BANDS)
