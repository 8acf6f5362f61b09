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


def run_main(capsys, *args) -> subprocess.CompletedProcess:
    """The CLI in this process (no interpreter start-up): for output Python itself prints. Tests of
    what reaches the terminal from C libraries (OpenCV, FFmpeg) use :func:`run_cli`."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["livedigits", *map(str, args)], code, captured.out, captured.err)


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
    assert_video_records(records, tracked=True)
    assert "30 frames" in result.stderr and "fps mean" in result.stderr


RECORD_FIELDS = {"source", "frame", "time_s", "width", "height", "process_ms", "digits", "numbers"}


def assert_video_records(records, tracked: bool):
    """The example's records: every field, media time at 30 fps, digits with their line (and track id)."""
    for r in records:
        assert set(r) == RECORD_FIELDS
        assert (r["width"], r["height"]) == (640, 480) and r["process_ms"] > 0
        assert r["time_s"] == pytest.approx(r["frame"] / 30, abs=0.002)
        assert r["source"] == str(EXAMPLE_VIDEO)
    digits = [d for r in records for d in r["digits"]]
    numbers = [n for r in records for n in r["numbers"]]
    assert len(digits) > len(records) * 15  # the example shows ~24 digits a frame
    expected = {"digit", "confidence", "box", "line", "id"} if tracked else {"digit", "confidence", "box", "line"}
    assert all(set(d) == expected for d in digits)
    assert all(0 <= d["digit"] <= 9 and 0 <= d["confidence"] <= 1 and len(d["box"]) == 4 for d in digits)
    number_fields = {"text", "box", "confidence", "line", "id"} if tracked else {"text", "box", "confidence", "line"}
    assert numbers and all(set(n) == number_fields and n["text"].isdigit() for n in numbers)
    if tracked:  # the same physical digit keeps its id: ids recur from frame to frame
        ids = [d["id"] for d in digits]
        assert len(set(ids)) < len(ids) / 2


def test_no_track_gives_raw_readings_without_ids(tmp_path):
    js = tmp_path / "raw.jsonl"
    assert main(["video", str(EXAMPLE_VIDEO), "--json", str(js), "--max-frames", "5", "--no-track"]) == 0
    assert_video_records(read_jsonl(js), tracked=False)


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
    assert [r["frame"] for r in records] == [0, 1]
    assert all(
        set(r) == RECORD_FIELDS | {"annotated"} and r["time_s"] is None and (r["width"], r["height"]) == (640, 480)
        for r in records
    )
    # each record names its annotated image
    assert [r["annotated"] for r in records] == [
        str(tmp_path / "annotated" / f"scene{i}.annotated.png") for i in (0, 1)
    ]
    assert all(len(r["digits"]) >= 6 and r["numbers"] for r in records)
    # images are never tracked: digits have their line but no id
    assert all(set(d) == {"digit", "confidence", "box", "line"} for r in records for d in r["digits"])


def make_inputs(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 50)
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(os.urandom(2000))
    (tmp_path / "m.keras").write_bytes(b"PK not a model")  # a training checkpoint given to the runtime
    cv2.imwrite(str(tmp_path / "page.png"), np.full((60, 80, 3), 230, np.uint8))
    shutil.copy(EXAMPLE_VIDEO, tmp_path / "clip.mp4")  # an input a bad command could overwrite
    return empty, text, corrupt


