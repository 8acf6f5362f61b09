"""Fit the CNN on MNIST with camera-crop augmentation, pen-model digits and non-digits; save .keras.

The recipe (the defaults of :func:`fit`) is the shipped model's: the last 10,000 MNIST training
digits are held out as the validation split, in each stage the epoch with the best validation
accuracy is the one kept, and the test set is not touched (it is used once, by
``evaluate``/``export-model``).

Training runs in two stages. The first (``epochs``) learns the digits through the camera-crop
augmentation. The second, the camera stage (``camera_epochs``), goes on from the first's best
epoch at a lower learning rate with camera samples added (:data:`CAMERA_AUGMENT`: digits a few
pixels tall and digits through a dim, noisy webcam, each as the runtime reads them). Trained from
the start with those samples, the model read such digits better but grew unsure of digits beside
a box's side (models/README.md, runs D-F); going on from a model that already reads boxes keeps
that and adds the rest.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np

from livedigits.errors import LivedigitsError
from livedigits.train.augment import CameraAugment, augment_batch
from livedigits.train.backend import keras
from livedigits.train.data import as_model_input, load_train, split_validation
from livedigits.train.junk import FLAT_TARGET, junk_pool
from livedigits.train.model import build_model
from livedigits.train.pen import PenStyle, pen_pool

__all__ = ["as_model_input", "fit"]  # as_model_input is re-exported for older callers

SAVED: dict = {}
"""The model last saved to ``out`` during :func:`fit` in this process: ``out``, ``stage``, ``epoch``
(1-based) and ``val_accuracy``; empty until the first best epoch is saved. Read by the CLI when a
run is interrupted, to say what it kept."""
EPOCHS = 40
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-4
JUNK_FRACTION = 0.08
"""Share of each batch that is non-digits with a flat target (see train/junk.py)."""
JUNK_POOL = 20_000
PEN_FRACTION = 0.25
"""Share of each batch that is pen-model digits (train/pen.py): forms and pens MNIST lacks."""
PEN_POOL = 20_000
TRAIN_PEN = PenStyle()
"""The pen ranges training draws from; evaluation's held-out styles use other seeds (>= 1000)."""
PEN_VALIDATION = 2_000
SETTLING_STEPS = 500
"""Training steps before validation figures mean much: Keras' batch normalisation keeps running
means and variances with momentum 0.99 (a half-life of ~70 steps), and validation is read with
them (a 1-epoch run on 3,000 digits, 24 steps: training 58%, validation 22%)."""
CAMERA_EPOCHS = 6
CAMERA_LEARNING_RATE = 5e-4
"""The camera stage's starting learning rate (cosine decay to 0 over its epochs): a quarter of the
first stage's, so it adds the camera samples without unlearning what the first stage learnt."""
CAMERA_AUGMENT = CameraAugment(p_tiny=0.12, p_noisy=0.15)
"""The camera stage's augmentation: the first stage's, with tiny and noisy samples for digits."""
PROGRESS_SECONDS = 8.0
"""Without a terminal, a progress line at least this often (a log should never look stuck)."""


class AugmentedMNIST(keras.utils.PyDataset):
    """Batches of freshly augmented digits (a new random draw every epoch), with one-hot targets.

    A ``junk_fraction`` of each batch is replaced by non-digits (uint8 [M, 28, 28]) whose target
    is flat (0.1 for every digit), and a ``pen_fraction`` by pen-model digits (``pen`` = images
    uint8 [P, 28, 28], labels [P]); all pass through the same camera-crop augmentation (the
    non-digits without its camera samples, see ``junk_augment``).
    """

    def __init__(
        self,
        images,
        labels,
        batch_size: int,
        augment: CameraAugment,
        seed: int,
        junk: np.ndarray | None = None,
        junk_fraction: float = 0.0,
        pen: tuple[np.ndarray, np.ndarray] | None = None,
        pen_fraction: float = 0.0,
    ):
        super().__init__()
        self.images, self.labels = images, labels
        self.batch_size, self.augment = batch_size, augment
        # Non-digits are not seen through the camera samples (tiny, noisy): a tiny or noisy render
        # of a box corner or half a digit is a blob much like a tiny or noisy digit, and teaching
        # it a flat target may make the model doubt such digits (run D, with them, was less sure
        # of digits beside box sides and rulings than B).
        self.junk_augment = augment
        if augment.p_tiny > 0 or augment.p_noisy > 0:
            self.junk_augment = dataclasses.replace(augment, p_tiny=0.0, p_noisy=0.0)
        self.junk, self.junk_fraction = junk, junk_fraction if junk is not None and len(junk) else 0.0
        self.pen, self.pen_fraction = pen, pen_fraction if pen is not None and len(pen[0]) else 0.0
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self) -> int:
        return int(np.ceil(len(self.images) / self.batch_size))

    def __getitem__(self, index):
        idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.images[idx].copy()
        labels = self.labels[idx].copy()
        n_junk = int(round(self.junk_fraction * len(idx)))
        n_pen = min(int(round(self.pen_fraction * len(idx))), len(idx) - n_junk)
        if n_pen:
            pick = self.rng.integers(len(self.pen[0]), size=n_pen)
            images[n_junk : n_junk + n_pen] = self.pen[0][pick]
            labels[n_junk : n_junk + n_pen] = self.pen[1][pick]
        targets = np.eye(10, dtype=np.float32)[labels]
        if n_junk:
            images[:n_junk] = self.junk[self.rng.integers(len(self.junk), size=n_junk)]
            targets[:n_junk] = FLAT_TARGET
        if n_junk and self.junk_augment is not self.augment:
            batch = np.concatenate(
                [
                    augment_batch(images[:n_junk], self.junk_augment, self.rng),
                    augment_batch(images[n_junk:], self.augment, self.rng),
                ]
            )
            return batch, targets
        return augment_batch(images, self.augment, self.rng), targets

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))


