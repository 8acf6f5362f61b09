"""The livedigits command end to end: round trips, bad input, interruption and the window path."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import EXAMPLE_VIDEO
from livedigits.cli import main

CLI = [sys.executable, "-m", "livedigits.cli"]


def run_cli(*args, **kwargs):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=120, **kwargs)


def video_frames(path) -> int:
    """Frames that actually decode: proof that a written video is playable."""
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_video_round_trip(tmp_path):
    out, js = tmp_path / "out.mp4", tmp_path / "out.jsonl"
    result = run_cli("video", EXAMPLE_VIDEO, "--output", out, "--json", js, "--max-frames", 30)
    assert result.returncode == 0, result.stderr
    assert video_frames(out) == 30
    cap = cv2.VideoCapture(str(out))
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (640, 480)
    records = read_jsonl(js)
    assert [r["frame"] for r in records] == list(range(30))
    for r in records:
        assert set(r) == {"source", "frame", "t_ms", "digits"} and r["t_ms"] > 0
        for d in r["digits"]:
            assert set(d) == {"digit", "confidence", "box", "line"}
            assert 0 <= d["digit"] <= 9 and 0 <= d["confidence"] <= 1 and len(d["box"]) == 4
    assert sum(len(r["digits"]) for r in records) > 30 * 15  # the example shows ~24 digits a frame
    assert "30 frames" in result.stderr and "fps mean" in result.stderr


def test_example_video_is_read_correctly(tmp_path):
    # the bundled example carries its ground truth: score the first frames against it
    from benchmarks.score import Score
    from benchmarks.synth import Truth

    js = tmp_path / "out.jsonl"
    assert main(["video", str(EXAMPLE_VIDEO), "--json", str(js), "--max-frames", "20"]) == 0
    truth = read_jsonl(EXAMPLE_VIDEO.with_suffix(".truth.jsonl"))
    score = Score()
    for record, expected in zip(read_jsonl(js), truth):
        score.add(
            [Truth(d["digit"], tuple(d["box"])) for d in expected["digits"]],
            [Truth(d["digit"], tuple(d["box"])) for d in record["digits"]],
        )
    assert score.found_rate >= 0.95 and score.right_rate >= 0.95, score.as_dict()


def test_image_command_writes_annotated_images_and_json(tmp_path, bank):
    from benchmarks.synth import render_scene

    paths = []
    for i in range(2):
        scene = render_scene(bank, np.random.default_rng(i), 640, 480, n_digits=8)
        paths.append(tmp_path / f"scene{i}.png")
        cv2.imwrite(str(paths[-1]), scene.image)
    result = run_cli("image", *paths, "--output-dir", tmp_path / "annotated", "--json", tmp_path / "r.jsonl")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "annotated").iterdir()) == [
        "scene0.annotated.png",
        "scene1.annotated.png",
    ]
    records = read_jsonl(tmp_path / "r.jsonl")
    assert [r["source"] for r in records] == [str(p) for p in paths]
    assert all(len(r["digits"]) >= 6 for r in records)


def make_inputs(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 50)
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(os.urandom(2000))
    return empty, text, corrupt


BAD_INPUTS = [
    (["video", "{tmp}/missing.mp4"], "no such file"),
    (["video", "{tmp}/empty.mp4"], "empty file"),
    (["video", "{tmp}/notes.mp4"], "not a readable video"),
    (["video", "{tmp}"], "is a directory"),
    (["video", "{example}", "--model", "{tmp}/nope.onnx"], "model not found"),
    (["video", "{example}", "--model", "{tmp}/corrupt.onnx"], "cannot load model"),
    (["video", "{example}", "--output", "{tmp}/no/such/dir/out.mp4"], "output directory does not exist"),
    (["video", "{example}", "--output", "{tmp}/out.txt"], "video output must end in"),
    (["video", "{example}", "--json", "{tmp}"], "output path is a directory"),
    (["image", "{tmp}/notes.mp4"], "not a readable"),
    (["camera", "--index", "7", "--no-window"], "camera 7 could not be opened"),
    (["train", "--data", "{tmp}/nowhere", "--epochs", "1", "--out", "{tmp}/m.keras"], "MNIST directory not found"),
]


@pytest.mark.parametrize("argv, message", BAD_INPUTS, ids=[" ".join(a[:2]) + "|" + m for a, m in BAD_INPUTS])
def test_bad_input_is_one_line_and_exit_2(tmp_path, argv, message):
    make_inputs(tmp_path)
    args = [a.format(tmp=tmp_path, example=EXAMPLE_VIDEO) for a in argv]
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines[-1].startswith("livedigits: ") and message in lines[-1], result.stderr


@pytest.mark.parametrize(
    "option, value", [("--max-frames", "0"), ("--max-frames", "-3"), ("--max-frames", "ten"), ("--min-confidence", "2")]
)
def test_bad_option_values_exit_2(option, value):
    result = run_cli("video", EXAMPLE_VIDEO, option, value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert option in result.stderr


def test_sigint_mid_run_leaves_playable_video_and_complete_json(tmp_path):
    # a long input: the example three times over
    long_video = tmp_path / "long.mp4"
    cap = cv2.VideoCapture(str(EXAMPLE_VIDEO))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    writer = cv2.VideoWriter(str(long_video), cv2.VideoWriter_fourcc(*"mp4v"), 30, (640, 480))
    for f in frames * 3:
        writer.write(f)
    writer.release()

    out, js = tmp_path / "out.mp4", tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [*CLI, "video", str(long_video), "--output", str(out), "--json", str(js)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not js.exists() or len(js.read_text().splitlines()) < 20):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "interrupted" in stderr
    records = read_jsonl(js)  # every line parses: nothing half-written
    assert 20 <= len(records) < 3 * len(frames)
    assert video_frames(out) == len(records)


def test_sigterm_also_finalises_outputs(tmp_path):
    out = tmp_path / "out.mp4"
    proc = subprocess.Popen(
        [*CLI, "video", str(EXAMPLE_VIDEO), "--output", str(out), "--json", str(tmp_path / "j")],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert video_frames(out) == len((tmp_path / "j").read_text().splitlines()) > 0


@pytest.fixture
def xvfb_display():
    """A virtual X display (Xvfb is installed by .ci/run)."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is required for the window tests: apt-get install xvfb"
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = f.readline().strip()
    yield f":{display}"
    proc.terminate()
    proc.wait(timeout=10)