BAD_INPUTS = [
    (["video", "{tmp}/missing.mp4"], "no such file"),
    (["video", "{tmp}/empty.mp4"], "empty file"),
    (["video", "{tmp}/notes.mp4"], "not a readable video"),
    (["video", "{tmp}"], "is a directory"),
    (["video", "{example}", "--model", "{tmp}/nope.onnx"], "model not found"),
    (["video", "{example}", "--model", "{tmp}/corrupt.onnx"], "cannot load model"),
    (["video", "{example}", "--output", "{tmp}/no/such/dir/out.mp4"], "--output: output directory does not exist"),
    (["video", "{example}", "--output", "{tmp}/out.txt"], "--output: video output must end in"),
    (["video", "{example}", "--json", "{tmp}/no/such/dir/r.jsonl"], "--json: output directory does not exist"),
    (["video", "{example}", "--output", "{tmp}/outdir/"], "/outdir/"),  # named as typed, its slash kept
    (["image", "{tmp}/page.png", "--output-dir", "-"], 'output directory "-" is not a directory'),
    (["video", "{example}", "--json", "{tmp}"], "output path is a directory"),
    (["video", "{example}", "--output", "{tmp}/same.mp4", "--json", "{tmp}/same.mp4"], "name the same file"),
    (["video", "{example}", "--model", "{tmp}/m.keras"], "livedigits export-model --keras"),
    (["image", "{tmp}/page.png", "--output-dir", "{tmp}/page.png"], "output directory is a file"),
    (
        ["image", "{tmp}/page.png", "--output-dir", "{tmp}/ann", "--json", "{tmp}/ann/page.annotated.png"],
        "--json would be overwritten",
    ),
    (["image", "{tmp}/notes.mp4"], "not a readable"),
    (["camera", "--index", "7", "--no-window"], "camera 7 could not be opened"),
    (["camera", "-1", "--no-window"], "camera index must be at least 0"),
    (["camera", "2", "--index", "3", "--no-window"], "not both"),
    (["camera", "{tmp}/clip.mp4", "--record", "{tmp}/clip.mp4", "--no-window"], "output would overwrite an input"),
    (["train", "--data", "{tmp}/nowhere", "--epochs", "1", "--out", "{tmp}/m.keras"], "MNIST directory not found"),
    (["train", "--init", "{tmp}/m.keras", "--epochs", "3"], "--epochs is the first stage's"),
]


def bad_input_cases():
    """BAD_INPUTS as test cases; ``train`` starts TensorFlow (seconds), so it is in the slow lane."""
    for argv, message in BAD_INPUTS:
        marks = [pytest.mark.slow] if argv[0] == "train" else []
        yield pytest.param(argv, message, id=" ".join(argv[:2]) + "|" + message, marks=marks)


@pytest.mark.parametrize("argv, message", list(bad_input_cases()))
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


@pytest.fixture(scope="module")
def long_video(tmp_path_factory):
    """The example twice over (360 frames): a run that is still going when it is signalled."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    cap = cv2.VideoCapture(str(EXAMPLE_VIDEO))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (640, 480))
    for f in frames * 2:
        writer.write(f)
    writer.release()
    return path, 2 * len(frames)


def signal_after_lines(argv, js: Path, lines: int, signum) -> subprocess.CompletedProcess:
    """Run the CLI, send ``signum`` once ``js`` holds ``lines`` JSON lines, and wait for it to end."""
    proc = subprocess.Popen([*CLI, *map(str, argv)], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if js.exists() and len(js.read_text().splitlines()) >= lines:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be signalled: " + proc.stderr.read()
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_leaves_playable_video_and_complete_json(tmp_path, long_video, signum):
    path, total = long_video
    out, js = tmp_path / "out.mp4", tmp_path / "out.jsonl"
    result = signal_after_lines(["video", path, "--output", out, "--json", js], js, 20, signum)
    assert result.returncode == 130, result.stderr  # closed and valid, but partial: a script can tell
    assert "(interrupted; outputs closed)" in result.stderr.strip().splitlines()[-1]
    records = read_jsonl(js)  # every line parses: nothing half-written
    assert 20 <= len(records) < total
    assert video_frames(out) == len(records)


def test_a_signal_mid_image_run_closes_the_json(tmp_path, mnist_test):
    pages = [write_page(tmp_path / f"p{i:03}.png", mnist_test, ["31", "4159"]) for i in range(150)]
    js = tmp_path / "r.jsonl"
    result = signal_after_lines(["image", tmp_path, "--json", js], js, 5, signal.SIGTERM)
    assert result.returncode == 130, result.stderr
    assert "interrupted after" in result.stderr
    assert 5 <= len(read_jsonl(js)) < len(pages)


def test_window_path_runs_under_xvfb(tmp_path, display_env):
    args = ("video", EXAMPLE_VIDEO, "--show", "--fast", "--max-frames", 10, "--json", tmp_path / "j.jsonl")
    result = run_cli(*args, env=display_env)
    assert result.returncode == 0, result.stderr
    assert len(read_jsonl(tmp_path / "j.jsonl")) == 10
    # nothing but the summary: no progress bar under a window, no Qt start-up warnings
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("10 frames, ")


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
            del r["process_ms"]  # wall time is the one field that may differ
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
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("livedigits: ") and "pip install 'livedigits[train]'" in line


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


def write_page(path: Path, mnist_test, lines: list[str]) -> Path:
    """MNIST test digits written on paper, one text line per entry, a space a wider gap; the ink
    of neighbouring digits is ~15% of a digit's height apart, as in a handwritten number."""
    images, labels = mnist_test
    first = {d: int(np.nonzero(labels == d)[0][0]) for d in range(10)}
    page = np.full((120 * len(lines) + 40, 120 + 80 * max(map(len, lines))), 240, np.uint8)
    for row, text in enumerate(lines):
        x, top = 40, 40 + 120 * row
        for char in text:
            if char != " ":
                digit = cv2.resize(images[first[int(char)]], (70, 70), interpolation=cv2.INTER_CUBIC)
                ink = 240 - digit.astype(np.int32) * 200 // 255
                page[top : top + 70, x : x + 70] = np.minimum(page[top : top + 70, x : x + 70], ink)
            x += 56 if char != " " else 60
    cv2.imwrite(str(path), page)
    return path


