"""The shared MNIST normalisation, on synthetic arrays."""

import cv2
import numpy as np
import pytest

from livedigits.mnist import BOX, SIZE, leans, normalize_digit


def centre_of_mass(img):
    m = cv2.moments(img.astype(np.float32))
    return m["m10"] / m["m00"], m["m01"] / m["m00"]


def bbox(img):
    ys, xs = np.nonzero(img > 0)
    return xs.max() - xs.min() + 1, ys.max() - ys.min() + 1


@pytest.mark.parametrize(
    "shape, rect",
    [
        ((100, 60), (10, 5, 40, 80)),  # tall, off-centre
        ((50, 200), (20, 10, 150, 30)),  # wide
        ((12, 12), (2, 2, 6, 8)),  # smaller than the box: upscaled
    ],
)
def test_longer_side_is_20_and_aspect_kept(shape, rect):
    # given an ink rectangle of known aspect somewhere in a larger crop
    ink = np.zeros(shape, np.uint8)
    x, y, w, h = rect
    ink[y : y + h, x : x + w] = 255
    # when normalised
    out = normalize_digit(ink)
    # then its longer side is the 20-px box and its aspect ratio is kept
    bw, bh = bbox(out)
    assert max(bw, bh) == BOX
    assert min(bw, bh) == pytest.approx(BOX * min(w, h) / max(w, h), abs=1)


def test_centre_of_mass_lands_at_centre():
    # given a lopsided "L": most ink at the bottom
    ink = np.zeros((80, 80), np.uint8)
    cv2.line(ink, (20, 10), (20, 70), 255, 6)
    cv2.line(ink, (20, 70), (60, 70), 255, 6)
    out = normalize_digit(ink)
    cx, cy = centre_of_mass(out)
    # the bounding box would put the centre elsewhere; the centre of mass is what MNIST used
    assert abs(cx - SIZE / 2) <= 1.0 and abs(cy - SIZE / 2) <= 1.0


def test_polarity_and_range():
    ink = np.zeros((40, 40), np.uint8)
    cv2.circle(ink, (20, 20), 12, 200, 3)
    out = normalize_digit(ink)
    assert out.dtype == np.float32 and out.shape == (SIZE, SIZE)
    assert out.max() == pytest.approx(1.0)  # ink is bright, scaled to full range
    assert out[0, 0] == 0.0 and out.min() >= 0.0  # background is black


def test_empty_crop_gives_zeros_and_writes_into_out():
    out = np.full((SIZE, SIZE), 7.0, np.float32)
    result = normalize_digit(np.zeros((30, 30), np.uint8), out=out)
    assert result is out and not out.any()


def test_mnist_digits_are_nearly_unchanged(mnist_test):
    # MNIST digits are already normalised; the shared function must agree with how they were made
    images, _ = mnist_test
    diffs = [np.abs(normalize_digit(d) - d / 255.0).mean() for d in images[:200]]
    assert np.median(diffs) < 0.03


def test_rejects_colour_input():
    with pytest.raises(ValueError, match="2-D"):
        normalize_digit(np.zeros((10, 10, 3), np.uint8))


@pytest.mark.parametrize("lean", [-0.4, 0.0, 0.25])
def test_a_normalised_digits_lean_is_its_inks(lean):
    # given a stroke 20 px tall leaning ``lean`` (x per y, y down) and an empty crop
    crop = np.zeros((28, 28), np.float32)
    for y in range(4, 24):
        x = 14 + lean * (y - 14)
        crop[y, int(np.floor(x)) : int(np.floor(x)) + 3] = 1.0
    batch = np.stack([crop, np.zeros_like(crop)])[..., None]
    # then its lean is measured, and the empty crop's is 0
    assert leans(batch) == pytest.approx([lean, 0.0], abs=0.03)