def test_window_path_runs_under_xvfb(tmp_path, xvfb_display):
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"}
    result = run_cli("video", EXAMPLE_VIDEO, "--show", "--max-frames", 10, "--json", tmp_path / "j.jsonl", env=env)
    assert result.returncode == 0, result.stderr
    assert len(read_jsonl(tmp_path / "j.jsonl")) == 10


def test_help_states_defaults_and_starts_without_tensorflow():
    code = (
        "import sys; from livedigits.cli import main\n"
        "try:\n    main(['video', '--help'])\nexcept SystemExit: pass\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "(default: 0.8)" in result.stdout


def test_same_input_and_model_give_the_same_json_twice(tmp_path):
    runs = []
    for i in range(2):
        js = tmp_path / f"run{i}.jsonl"
        assert main(["video", str(EXAMPLE_VIDEO), "--json", str(js), "--max-frames", "15"]) == 0
        records = read_jsonl(js)
        for r in records:
            del r["t_ms"]  # wall time is the one field that may differ
        runs.append(records)
    assert runs[0] == runs[1]
    assert sum(len(r["digits"]) for r in runs[0]) > 0


@pytest.mark.parametrize(
    "command", [["train"], ["evaluate"], ["export-model", "--keras", "m.keras", "--out", "m.onnx"]]
)
def test_training_commands_without_tensorflow_name_the_install_line(command):
    # Simulate a runtime-only install: importing TensorFlow, Keras or tf2onnx fails.
    code = (
        "import sys\n"
        "for name in ('tensorflow', 'keras', 'tf2onnx', 'onnx', 'matplotlib'):\n"
        "    sys.modules[name] = None\n"
        "from livedigits.cli import main\n"
        f"sys.exit(main({command!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "livedigits: training needs TensorFlow and tf2onnx: pip install 'livedigits[train]'"


@pytest.mark.parametrize("display", [None, ":77"], ids=["no-DISPLAY", "unreachable-DISPLAY"])
def test_show_without_a_display_is_a_clear_error_and_writes_nothing(tmp_path, display):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if display:
        env["DISPLAY"] = display
    out, js = tmp_path / "o.mp4", tmp_path / "o.jsonl"
    result = run_cli("video", EXAMPLE_VIDEO, "--show", "--output", out, "--json", js, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot open a window" in result.stderr
    assert not out.exists() and not js.exists()


def test_unwritable_video_output_leaves_no_partial_results(tmp_path):
    # /proc takes no new files, even for root
    js = tmp_path / "r.jsonl"
    result = run_cli("video", EXAMPLE_VIDEO, "--json", js, "--output", "/proc/livedigits-test.mp4", "--max-frames", 5)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot write video" in result.stderr
    assert not js.exists()


def test_model_with_the_wrong_input_shape(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 32, 32, 1])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 32, 32, 1])
    model = helper.make_model(
        helper.make_graph([helper.make_node("Identity", ["image"], ["out"])], "g", [x], [y]),
        opset_imports=[helper.make_opsetid("", 17)],
    )
    onnx.save(model, tmp_path / "wrong.onnx")
    result = run_cli("image", EXAMPLE_VIDEO, "--model", tmp_path / "wrong.onnx")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "must take input [N,28,28,1], got ['N', 32, 32, 1]" in result.stderr