def test_image_prints_the_numbers_of_each_line(tmp_path, mnist_test, capsys):
    page = write_page(tmp_path / "page.png", mnist_test, ["31", "4159 26"])
    result = run_main(capsys, "image", page)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{page}: 8 digits; line 1: 31; line 2: 4159 26"


def test_image_takes_a_directory_a_glob_and_stdin(tmp_path, mnist_test, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, text in [("a.png", "31"), ("b.png", "4159"), ("c.jpg", "26")]:
        write_page(pages / name, mnist_test, [text])
    (pages / "notes.txt").write_text("not an image")

    by_dir = run_main(capsys, "image", pages)
    by_glob = run_main(capsys, "image", pages / "*.png")
    by_stdin = subprocess.run(
        [*CLI, "image", "-"], input=(pages / "b.png").read_bytes(), capture_output=True, timeout=120
    )

    assert by_dir.returncode == by_glob.returncode == by_stdin.returncode == 0, by_dir.stderr + by_glob.stderr
    assert by_stdin.returncode == 0, by_stdin.stderr
    assert [line.split(":")[0] for line in by_dir.stdout.splitlines()] == [
        str(pages / n) for n in "a.png b.png c.jpg".split()
    ]
    assert [line.rsplit(": ", 1)[1] for line in by_dir.stdout.splitlines()] == ["31", "4159", "26"]
    assert [line.split(":")[0] for line in by_glob.stdout.splitlines()] == [str(pages / n) for n in ("a.png", "b.png")]
    assert by_stdin.stdout.decode().strip() == "<stdin>: 4 digits; line 1: 4159"


def test_a_video_given_to_image_says_which_command_reads_it(capsys):
    result = run_main(capsys, "image", EXAMPLE_VIDEO)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"livedigits: not a readable image: {EXAMPLE_VIDEO} (a video file: `livedigits video` reads those)"
    )


def test_an_unreadable_image_among_good_ones_is_reported_and_the_rest_are_read(tmp_path, mnist_test, capsys):
    good = write_page(tmp_path / "good.png", mnist_test, ["7"])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    result = run_main(capsys, "image", bad, good)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"livedigits: not a readable image: {bad}",
        "livedigits: 1 of the 2 images read, 1 could not be",
    ]
    assert result.stdout.strip() == f"{good}: 1 digit; line 1: 7"


def test_an_unreadable_image_has_a_json_record_in_its_place(tmp_path, mnist_test, capsys):
    # A batch's JSON accounts for every input: a file that could not be read is a record too.
    first = write_page(tmp_path / "a.png", mnist_test, ["7"])
    bad = tmp_path / "b.png"
    bad.write_bytes(b"not a png")
    last = write_page(tmp_path / "c.png", mnist_test, ["31"])
    out = tmp_path / "out.jsonl"
    result = run_main(capsys, "image", tmp_path, "--json", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["source"] for r in records] == [str(first), str(bad), str(last)]
    assert records[1] == {"source": str(bad), "frame": None, "error": f"not a readable image: {bad}"}
    assert [r["frame"] for r in records] == [0, None, 1]
    assert all(set(r) == RECORD_FIELDS for r in (records[0], records[2]))


