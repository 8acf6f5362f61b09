"""What a user installs: the ``livedigits`` console script works, and the wheel holds the runtime,
its model and ``livedigits.train``, and none of the repository's tooling."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE_VIDEO, REPO
from livedigits import __version__

RUNTIME_MODULES = {
    "__init__",
    "__main__",
    "app",
    "candidate",
    "classify",
    "cli",
    "config",
    "cuts",
    "detect",
    "errors",
    "layout",
    "mnist",
    "orientation",
    "overlay",
    "points",
    "recognizer",
    "records",
    "rulings",
    "sinks",
    "sources",
    "tally",
    "track",
    "walls",
    "words",
}
"""The runtime: OpenCV + onnxruntime + numpy only."""
TOOLING = ("synth", "score", "idx", "recipes", "soak")
"""Modules of benchmarks/ and train/ that must not be runtime modules."""


def console_script() -> str:
    """The ``livedigits`` entry point installed beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "livedigits"
    found = str(beside) if beside.exists() else shutil.which("livedigits")
    assert found, "the livedigits console script is not installed: pip install -e ."
    return found


def test_console_script_reports_the_version():
    result = subprocess.run([console_script(), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"livedigits {__version__}"


def test_console_script_reads_a_video(tmp_path):
    result = subprocess.run(
        [console_script(), "video", str(EXAMPLE_VIDEO), "--max-frames", "2", "--json", "-"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # not the repository: the installed package and its model are used
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["frame"] for r in records] == [0, 1] and all(len(r["digits"]) > 10 for r in records)
    assert "2 frames" in result.stderr


@pytest.mark.slow
def test_wheel_holds_the_runtime_its_model_and_train_only(tmp_path):
    # given a copy of the repository (a build writes build/ and *.egg-info/ into its source tree)
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".git", "venv", "build", "*.egg-info", "__pycache__", ".*cache", "*.mp4"),
    )
    # when a wheel is built from it
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("livedigits-*.whl")
    names = [n for n in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in n]
    # then it holds livedigits/ only: the runtime modules, the model, and train/ as livedigits.train
    assert {n.split("/")[0] for n in names} == {"livedigits"}
    runtime = {Path(n).stem for n in names if n.count("/") == 1}
    assert runtime == RUNTIME_MODULES
    assert "livedigits/models/digits.onnx" in names
    train = {Path(n).stem for n in names if n.startswith("livedigits/train/")}
    assert {"__init__", "fit", "evaluate", "export", "idx"} <= train
    subpackages = {n.split("/")[1] for n in names if n.count("/") >= 2}
    assert subpackages == {"models", "train"}
    assert not [n for n in names if Path(n).stem in TOOLING and not n.startswith("livedigits/train/")]
