"""Fit the CNN on MNIST with camera-crop augmentation and save it as a .keras file."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import keras
import numpy as np

from livedigits.errors import LivedigitsError
from livedigits.mnist import normalize_batch
from livedigits.train.augment import CameraAugment, augment_batch
from livedigits.train.data import load_mnist
from livedigits.train.junk import FLAT_TARGET, junk_pool
from livedigits.train.model import build_model

EPOCHS = 30
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-4
JUNK_FRACTION = 0.08
"""Share of each batch that is non-digits with a flat target (see train/junk.py)."""
JUNK_POOL = 20_000


class AugmentedMNIST(keras.utils.PyDataset):
    """Batches of freshly augmented digits (a new random draw every epoch), with one-hot targets.

    With ``junk`` (uint8 [M, 28, 28] non-digits), a ``junk_fraction`` of each batch is replaced by
    augmented non-digits whose target is flat (0.1 for every digit).
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
    ):
        super().__init__()
        self.images, self.labels = images, labels
        self.batch_size, self.augment = batch_size, augment
        self.junk, self.junk_fraction = junk, junk_fraction if junk is not None and len(junk) else 0.0
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self) -> int:
        return int(np.ceil(len(self.images) / self.batch_size))

    def __getitem__(self, index):
        idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.images[idx]
        targets = np.eye(10, dtype=np.float32)[self.labels[idx]]
        n_junk = int(round(self.junk_fraction * len(idx)))
        if n_junk:
            images = images.copy()
            images[:n_junk] = self.junk[self.rng.integers(len(self.junk), size=n_junk)]
            targets[:n_junk] = FLAT_TARGET
        return augment_batch(images, self.augment, self.rng), targets

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] MNIST digits -> float32 [N, 28, 28, 1], through the shared normalisation."""
    return normalize_batch(images)


class EpochLine(keras.callbacks.Callback):
    """One line per epoch: loss, accuracy, test accuracy and wall time."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        parts = [f"epoch {epoch + 1}/{self.params['epochs']}"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                parts.append(f"{key} {logs[key]:.4f}")
        parts.append(f"{time.perf_counter() - self.start:.1f} s")
        print("  ".join(parts), flush=True)


def fit(
    data_dir: str | None,
    out: str | os.PathLike,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
    seed: int = 0,
    augment: CameraAugment | None = None,
    junk_fraction: float = JUNK_FRACTION,
) -> keras.Model:
    """Train on MNIST (the first ``limit`` training images if given), validate on the test set, save."""
    if epochs < 1:
        raise LivedigitsError(f"--epochs must be at least 1, got {epochs}")
    out = Path(out)
    if out.suffix != ".keras":
        raise LivedigitsError(f"--out must end in .keras, got {out}")
    if not out.parent.exists():
        raise LivedigitsError(f"output directory does not exist: {out.parent}")
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[: max(limit // 6, 100)], y_test[: max(limit // 6, 100)]
    junk = junk_pool(JUNK_POOL if limit is None else 500, seed) if junk_fraction > 0 else None
    train_data = AugmentedMNIST(x_train, y_train, batch_size, augment or CameraAugment(), seed, junk, junk_fraction)
    val_data = (as_model_input(x_test), np.eye(10, dtype=np.float32)[y_test])

    model = build_model()
    schedule = keras.optimizers.schedules.CosineDecay(
        LEARNING_RATE, decay_steps=epochs * len(train_data), warmup_target=None
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=WEIGHT_DECAY),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    print(f"training on {len(x_train)} digits, validating on {len(x_test)}, {epochs} epochs", flush=True)
    start = time.perf_counter()
    model.fit(
        train_data,
        epochs=epochs,
        validation_data=val_data,
        verbose=1 if sys.stdout.isatty() else 0,
        callbacks=[EpochLine()],
    )
    print(f"trained in {time.perf_counter() - start:.0f} s; saving {out}", flush=True)
    save_weights_only_model(model, out)
    return model


def save_weights_only_model(model: keras.Model, out: str | os.PathLike) -> None:
    """Save architecture and weights without the optimizer's state (a third of the size)."""
    bare = build_model()  # uncompiled: no optimizer to save
    bare.set_weights(model.get_weights())
    bare.save(out)