def test_names_that_are_not_utf8_are_read_written_or_refused_in_one_line(tmp_path, mnist_test):
    # A Latin-1 byte in a file name (Python keeps it as a lone surrogate): OpenCV's own file
    # writing and video reading crash the process on such a name, and the rest of a batch is lost.
    folder = tmp_path / "in"
    folder.mkdir()
    latin = folder / os.fsdecode(b"m\xe9.png")
    page = write_page(folder / "a.png", mnist_test, ["7"])
    latin.write_bytes(page.read_bytes())
    write_page(folder / "z.png", mnist_test, ["31"])
    result = run_cli("image", folder, "--output-dir", tmp_path / "out", errors="surrogateescape")
    assert result.returncode == 0, result.stderr
    written = sorted(os.fsencode(p.name) for p in (tmp_path / "out").iterdir())
    assert written == [b"a.annotated.png", b"m\xe9.annotated.png", b"z.annotated.png"]
    video = tmp_path / os.fsdecode(b"v\xe9.mp4")
    video.write_bytes(Path(EXAMPLE_VIDEO).read_bytes())
    for argv in (["video", video], ["video", EXAMPLE_VIDEO, "--output", tmp_path / os.fsdecode(b"o\xe9.mp4")]):
        result = run_cli(*argv, "--max-frames", 2)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "a video's file name must be valid UTF-8:" in result.stderr.strip()
        assert result.stderr.strip().startswith("livedigits: ") and len(result.stderr.strip().splitlines()) == 1


def test_a_photo_of_a_kind_not_read_with_a_name_that_is_not_utf8_is_skipped(tmp_path, mnist_test):
    # Asking OpenCV whether it reads a HEIC of such a name crashed the process (SIGSEGV).
    folder = tmp_path / "in"
    folder.mkdir()
    write_page(folder / "a.png", mnist_test, ["7"])
    (folder / os.fsdecode(b"\xe9t\xe9.heic")).write_bytes(b"\0\0\0\x18ftypheic")
    result = run_cli("image", folder, errors="surrogateescape")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "skipped" in result.stderr and "HEIC is not read here" in result.stderr
    assert result.stdout.strip() == f"{folder / 'a.png'}: 1 digit; line 1: 7"


def test_when_every_image_is_unreadable_the_json_keeps_their_records(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.png", "b.jpg"):
        (folder / name).write_bytes(b"not an image")
    out = tmp_path / "out.jsonl"
    result = run_main(capsys, "image", folder, "--json", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "livedigits: none of the 2 images could be read"
    assert [json.loads(line)["source"] for line in out.read_text().splitlines()] == [
        str(folder / "a.png"),
        str(folder / "b.jpg"),
    ]


@pytest.mark.parametrize("lone", ["file", "folder"])
def test_a_lone_unreadable_image_has_its_json_record_too(tmp_path, capsys, lone):
    # The JSON of a run is always this run's: a lone bad input left last run's results in place.
    folder = tmp_path / "in"
    folder.mkdir()
    bad = folder / "b.jpg"
    bad.write_bytes(b"not an image")
    out = tmp_path / "out.jsonl"
    out.write_text('{"source": "last run"}\n')
    result = run_main(capsys, "image", bad if lone == "file" else folder, "--json", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"livedigits: not a readable image: {bad}"
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"source": str(bad), "frame": None, "error": f"not a readable image: {bad}"}
    ]


def test_json_may_go_into_the_output_folder_the_run_makes(tmp_path, mnist_test, capsys):
    page = write_page(tmp_path / "p.png", mnist_test, ["7"])
    out = tmp_path / "out"
    result = run_main(capsys, "image", page, "--output-dir", out, "--json", out / "r.jsonl")
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in (out / "r.jsonl").read_text().splitlines()]
    assert record["annotated"] == str(out / "p.annotated.png") and (out / "p.annotated.png").exists()


@pytest.mark.parametrize("command", ["video", "image"])
def test_json_to_stdout_is_json_lines_only(tmp_path, mnist_test, capsys, command):
    target = EXAMPLE_VIDEO if command == "video" else write_page(tmp_path / "p.png", mnist_test, ["31", "4159"])
    result = run_main(capsys, command, target, "--json", "-", *(["--max-frames", 5] if command == "video" else []))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]  # every stdout line is JSON
    assert len(records) == (5 if command == "video" else 1)
    assert all(set(r) == RECORD_FIELDS for r in records)
    # what a person reads went to stderr
    assert ("5 frames" if command == "video" else f"{target}: 6 digits; line 1: 31; line 2: 4159") in result.stderr
    assert not Path("-").exists()


