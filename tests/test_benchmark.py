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
