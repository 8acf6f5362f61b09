"""Training side: augmentation, the validation split, a one-epoch smoke run, quiet logs, export,
and ONNX-Keras agreement."""

import os
import subprocess
import sys
from dataclasses import replace

import cv2
import numpy as np
import onnx
import pytest

from livedigits.classify import Classifier
from livedigits.errors import LivedigitsError
from livedigits.train.augment import CameraAugment, augment_batch, noisy, tiny

MNIST_DIR = "tests/data/mnist"


def test_augmentation_changes_digits_but_keeps_mnist_form(mnist_test):
    images, _ = mnist_test
    out = augment_batch(images[:64], CameraAugment(p=1.0), np.random.default_rng(0))
    assert out.shape == (64, 28, 28, 1) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert np.abs(out[..., 0] - images[:64] / 255.0).mean() > 0.05  # really augmented
    # still normalised: every digit's longer side is 20 px
    for img in out[..., 0]:
        ys, xs = np.nonzero(img)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 in (19, 20, 21)


def _bar_digit(height=80):
    """A float32 ink map holding a ring (a 0) ``height`` px tall, centred in a square twice that."""
    ink = np.zeros((2 * height, 2 * height), np.float32)
    cv2.ellipse(ink, (height, height), (height // 3, height // 2), 0, 0, 360, 1.0, max(2, height // 10))
    return ink


def test_tiny_digits_are_sampled_down_then_read_at_three_times_their_size():
    ink = _bar_digit(80)
    augment = CameraAugment(tiny_height=(8.0, 8.0))
    out = tiny(ink, 80.0, np.random.default_rng(0), augment)
    # sampled to a tenth (an 8 px digit), then enlarged 3x: a 48 px square holding a 24 px ring
    assert out.shape == (48, 48) and out.dtype == np.float32
    assert out.max() == pytest.approx(1.0)  # read as darkness, 1 at the peak
    ys, xs = np.nonzero(out)
    assert 18 <= np.ptp(ys) + 1 <= 32
    assert out[24, 24] == 0.0  # the ring's hollow stays open at 8 px
    assert (out[out > 0] >= 0.25).all()  # what is kept is at least a quarter of the peak


def test_a_noisy_webcam_frays_strokes_and_adds_no_ink_away_from_the_digit():
    ink = _bar_digit(64)  # a ring 64 px tall, seen 32 px tall: half the size
    size = CameraAugment(noisy_height=(32.0, 32.0), noisy_sigma=(0.0, 0.0))
    clean = noisy(ink, 64.0, np.random.default_rng(0), size)
    assert clean.shape == (64, 64) and clean.max() == pytest.approx(1.0)
    rough = noisy(ink, 64.0, np.random.default_rng(0), replace(size, noisy_sigma=(0.3, 0.3)))
    assert rough.shape == (64, 64) and 0.0 <= rough.min() and rough.max() <= 1.0
    # noise frays the ink: a good share of its pixels come or go
    changed = np.logical_xor(rough > 0, clean > 0).sum()
    assert changed > 0.1 * (clean > 0).sum()
    # but nothing appears away from the ring (two pixels beyond its clean ink at most)
    far = cv2.dilate((clean > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    assert not rough[far].any()


def test_a_stub_is_a_straight_piece_of_line_along_one_side_of_the_digit():
    from livedigits.train.augment import stub

    ink = _bar_digit(40)  # a ring 40 px tall in an 80 px square
    ys, xs = np.nonzero(ink > 0.2)
    for seed in range(40):
        out = stub(ink, 3.0, np.random.default_rng(seed))
        added = (out > ink + 1e-6) & (out >= 0.6)
        # something was added, nothing taken away, and it is one straight bar beside the ring
        assert added.any() and (out >= ink).all()
        ay, ax = np.nonzero(added)
        lying, standing = np.ptp(ay) <= 7, np.ptp(ax) <= 7
        assert lying or standing
        if lying:
            assert np.ptp(ax) + 1 >= 0.5 * (np.ptp(xs) + 1)
            assert min(abs(ay.mean() - ys.min()), abs(ay.mean() - ys.max())) <= 10
        else:
            assert np.ptp(ay) + 1 >= 0.5 * (np.ptp(ys) + 1)
            assert min(abs(ax.mean() - xs.min()), abs(ax.mean() - xs.max())) <= 10


def test_tiny_makes_no_digit_of_nothing():
    blank = np.zeros((60, 60), np.float32)
    rng = np.random.default_rng(0)
    assert all(not tiny(blank, 40.0, rng, CameraAugment()).any() for _ in range(50))


def test_augmentation_is_reproducible(mnist_test):
    images, _ = mnist_test
    a = augment_batch(images[:8], CameraAugment(), np.random.default_rng(3))
    b = augment_batch(images[:8], CameraAugment(), np.random.default_rng(3))
    assert np.array_equal(a, b)


def test_validation_split_is_the_end_of_mnist_train_and_disjoint_from_the_rest():
    from livedigits.train.data import split_validation

    index = np.arange(60_000)
    (fit_part, _), (val_part, _) = split_validation(index, index % 10)
    assert len(val_part) == 10_000 and val_part[0] == 50_000 and val_part[-1] == 59_999
    assert len(fit_part) == 50_000 and not set(fit_part) & set(val_part)


@pytest.mark.slow
def test_fit_never_trains_on_the_validation_split(tmp_path, monkeypatch):
    """Given a training file whose images are all different, what fit hands to the batch maker
    and what it validates on share no image."""
    import shutil

    import livedigits.train.fit as fit_module

    for kind in ("images-idx3", "labels-idx1"):
        shutil.copy(f"{MNIST_DIR}/t10k-{kind}-ubyte.gz", tmp_path / f"train-{kind}-ubyte.gz")
    seen = {}

    class Spy(fit_module.AugmentedMNIST):
        def __init__(self, images, *args, **kwargs):
            seen["train"] = images
            super().__init__(images, *args, **kwargs)

    class Stop(Exception):
        pass

    def no_training(model, data, **kwargs):
        seen["val"] = kwargs["validation_data"][0]
        raise Stop

    monkeypatch.setattr(fit_module, "AugmentedMNIST", Spy)
    monkeypatch.setattr(fit_module.keras.Model, "fit", no_training)
    with pytest.raises(Stop):
        fit_module.fit(str(tmp_path), tmp_path / "m.keras", epochs=1, junk_fraction=0, pen_fraction=0)
    from livedigits.mnist import normalize_batch

    train = {img.tobytes() for img in normalize_batch(seen["train"])}
    val = {img.tobytes() for img in seen["val"]}
    assert len(train) + len(val) >= 9_990  # (MNIST test holds a few exact duplicates at most)
    assert not train & val


@pytest.mark.slow
def test_non_digits_in_a_batch_are_never_rendered_tiny_or_noisy(mnist_test, monkeypatch):
    """Camera samples are for digits: a tiny or noisy render of a box corner or half a digit is a
    blob much like a tiny or noisy digit, which a flat target would teach the model to doubt."""
    import livedigits.train.augment as augment_module
    import livedigits.train.fit as fit_module
    from livedigits.train.junk import FLAT_TARGET, junk_pool

    rendered = []
    for name in ("tiny", "noisy"):
        real = getattr(augment_module, name)

        def counted(ink, *args, _real=real, _name=name):
            rendered.append(_name)
            return _real(ink, *args)

        monkeypatch.setattr(augment_module, name, counted)
    images, labels = mnist_test
    junk = junk_pool(20, seed=1)
    for every_one, kind in ((CameraAugment(p=1.0, p_tiny=1.0), "tiny"), (CameraAugment(p=1.0, p_noisy=1.0), "noisy")):
        rendered.clear()
        batches = fit_module.AugmentedMNIST(images[:64], labels[:64], 32, every_one, 0, junk, 0.25, None, 0.0)
        x, targets = batches[0]
        assert x.shape == (32, 28, 28, 1) and np.all(targets == FLAT_TARGET, axis=1).sum() == 8
        # every digit went through the camera sample, no non-digit did
        assert rendered == [kind] * (32 - 8)


@pytest.mark.slow
def test_importing_training_shows_no_tensorflow_noise_unless_asked():
    code = "import livedigits.train.fit"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    env["TF_CPP_MIN_LOG_LEVEL"] = "0"
    loud = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert loud.returncode == 0 and "absl" in loud.stderr  # TensorFlow's own start-up lines, as -v shows them


@pytest.fixture(scope="module")
def tiny_training(tmp_path_factory, mnist_test):
    """One epoch on 2,000 digits (the test split stands in for training data here: speed only)."""
    from livedigits.train.fit import fit

    tmp = tmp_path_factory.mktemp("train")
    # the smoke run reads IDX files from a directory; write the committed test split under the training names
    import shutil

    for kind in ("images-idx3", "labels-idx1"):
        shutil.copy(f"{MNIST_DIR}/t10k-{kind}-ubyte.gz", tmp / f"train-{kind}-ubyte.gz")
        shutil.copy(f"{MNIST_DIR}/t10k-{kind}-ubyte.gz", tmp / f"t10k-{kind}-ubyte.gz")
    model_path = tmp / "tiny.keras"
    import livedigits.train.fit as fit_module

    # Progress lines every step, captured: the log shows life within an epoch without a terminal.
    original, fit_module.PROGRESS_SECONDS = fit_module.PROGRESS_SECONDS, 0.0
    import contextlib
    import io

    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            fit(str(tmp), model_path, epochs=1, limit=2000, camera_epochs=1)
    finally:
        fit_module.PROGRESS_SECONDS = original
    return tmp, model_path, log.getvalue()


@pytest.mark.slow
def test_training_reports_progress_within_an_epoch_and_keeps_the_best_epoch(tiny_training):
    *_, log = tiny_training
    assert "epoch 1/1  step 1/16" in log and "epoch 1/1  step 16/16" in log
    assert "val_accuracy" in log and "val_pen_accuracy" in log
    # both stages ran, each keeping its best epoch, the camera stage after the first
    first, camera = log.index("first stage: training"), log.index("camera stage: training")
    assert first < camera and log.count("kept epoch 1") == 2
    # 16 steps: the log says why validation lags training in a run this short
    assert "first stage: a short run (16 steps): validation lags training" in log


@pytest.mark.slow
def test_the_camera_stage_goes_on_from_a_trained_model(tiny_training, tmp_path, monkeypatch):
    """``init``: no first stage; the camera stage starts from the given model's weights, with tiny
    and noisy samples on for the digits."""
    import livedigits.train.fit as fit_module

    data, model_path, _ = tiny_training
    seen = {}

    class Stop(Exception):
        pass

    def no_training(model, train_data, **kwargs):
        seen["weights"], seen["augment"] = model.get_weights(), train_data.augment
        raise Stop

    monkeypatch.setattr(fit_module.keras.Model, "fit", no_training)
    with pytest.raises(Stop):
        fit_module.fit(str(data), tmp_path / "m.keras", limit=2000, init=model_path, camera_epochs=1)
    trained = fit_module.keras.models.load_model(model_path).get_weights()
    assert len(seen["weights"]) == len(trained) and all(np.array_equal(a, b) for a, b in zip(seen["weights"], trained))
    assert seen["augment"].p_tiny == fit_module.CAMERA_AUGMENT.p_tiny > 0
    assert seen["augment"].p_noisy == fit_module.CAMERA_AUGMENT.p_noisy > 0
    with pytest.raises(LivedigitsError, match="camera-epochs must be at least 1"):
        fit_module.fit(str(data), tmp_path / "m.keras", init=model_path, camera_epochs=0)
    with pytest.raises(LivedigitsError, match="Keras model not found"):
        fit_module.fit(str(data), tmp_path / "m.keras", init=tmp_path / "none.keras")
    with pytest.raises(LivedigitsError, match="one file"):
        fit_module.fit(str(data), model_path, init=model_path)
    # Another network's weights: a clear error before any training, not a failure after an epoch
    other = fit_module.keras.Sequential(
        [fit_module.keras.Input((28, 28, 1)), fit_module.keras.layers.Flatten(), fit_module.keras.layers.Dense(10)]
    )
    other.save(tmp_path / "other.keras")
    with pytest.raises(LivedigitsError, match="not a livedigits model"):
        fit_module.fit(str(data), tmp_path / "m.keras", init=tmp_path / "other.keras")


@pytest.mark.slow
def test_one_epoch_then_export_agrees(tiny_training):
    from livedigits.train.export import export

    data, model_path, _ = tiny_training
    onnx_path = data / "tiny.onnx"
    # The test files alone will do (the committed folder has no training files)
    summary = export(model_path, onnx_path, str(MNIST_DIR))
    assert summary["max_abs_diff"] <= 1e-4
    assert summary["test_accuracy"] > 0.2  # two short epochs already learn something (chance: 0.1)
    classifier = Classifier(onnx_path)
    assert classifier.input_name == "image" and classifier.output_name == "probabilities"
    model = onnx.load(onnx_path)
    meta = {p.key: p.value for p in model.metadata_props}
    assert float(meta["test_accuracy"]) == pytest.approx(summary["test_accuracy"], abs=1e-4)
    # dynamic batch
    assert classifier.predict(np.zeros((3, 28, 28, 1), np.float32)).shape == (3, 10)
    assert classifier.predict(np.zeros((40, 28, 28, 1), np.float32)).shape == (40, 10)


@pytest.mark.slow
def test_export_bakes_a_temperature_into_the_onnx_model(tiny_training, mnist_test):
    from livedigits.mnist import normalize_batch
    from livedigits.train.evaluate import with_temperature
    from livedigits.train.export import export

    data, model_path, _ = tiny_training
    plain, warm = data / "plain.onnx", data / "warm.onnx"
    export(model_path, plain, str(data))
    summary = export(model_path, warm, str(data), temperature=2.0)
    assert summary["max_abs_diff"] <= 1e-4  # checked against Keras' output at the same temperature
    images = normalize_batch(mnist_test[0][:64])
    p_plain, p_warm = Classifier(plain).predict(images), Classifier(warm).predict(images)
    assert np.allclose(p_warm, with_temperature(p_plain, 2.0), atol=1e-5)
    assert (p_warm.argmax(1) == p_plain.argmax(1)).all() and p_warm.max(1).mean() < p_plain.max(1).mean()
    assert Classifier(warm).metadata["temperature"] == "2"


@pytest.mark.slow
def test_evaluate_writes_report(tiny_training):
    from livedigits.train.evaluate import evaluate

    data, model_path, _ = tiny_training
    report = evaluate(str(model_path), str(data), str(data / "report"))
    assert 0.2 < report["accuracy"] <= 1.0
    assert len(report["per_class"]) == 10 and sum(r["support"] for r in report["per_class"]) == 10000
    assert 0.0 <= report["ece"] <= 1.0 and len(report["styles"]) >= 10
    for name in ("confusion_png", "errors_png", "reliability_png", "styles_png"):
        with open(report[name], "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_export_rejects_bad_paths(tmp_path):
    from livedigits.train.export import export

    with pytest.raises(LivedigitsError, match="must end in .onnx"):
        export(tmp_path / "m.keras", tmp_path / "m.txt", MNIST_DIR)
    with pytest.raises(LivedigitsError, match="Keras model not found"):
        export(tmp_path / "m.keras", tmp_path / "m.onnx", MNIST_DIR)


def test_junk_pool_is_ink_on_black_and_varied():
    from livedigits.train.junk import FLAT_TARGET, junk_pool

    pool = junk_pool(50, seed=3)
    assert pool.shape == (50, 28, 28) and pool.dtype == np.uint8
    assert all(img.max() > 100 and img[0].max() == 0 for img in pool)  # ink present, border blank
    assert len({img.tobytes() for img in pool}) > 40
    assert FLAT_TARGET.sum() == pytest.approx(1.0) and np.ptp(FLAT_TARGET) == 0


@pytest.mark.slow
def test_a_damaged_keras_file_is_called_damaged_not_missing(tmp_path):
    from livedigits.train.export import load_keras

    # given the shipped .keras file cut short (Keras says "File not found" of it)
    cut = tmp_path / "cut.keras"
    cut.write_bytes(open("models/digits.keras", "rb").read()[:300_000])
    # when loaded, then the error says it is damaged
    with pytest.raises(LivedigitsError, match="cannot load Keras model .*cut.keras: damaged"):
        load_keras(cut)


@pytest.mark.slow
@pytest.mark.parametrize("saved", [True, False])
def test_an_interrupted_training_says_what_it_kept(tmp_path, monkeypatch, capsys, saved):
    import livedigits.train.fit as fit_module
    from livedigits.cli import INTERRUPTED, main

    out = tmp_path / "m.keras"

    def interrupted(*args, **kwargs):
        if saved:  # as BestEpoch records its save
            fit_module.SAVED.update(out=str(out), stage="first stage", epoch=3, val_accuracy=0.9912)
        raise KeyboardInterrupt

    monkeypatch.setattr(fit_module, "fit", interrupted)
    # when a training is stopped by Ctrl-C, then it says what --out holds
    assert main(["train", "--data", MNIST_DIR, "--out", str(out)]) == INTERRUPTED
    line = capsys.readouterr().err.strip().splitlines()[-1]
    if saved:
        assert line == f"livedigits: interrupted; {out} holds the first stage's epoch 3 (validation accuracy 0.9912)"
    else:
        assert line == f"livedigits: interrupted; no epoch ended: nothing saved to {out}"