def test_json_to_stdout_piped_into_a_json_parser(tmp_path):
    shell = f"{' '.join(CLI)} video {EXAMPLE_VIDEO} --max-frames 3 --json - | {sys.executable} -c "
    shell += "\"import json, sys; print(sum(len(json.loads(l)['digits']) > 0 for l in sys.stdin))\""
    result = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"


@pytest.mark.parametrize(
    "argv",
    [
        ["--min-confidence", "0.9999", "-v", "image", "{page}"],
        ["image", "{page}", "--min-confidence", "0.9999", "-v"],
        ["-v", "image", "--min-confidence", "0.9999", "{page}"],
    ],
    ids=["before", "after", "mixed"],
)
def test_global_options_before_or_after_the_command(tmp_path, mnist_test, capsys, argv):
    page = write_page(tmp_path / "page.png", mnist_test, ["31", "4159"])
    baseline = run_main(capsys, "image", page)
    strict = run_main(capsys, *[a.format(page=page) for a in argv])
    assert baseline.returncode == strict.returncode == 0, strict.stderr
    count = int(strict.stdout.split(": ")[1].split()[0])
    assert count < 6 == int(baseline.stdout.split(": ")[1].split()[0])  # the stricter bar took effect


def test_model_before_the_command_is_used(tmp_path, capsys):
    result = run_main(capsys, "--model", tmp_path / "nope.onnx", "video", EXAMPLE_VIDEO)
    assert result.returncode == 2 and "model not found" in result.stderr


@pytest.mark.parametrize("command", ["video", "camera"])
def test_an_unreachable_stream_url_is_one_line(command):
    # nothing listens on port 9 of this machine: the connection is refused at once
    result = run_cli(command, "http://127.0.0.1:9/stream.mjpg", *(["--no-window"] if command == "camera" else []))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "livedigits: stream could not be opened: http://127.0.0.1:9/stream.mjpg (unreachable, wrong URL or format)"
    ]


def test_camera_probe_prints_only_our_line():
    result = run_cli("camera", "--index", "7", "--no-window")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "livedigits: camera 7 could not be opened (missing, busy or no permission)"
    ]


@pytest.fixture(scope="module")
def clip_30_frames(tmp_path_factory):
    """One second of 30 fps video, 320x240, two digits on each frame."""
    path = tmp_path_factory.mktemp("clip") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for i in range(30):
        frame = np.full((240, 320, 3), 235, np.uint8)
        cv2.putText(frame, "42", (100 + i, 150), cv2.FONT_HERSHEY_SIMPLEX, 3, (30, 30, 30), 8, cv2.LINE_AA)
        writer.write(frame)
    writer.release()
    return path


def summary_seconds(stderr: str) -> float:
    """Seconds a run took, from its summary line "30 frames, 60 digit readings, 29.8 fps mean"."""
    line = next(line for line in stderr.splitlines() if "fps mean" in line)
    frames, fps = int(line.split()[0]), float(line.split(", ")[2].split()[0])
    return frames / fps


def test_video_show_plays_at_the_file_rate_and_fast_as_fast_as_it_can(clip_30_frames, display_env):
    paced = run_cli("video", clip_30_frames, "--show", env=display_env)
    fast = run_cli("video", clip_30_frames, "--show", "--fast", env=display_env)
    assert paced.returncode == fast.returncode == 0, paced.stderr + fast.stderr
    # 30 frames at 30 fps: one second, give or take the first frame's wait
    assert 0.9 <= summary_seconds(paced.stderr) <= 1.6
    assert summary_seconds(fast.stderr) < 0.75 * summary_seconds(paced.stderr)


def test_describe_says_the_count_and_the_numbers_of_each_line():
    from livedigits.cli import describe
    from livedigits.records import Digit, Number, Reading

    digits = [Digit((0, 0, 10, 10), 3, 0.9, 0), Digit((12, 0, 10, 10), 1, 0.9, 0), Digit((0, 20, 10, 10), 7, 0.9, 1)]
    numbers = [Number("31", (0, 0, 22, 10), 0.9, 0, (0, 1)), Number("7", (0, 20, 10, 10), 0.9, 1, (2,))]
    assert describe("p.png", Reading(digits, [[0, 1], [2]], numbers)) == "p.png: 3 digits; line 1: 31; line 2: 7"
    seven = Number("7", (0, 20, 10, 10), 0.9, 0, (0,))
    assert describe("one.png", Reading([digits[2]], [[0]], [seven])) == "one.png: 1 digit; line 1: 7"
    assert describe("blank.png", Reading()) == "blank.png: 0 digits"
    # a mark read under the confidence bar is not silently lost: the line says how to see it
    hint = "0 digits (2 marks read under the confidence bar: --min-confidence lowers it)"
    assert describe("faint.png", Reading(unsure=2)) == f"faint.png: {hint}"


