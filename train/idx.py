"""Reading MNIST's IDX files (gzipped or raw). Pure numpy: used by training and by the scene renderer."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from livedigits.errors import LivedigitsError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LivedigitsError(f"cannot read {path}: {exc}") from exc


def parse_idx(data: bytes, magic: int, name: str = "IDX data") -> np.ndarray:
    """Parse an IDX images (magic 0x803, N x 28 x 28) or labels (magic 0x801, N) file."""
    ndim = 3 if magic == IMAGES_MAGIC else 1
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise LivedigitsError(f"{name}: truncated header ({len(data)} bytes)")
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        raise LivedigitsError(f"{name}: bad magic number 0x{found:08x}, expected 0x{magic:08x}")
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    if ndim == 3 and dims[1:] != (28, 28):
        raise LivedigitsError(f"{name}: images must be 28x28, got {dims[1]}x{dims[2]}")
    expected = int(np.prod(dims))
    body = len(data) - header_len
    if body != expected:
        raise LivedigitsError(f"{name}: truncated or padded: {body} data bytes, header says {expected}")
    return np.frombuffer(data, np.uint8, offset=header_len).reshape(dims)


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise LivedigitsError(f"{directory}: missing {stem}(.gz)")


def load_split(directory: str | os.PathLike, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Load one split ("train" or "test") from a directory of IDX files, gzipped or raw.

    Returns:
        images uint8 [N, 28, 28] (ink bright on black) and labels uint8 [N].
    """
    directory = Path(directory)
    if directory.is_file():
        raise LivedigitsError(f"--data must be the directory of the MNIST files, not a file: {directory}")
    if not directory.is_dir():
        raise LivedigitsError(f"MNIST directory not found: {directory}")
    image_stem, label_stem = FILES[split]
    image_path, label_path = _find(directory, image_stem), _find(directory, label_stem)
    images = parse_idx(_read_bytes(image_path), IMAGES_MAGIC, str(image_path))
    labels = parse_idx(_read_bytes(label_path), LABELS_MAGIC, str(label_path))
    if len(images) != len(labels):
        raise LivedigitsError(f"{directory}: {len(images)} {split} images but {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise LivedigitsError(f"{label_path}: labels must be 0-9, found {labels.max()}")
    return images, labels
