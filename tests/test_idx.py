"""The IDX loader on small files the tests write."""

import gzip
import struct

import numpy as np
import pytest

from livedigits.errors import LivedigitsError
from livedigits.train.idx import IMAGES_MAGIC, LABELS_MAGIC, load_split, parse_idx


def idx_images(n, rows=28, cols=28, magic=IMAGES_MAGIC):
    data = (np.arange(n * rows * cols) % 256).astype(np.uint8)
    return struct.pack(">IIII", magic, n, rows, cols) + data.tobytes()


def idx_labels(n, magic=LABELS_MAGIC):
    return struct.pack(">II", magic, n) + (np.arange(n) % 10).astype(np.uint8).tobytes()


def write_split(directory, n=5, gz=True, images=None, labels=None):
    images = images if images is not None else idx_images(n)
    labels = labels if labels is not None else idx_labels(n)
    for stem, blob in (("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)):
        if gz:
            with gzip.open(directory / f"{stem}.gz", "wb") as f:
                f.write(blob)
        else:
            (directory / stem).write_bytes(blob)


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_loads_gz_and_raw(tmp_path, gz):
    write_split(tmp_path, n=5, gz=gz)
    images, labels = load_split(tmp_path, "test")
    assert images.shape == (5, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [0, 1, 2, 3, 4]
    assert images[0, 0, 1] == 1


@pytest.mark.parametrize(
    "images, labels, message",
    [
        (idx_images(5, magic=0x0803_0000), None, "bad magic"),
        (idx_images(5)[:-10], None, "truncated"),
        (idx_images(5)[:10], None, "truncated header"),
        (idx_images(5, rows=20, cols=20), None, "28x28"),
        (None, idx_labels(4), "5 test images but 4 labels"),
        (None, idx_labels(5, magic=IMAGES_MAGIC), "bad magic"),
    ],
    ids=["bad-magic", "truncated-body", "truncated-header", "wrong-size", "count-mismatch", "labels-magic"],
)
def test_bad_files_are_clear_errors(tmp_path, images, labels, message):
    write_split(tmp_path, images=images, labels=labels)
    with pytest.raises(LivedigitsError, match=message):
        load_split(tmp_path, "test")


def test_missing_directory_and_file(tmp_path):
    with pytest.raises(LivedigitsError, match="not found"):
        load_split(tmp_path / "nope", "test")
    with pytest.raises(LivedigitsError, match="missing t10k-images"):
        load_split(tmp_path, "test")


def test_corrupt_gzip(tmp_path):
    write_split(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(LivedigitsError, match="cannot read"):
        load_split(tmp_path, "test")


def test_parse_idx_labels():
    assert parse_idx(idx_labels(3), LABELS_MAGIC).tolist() == [0, 1, 2]