def test_verbose_keeps_json_on_stdout_and_main_leaves_the_environment_as_it_was(capsys):
    before = dict(os.environ)
    result = run_main(capsys, "-v", "video", EXAMPLE_VIDEO, "--max-frames", 2, "--json", "-")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["frame"] for line in result.stdout.splitlines()] == [0, 1]
    assert dict(os.environ) == before


def test_an_output_that_would_overwrite_its_input_is_refused(tmp_path, mnist_test):
    # Given a video and an image, and commands whose output path is their input
    video = tmp_path / "clip.mp4"
    video.write_bytes(EXAMPLE_VIDEO.read_bytes())
    page = write_page(tmp_path / "page.png", mnist_test, ["31"])
    before = video.read_bytes(), page.read_bytes()
    for argv in (
        ["video", video, "--output", video],
        ["video", video, "--json", video],
        ["image", page, "--json", page],
        ["image", str(tmp_path / "*.png"), "--json", page],
    ):
        # When run, Then each is one clear error and the inputs are untouched
        result = run_cli(*argv)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("livedigits: output would overwrite an input")
    assert (video.read_bytes(), page.read_bytes()) == before


@pytest.mark.parametrize(
    "argv, option",
    [(["--model", "m.onnx", "train"], "--model"), (["--min-confidence", "0.5", "evaluate"], "--min-confidence")],
)
def test_an_option_the_command_does_not_read_is_an_error_not_ignored(argv, option):
    result = run_cli(*argv)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{option} does not apply to {argv[-1]}" in result.stderr


def test_the_evaluation_reads_in_one_line():
    from livedigits.cli import evaluation_line

    report = {
        "model": "m.onnx",
        "split": "test",
        "test_images": 10000,
        "accuracy": 0.9957,
        "errors": 43,
        "ece": 0.0022,
        "styles": {"marker": {"accuracy": 0.978}, "webcam-noisy": {"accuracy": 0.9067}},
        "non_digits": {"confident_share": 0.0075},
    }
    assert evaluation_line(report) == (
        "m.onnx on MNIST test: 99.57% (43 wrong of 10000), calibration error 0.22%; "
        "worst style webcam-noisy 90.67%; non-digits over the bar 0.75%"
    )


@pytest.mark.parametrize("softmax", [False, True], ids=["raw-scores", "probabilities"])
def test_a_model_must_output_probabilities(tmp_path, softmax):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    # given a model of the right shapes whose last layer is (or is not) a softmax
    weights = numpy_helper.from_array(np.random.default_rng(0).normal(0, 1, (784, 10)).astype(np.float32), "w")
    shape = numpy_helper.from_array(np.array([-1, 784], np.int64), "shape")
    nodes = [
        helper.make_node("Reshape", ["image", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "w"], ["scores"]),
    ]
    nodes.append(
        helper.make_node("Softmax", ["scores"], ["probabilities"], axis=1)
        if softmax
        else helper.make_node("Identity", ["scores"], ["probabilities"])
    )
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 28, 28, 1])
    y = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])
    graph = helper.make_graph(nodes, "g", [x], [y], initializer=[weights, shape])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "m.onnx")
    # when it is used, then raw scores are refused in one line, probabilities read
    page = tmp_path / "page.png"
    cv2.imwrite(str(page), np.full((120, 160, 3), 245, np.uint8))
    result = run_cli("image", page, "--model", tmp_path / "m.onnx")
    assert "Traceback" not in result.stderr
    if softmax:
        assert "must output probabilities" not in result.stderr
    else:
        assert result.returncode == 2 and "must output probabilities (each row summing to 1" in result.stderr


