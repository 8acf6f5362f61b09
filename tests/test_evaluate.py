"""Evaluation: calibration arithmetic, held-out style crops, and ONNX evaluation without TensorFlow."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from livedigits.errors import LivedigitsError
from livedigits.train.evaluate import (
    CAMERA_STYLES,
    FONT_STYLES,
    PEN_STYLES,
    calibration,
    fit_temperature,
    non_digit_crops,
    style_crops,
    with_temperature,
)

MNIST_DIR = "tests/data/mnist"
SHIPPED = "models/digits.onnx"


def _rows(top_probs, top_classes):
    """Probability rows whose top class and probability are given; the rest is spread evenly."""
    probs = np.zeros((len(top_probs), 10))
    for row, p, c in zip(probs, top_probs, top_classes):
        row[:] = (1 - p) / 9
        row[c] = p
    return probs


def test_ece_of_a_constructed_example():
    # given two digits at 0.9 confidence (one right, one wrong) and two at 1.0 (both right)
    probs = _rows([0.9, 0.9, 1.0, 1.0], [3, 3, 5, 7])
    labels = np.array([3, 4, 5, 7])
    # when
    result = calibration(probs, labels, bins=15)
    # then: half the digits sit in a bin 40 points overconfident, the other half are exact
    assert result["ece"] == pytest.approx(0.5 * abs(0.5 - 0.9))
    assert len(result["bins"]) == 15 and sum(b["count"] for b in result["bins"]) == 4
    assert result["bins"][-1]["count"] == 2 and result["bins"][-1]["accuracy"] == 1.0  # 1.0 is in the last bin
    assert result["bins"][13]["count"] == 2 and result["bins"][13]["confidence"] == pytest.approx(0.9)


def test_ece_is_zero_when_confidence_matches_accuracy():
    # 8 digits at 0.75 confidence of which 6 are right
    probs = _rows([0.75] * 8, [1] * 8)
    labels = np.array([1] * 6 + [2] * 2)
    assert calibration(probs, labels)["ece"] == pytest.approx(0.0, abs=1e-12)


def test_temperature_softens_overconfident_probabilities():
    # given a calibrated model: each label is drawn from the model's own probabilities
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2.0, (4000, 10))
    honest = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(10, p=p) for p in honest])
    overconfident = with_temperature(honest, 0.5)  # the same ranking, sharper
    assert fit_temperature(overconfident, labels) == pytest.approx(2.0, rel=0.15)
    assert np.allclose(with_temperature(overconfident, 2.0), honest, atol=1e-5)


def test_style_crops_cover_every_style_with_right_labels_and_model_input_form():
    sets = style_crops(per_style=30)
    assert set(sets) == set(PEN_STYLES) | set(FONT_STYLES) | set(CAMERA_STYLES)
    for name, (crops, labels) in sets.items():
        assert crops.shape == (len(labels), 28, 28, 1) and crops.dtype == np.float32, name
        assert all(c.max() == pytest.approx(1.0) for c in crops[..., 0]), name
        assert set(labels) <= set(PEN_STYLES[name][1] if name in PEN_STYLES else range(10))
    assert set(sets["european-1-7"][1]) == {1, 7}


def test_non_digit_crops_include_every_kind(mnist_test):
    images, _ = mnist_test
    crops, kinds = non_digit_crops(images[:200], n=25)
    assert crops.shape == (25, 28, 28, 1)
    assert set(kinds) == {"glyph", "scribble", "corner", "ruling", "pair"}


def test_shipped_model_reads_typed_digits(mnist_test):
    from livedigits.classify import Classifier

    crops, labels = style_crops(per_style=120)["hershey-simplex"]
    assert (Classifier(SHIPPED).predict(crops).argmax(1) == labels).mean() >= 0.95


BLOCK_TENSORFLOW = (
    "import sys\n"
    "for name in ('tensorflow', 'keras', 'tf2onnx', 'onnx'):\n"
    "    sys.modules[name] = None  # a runtime-only install: these cannot be imported\n"
)


@pytest.mark.slow
def test_evaluate_an_onnx_model_without_tensorflow(tmp_path):
    code = BLOCK_TENSORFLOW + (
        "import json\n"
        "from livedigits.train.evaluate import evaluate\n"
        f"report = evaluate({SHIPPED!r}, {MNIST_DIR!r}, {str(tmp_path)!r}, styles=False)\n"
        "print(json.dumps(report))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["accuracy"] > 0.99 and report["test_images"] == 10000
    assert 0.0 <= report["ece"] < 0.02
    with open(report["reliability_png"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_cli_evaluate_on_onnx_without_tensorflow_reports_styles():
    code = BLOCK_TENSORFLOW + (
        "from livedigits.cli import main\n"
        f"sys.exit(main(['evaluate', '--model', {SHIPPED!r}, '--data', {MNIST_DIR!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["styles"]) == set(PEN_STYLES) | set(FONT_STYLES) | set(CAMERA_STYLES)
    assert 0.0 <= report["non_digits"]["confident_share"] <= 1.0


def test_cli_evaluate_on_a_keras_model_without_tensorflow_is_one_line():
    keras_model = str(Path(SHIPPED).with_suffix(".keras"))
    code = BLOCK_TENSORFLOW + (
        "from livedigits.cli import main\n"
        f"sys.exit(main(['evaluate', '--model', {keras_model!r}, '--data', {MNIST_DIR!r}, '--no-styles']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "pip install 'livedigits[train]'" in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "where, message",
    [
        ("a/b", "its parent .*a does not exist"),
        ("file.png", "is a file"),
        ("file.png/b", "its parent .*file.png is a file"),
    ],
)
def test_a_report_directory_that_cannot_be_used_fails_before_the_work(tmp_path, monkeypatch, where, message):
    import livedigits.train.evaluate as evaluate_module

    # given a report directory whose parent is missing, or a file in its place
    (tmp_path / "file.png").write_bytes(b"")

    def no_work(*args, **kwargs):
        raise AssertionError("the evaluation ran before the report directory was checked")

    monkeypatch.setattr(evaluate_module, "load_eval_split", no_work)
    # when the evaluation is asked for, then it fails at once, naming the problem
    with pytest.raises(LivedigitsError, match=message):
        evaluate_module.evaluate(SHIPPED, MNIST_DIR, str(tmp_path / where))


def test_a_report_directory_is_made_only_once_the_work_is_done(tmp_path):
    import livedigits.train.evaluate as evaluate_module

    # given a report directory to be made, and data that cannot be read
    report = tmp_path / "report"
    # when the evaluation fails, then no empty report directory is left behind
    with pytest.raises(LivedigitsError):
        evaluate_module.evaluate(SHIPPED, str(tmp_path / "no-data"), str(report))
    assert not report.exists()


def test_report_plots_without_matplotlib_fail_in_one_line_before_the_work(tmp_path):
    # given a runtime-only install (no TensorFlow, no matplotlib) and a report directory asked for
    code = BLOCK_TENSORFLOW + (
        "sys.modules['matplotlib'] = None\n"
        "from livedigits.cli import main\n"
        f"sys.exit(main(['evaluate', '--model', {SHIPPED!r}, '--data', {MNIST_DIR!r}, '--no-styles',"
        f" '--report-dir', {str(tmp_path / 'report')!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    # then one line says what to install (it was a traceback after the whole evaluation), and no
    # report directory is left
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "need matplotlib: pip install matplotlib" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "report").exists()


def test_a_style_with_nothing_over_the_bar_has_no_reported_accuracy():
    from livedigits.train.evaluate import _reported_accuracy

    # given crops all read under the confidence bar, then their reported accuracy is unknown, not 0
    unsure = np.full((4, 10), 0.1, np.float32)
    assert _reported_accuracy(unsure, np.arange(4)) is None
    sure = np.eye(10, dtype=np.float32)[[1, 2, 3, 3]]
    assert _reported_accuracy(sure, np.array([1, 2, 3, 4])) == 0.75