class Progress(keras.callbacks.Callback):
    """Plain progress lines: one per epoch (losses, accuracies, validation, time) and, when not on a
    terminal (where Keras draws its bar), one within the epoch at least every ``PROGRESS_SECONDS``."""

    def __init__(self, pen_val: tuple[np.ndarray, np.ndarray] | None = None, within_epoch: bool = True):
        super().__init__()
        self.pen_val, self.within_epoch = pen_val, within_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.start = self.last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.within_epoch and now - self.last >= PROGRESS_SECONDS:
            self.last = now
            logs = logs or {}
            loss = f"  loss {logs['loss']:.4f}" if "loss" in logs else ""
            print(
                f"  epoch {self.epoch + 1}/{self.params['epochs']}  step {batch + 1}/{self.params['steps']}"
                f"{loss}  {now - self.start:.0f} s",
                flush=True,
            )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        if self.pen_val is not None:
            probs = self.model.predict(self.pen_val[0], batch_size=512, verbose=0)
            logs["val_pen_accuracy"] = float((probs.argmax(1) == self.pen_val[1]).mean())
        parts = [f"epoch {epoch + 1}/{self.params['epochs']}"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy", "val_pen_accuracy"):
            if key in logs:
                parts.append(f"{key} {logs[key]:.4f}")
        parts.append(f"{time.perf_counter() - self.start:.1f} s")
        print("  ".join(parts), flush=True)


class BestEpoch(keras.callbacks.Callback):
    """Keep the weights of the epoch with the best validation accuracy (ties: lower validation loss)
    and restore them when training ends: the model choice is made on validation data only.

    With ``out``, each new best is also saved there at once, so an interrupted run leaves its best
    (the stage's: the camera stage's first epoch replaces the first stage's best there).
    """

    def __init__(self, out: str | os.PathLike | None = None, stage: str = "training"):
        super().__init__()
        self.out, self.stage = out, stage

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch, self.weights = None, None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        score = (round(float(logs.get("val_accuracy", 0.0)), 6), -float(logs.get("val_loss", 0.0)))
        if self.best is None or score > self.best:
            self.best, self.best_epoch, self.weights = score, epoch, self.model.get_weights()
            if self.out is not None:
                save_weights_only_model(self.model, self.out)
                SAVED.update(out=str(self.out), stage=self.stage, epoch=epoch + 1, val_accuracy=score[0])

    def on_train_end(self, logs=None):
        if self.weights is not None:
            self.model.set_weights(self.weights)
            print(
                f"kept epoch {self.best_epoch + 1} (best validation accuracy {self.best[0]:.4f}, "
                f"loss {-self.best[1]:.4f})",
                flush=True,
            )


def fit(
    data_dir: str | None,
    out: str | os.PathLike,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
    seed: int = 0,
    augment: CameraAugment | None = None,
    junk_fraction: float = JUNK_FRACTION,
    pen_fraction: float = PEN_FRACTION,
    verbose: bool = False,
    camera_epochs: int = CAMERA_EPOCHS,
    init: str | os.PathLike | None = None,
) -> keras.Model:
    """Train on MNIST-train less its validation split (the first ``limit`` of those if given), keep
    the epoch with the best validation accuracy, save it to ``out`` (.keras) and return it.

    Two stages (see the module's docstring): ``epochs`` with ``augment``, then ``camera_epochs``
    (0: none) with :data:`CAMERA_AUGMENT`, each keeping its own best epoch on validation (the
    camera stage's best may read MNIST validation a little worse than the first stage's: it is
    there for camera scenes, chosen on them, see models/README.md). With ``init`` (a trained
    .keras model of this network) the first stage is skipped and the camera stage starts from it.

    ``verbose`` shows Keras' own per-step output as well; without a terminal, plain progress lines
    appear at least every ``PROGRESS_SECONDS`` either way.
    """
    if epochs < 1 and init is None:
        raise LivedigitsError(f"--epochs must be at least 1, got {epochs}")
    if camera_epochs < 0:
        raise LivedigitsError(f"--camera-epochs must be 0 or more, got {camera_epochs}")
    if init is not None and camera_epochs < 1:
        raise LivedigitsError("--init starts the camera stage from a trained model: --camera-epochs must be at least 1")
    if not 0.0 <= junk_fraction + pen_fraction < 1.0:
        raise LivedigitsError(f"junk and pen fractions must leave room for MNIST, got {junk_fraction} + {pen_fraction}")
    out = Path(out)
    if out.suffix != ".keras":
        raise LivedigitsError(f"--out must end in .keras, got {out}")
    if not out.parent.exists():
        raise LivedigitsError(f"output directory does not exist: {out.parent}")
    if init is not None:
        if Path(init).resolve() == out.resolve():
            raise LivedigitsError(f"--init and --out are one file ({out}): the camera stage saves its epochs there")
        model = _trained_copy(init)
    keras.utils.set_random_seed(seed)
    # The test files are not even read: the test set stays unseen until evaluate/export-model.
    (x_train, y_train), (x_val, y_val) = split_validation(*load_train(data_dir))
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    small = limit is not None and limit < 10_000
    start = time.perf_counter()
    junk = junk_pool(500 if small else JUNK_POOL, seed, digits=x_train) if junk_fraction > 0 else None
    pen = pen_pool(500 if small else PEN_POOL, seed, TRAIN_PEN) if pen_fraction > 0 else None
    pen_val_images, pen_val_labels = pen_pool(200 if small else PEN_VALIDATION, seed + 500, TRAIN_PEN)
    pen_val = (as_model_input(pen_val_images), pen_val_labels)
    val_data = (as_model_input(x_val), np.eye(10, dtype=np.float32)[y_val])
    print(f"drew non-digits and pen digits in {time.perf_counter() - start:.0f} s", flush=True)

    def stage(model, augment: CameraAugment, stage_epochs: int, learning_rate: float, stage_seed: int, name: str):
        train_data = AugmentedMNIST(
            x_train, y_train, batch_size, augment, stage_seed, junk, junk_fraction, pen, pen_fraction
        )
        schedule = keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=stage_epochs * len(train_data), warmup_target=None
        )
        model.compile(
            optimizer=keras.optimizers.AdamW(schedule, weight_decay=WEIGHT_DECAY),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        on_terminal = sys.stdout.isatty()
        epochs_text = f"{stage_epochs} epoch{'' if stage_epochs == 1 else 's'}"
        print(
            f"{name}: training on {len(x_train)} MNIST digits (+{junk_fraction:.0%} non-digits, "
            f"+{pen_fraction:.0%} pen digits a batch), validating on the {len(x_val)} held out, {epochs_text}",
            flush=True,
        )
        if stage_epochs * len(train_data) < SETTLING_STEPS:
            print(
                f"{name}: a short run ({stage_epochs * len(train_data)} steps): validation lags training until "
                f"the batch normalisation's running statistics settle, after ~{SETTLING_STEPS} steps",
                flush=True,
            )
        start = time.perf_counter()
        model.fit(
            train_data,
            epochs=stage_epochs,
            validation_data=val_data,
            verbose=1 if (on_terminal or verbose) else 0,
            callbacks=[Progress(pen_val, within_epoch=not on_terminal), BestEpoch(out, name)],
        )
        print(f"{name}: trained in {time.perf_counter() - start:.0f} s", flush=True)
        return model

    if init is None:
        model = stage(build_model(), augment or CameraAugment(), epochs, LEARNING_RATE, seed, "first stage")
    if camera_epochs:
        # The first stage's augmentation, with the camera samples on.
        camera = dataclasses.replace(
            augment or CameraAugment(), p_tiny=CAMERA_AUGMENT.p_tiny, p_noisy=CAMERA_AUGMENT.p_noisy
        )
        model = stage(model, camera, camera_epochs, CAMERA_LEARNING_RATE, seed + 1, "camera stage")
    print(f"saving {out}", flush=True)
    save_weights_only_model(model, out)
    return model


def _trained_copy(path: str | os.PathLike) -> keras.Model:
    """This project's network (:func:`build_model`) holding the weights of the .keras model at
    ``path``; a clear error when the file is missing, unusable, or another network."""
    from livedigits.train.export import load_keras  # its clear error for a missing or unusable file

    model = build_model()
    try:
        model.set_weights(load_keras(path).get_weights())
    except ValueError as exc:
        raise LivedigitsError(f"--init {path} is not a livedigits model (train/model.py): {exc}") from exc
    return model


def save_weights_only_model(model: keras.Model, out: str | os.PathLike) -> None:
    """Save architecture and weights without the optimizer's state (a third of the size), through
    a file beside ``out`` renamed over it: a run stopped while saving leaves the last whole model."""
    bare = build_model()  # uncompiled: no optimizer to save
    bare.set_weights(model.get_weights())
    out = Path(out)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")  # Keras saves by the suffix (.keras, .h5)
    try:
        bare.save(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