def test_a_headless_camera_run_with_no_outputs_says_nothing_is_saved(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # given no display, when the camera (here the example video) runs without outputs, then it
    # says that nothing is shown or saved; with --json it does not
    bare = run_cli("camera", EXAMPLE_VIDEO, "--max-frames", 2, env=env)
    saved = run_cli("camera", EXAMPLE_VIDEO, "--max-frames", 2, "--json", tmp_path / "r.jsonl", env=env)
    assert bare.returncode == 0 and "nothing is shown or saved (--record, --json)" in bare.stderr
    assert saved.returncode == 0 and "running headless" in saved.stderr and "nothing is" not in saved.stderr


def test_when_the_json_reader_goes_away_the_annotated_video_is_kept(tmp_path):
    # given `video --json - --output out.mp4 | <a reader that takes 3 lines and leaves>`
    out = tmp_path / "out.mp4"
    shell = f"{' '.join(CLI)} video {EXAMPLE_VIDEO} --json - --output {out} | {sys.executable} -c "
    shell += '"import sys; [sys.stdin.readline() for _ in range(3)]"'
    result = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=120)
    # then the run says why it stopped, in one line, and the video it had written stays, playable
    assert result.stderr.strip().splitlines()[-1] == "livedigits: JSON Lines output closed by its reader (broken pipe)"
    capture = cv2.VideoCapture(str(out))
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    assert frames >= 3


def test_a_sideways_photo_is_read_the_right_way_up_with_rotate(tmp_path, mnist_test, capsys):
    # given a page photographed sideways (turned a quarter clockwise), with no orientation tag
    upright = write_page(tmp_path / "upright.png", mnist_test, ["31", "4159"])
    sideways = tmp_path / "sideways.png"
    cv2.imwrite(str(sideways), cv2.rotate(cv2.imread(str(upright)), cv2.ROTATE_90_CLOCKWISE))
    out = tmp_path / "out.jsonl"
    # when it is read turned back (270 clockwise), then it reads as the page; as it is, it does not
    result = run_main(capsys, "image", sideways, "--rotate", 270, "--json", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{sideways}: 6 digits; line 1: 31; line 2: 4159"
    record = json.loads(out.read_text())
    page = cv2.imread(str(upright))
    assert (record["width"], record["height"]) == (page.shape[1], page.shape[0])  # boxes in the upright page
    assert "line 2: 4159" not in run_main(capsys, "image", sideways).stdout


def test_video_frames_turned_with_rotate_are_written_turned(tmp_path, capsys):
    out, video = tmp_path / "out.jsonl", tmp_path / "out.mp4"
    result = run_main(
        capsys, "video", EXAMPLE_VIDEO, "--rotate", 90, "--max-frames", 2, "--json", out, "--output", video
    )
    assert result.returncode == 0, result.stderr
    source = cv2.VideoCapture(str(EXAMPLE_VIDEO))
    w, h = int(source.get(cv2.CAP_PROP_FRAME_WIDTH)), int(source.get(cv2.CAP_PROP_FRAME_HEIGHT))
    source.release()
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["width"], r["height"]) for r in records] == [(h, w)] * 2
    written = cv2.VideoCapture(str(video))
    assert (int(written.get(cv2.CAP_PROP_FRAME_WIDTH)), int(written.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (h, w)
    written.release()


@pytest.mark.parametrize("how", ["json to /dev/stdout", "image lines"])
def test_a_reader_going_away_is_one_line_not_a_traceback(tmp_path, mnist_test, how):
    # given `video --json /dev/stdout | head -c 100` (a path that is a pipe), or the per-image
    # lines of `image` into `| head -1`
    if how == "image lines":
        pages = [write_page(tmp_path / f"p{k}.png", mnist_test, ["31", "4159"]) for k in range(40)]
        command = f"{' '.join(CLI)} image {' '.join(map(str, pages))}"
        reader = "head -c 20"
    else:
        command = f"{' '.join(CLI)} video {EXAMPLE_VIDEO} --json /dev/stdout --output {tmp_path / 'o.mp4'}"
        reader = "head -c 100"
    result = subprocess.run(
        f"{command} | {reader} > /dev/null", shell=True, capture_output=True, text=True, timeout=120
    )
    # then it says so in one line (a BrokenPipeError traceback before), and the video is kept
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("closed by its reader (broken pipe)"), result.stderr
    if how != "image lines":
        assert video_frames(tmp_path / "o.mp4") >= 1


def test_a_video_run_with_no_outputs_says_nothing_is_saved(tmp_path):
    # given the example video read with no output, no JSON and no window: then it says so (a run
    # that ends with a summary and no file looked as if it had written one); with --json it does not
    bare = run_cli("video", EXAMPLE_VIDEO, "--max-frames", 2)
    saved = run_cli("video", EXAMPLE_VIDEO, "--max-frames", 2, "--json", tmp_path / "r.jsonl")
    assert bare.returncode == 0 and "nothing is shown or saved (--output, --json, --show)" in bare.stderr
    assert saved.returncode == 0 and "nothing is" not in saved.stderr


def _example_frames(count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(EXAMPLE_VIDEO))
    frames = [capture.read()[1] for _ in range(count)]
    capture.release()
    return frames


def test_an_image_on_its_side_is_hinted_and_an_upright_one_is_not(tmp_path):
    # given the example's first frame as a photo, upright and laid on its side (no orientation tag)
    upright = _example_frames(1)[0]
    cv2.imwrite(str(tmp_path / "upright.png"), upright)
    cv2.imwrite(str(tmp_path / "side.png"), cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE))
    # when each is read, then the one on its side gets one line naming the turn that reads it
    side = run_cli("image", tmp_path / "side.png")
    assert side.returncode == 0 and "side.png may lie on its side" in side.stderr
    assert "(--rotate 90)" in side.stderr
    assert "on its side" not in run_cli("image", tmp_path / "upright.png").stderr
    # and with --rotate given, nothing is hinted
    assert "on its side" not in run_cli("image", tmp_path / "side.png", "--rotate", 90).stderr


def test_a_video_on_its_side_is_hinted_once(tmp_path):
    # given a clip of the example's frames laid on their side
    frames = [cv2.rotate(f, cv2.ROTATE_90_CLOCKWISE) for f in _example_frames(40)]
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(tmp_path / "side.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 30, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    # when read, then one line names the turn that reads it (asked at its first frame)
    result = run_cli("video", tmp_path / "side.avi", "--fast")
    assert result.returncode == 0 and result.stderr.count("may lie on its side") == 1, result.stderr
    assert "(frame 0) may lie on its side" in result.stderr and "(--rotate 270)" in result.stderr


def test_a_tracked_video_ends_with_its_numbers_told_once_each(tmp_path):
    # given the example video (its numbers in view throughout) read with tracking
    js = tmp_path / "r.jsonl"
    result = run_cli("video", EXAMPLE_VIDEO, "--fast", "--json", js)
    records = [json.loads(line) for line in js.read_text().splitlines()]
    # then stdout ends with one line telling each of its numbers once, as the first frame reads
    # them (a digit lost and found again in between does not make its number two)
    first = [n["text"] for n in records[0]["numbers"]]
    assert result.stdout.strip() == f"{EXAMPLE_VIDEO}: {len(first)} numbers read in 5 frames or more: {' '.join(first)}"
    # and every tracked number in the JSON carries an id; untracked, no ids and no such line
    assert all("id" in n for r in records for n in r["numbers"])
    raw = run_cli("video", EXAMPLE_VIDEO, "--fast", "--max-frames", 5, "--no-track", "--json", js)
    numbers = [n for line in js.read_text().splitlines() for n in json.loads(line)["numbers"]]
    assert raw.stdout == "" and numbers and all("id" not in n for n in numbers)


def test_on_a_terminal_the_numbers_line_starts_on_its_own_line_after_the_progress_bar():
    import pty

    # given a video read on a terminal (the progress bar redraws one line with carriage returns)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, stdout and stderr both the terminal
        try:
            os.execvp(CLI[0], [*CLI, "video", str(EXAMPLE_VIDEO), "--fast", "--max-frames", "8"])
        finally:
            os._exit(127)  # never back into the test runner
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    lines = out.decode().replace("\r\n", "\n").split("\n")
    # then the numbers line is a line of its own, not glued onto the bar's
    told = [line for line in lines if "numbers read in 5 frames or more" in line]
    assert len(told) == 1 and told[0].startswith(str(EXAMPLE_VIDEO)), lines


def test_rotate_0_reads_as_it_is_without_the_hint(tmp_path):
    side = tmp_path / "side.png"
    cv2.imwrite(str(side), cv2.rotate(_example_frames(1)[0], cv2.ROTATE_90_COUNTERCLOCKWISE))
    result = run_cli("image", side, "--rotate", 0)
    assert result.returncode == 0 and "on its side" not in result.stderr
