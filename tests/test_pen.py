"""The pen model: every digit in every written form and pen, reproducible, MNIST-normalisable."""

import numpy as np
import pytest

from livedigits.mnist import normalize_digit
from livedigits.train.pen import ALL_VARIANTS, VARIANTS, PenStyle, render_digit

PENS = {
    "hairline": PenStyle(width=(0.02, 0.025), height=(80, 90)),
    "marker": PenStyle(width=(0.22, 0.24), height=(28, 32)),
    "slanted": PenStyle(slant=(0.4, 0.4)),
    "upright-plain": PenStyle(slant=(0, 0), rotation_deg=0, jitter=0, wobble=0, pressure=0),
}


@pytest.mark.parametrize("pen", PENS.values(), ids=PENS.keys())
@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_every_form_renders_as_ink_on_black_with_a_blank_border(variant, pen):
    digit = int(variant.split("-")[0])
    img = render_digit(digit, np.random.default_rng(0), PenStyle(**{**pen.__dict__, "variants": (variant,)}))
    assert img.dtype == np.uint8 and img.ndim == 2
    assert img.max() >= 100  # ink present
    assert img[0].max() == 0 and img[-1].max() == 0 and img[:, 0].max() == 0 and img[:, -1].max() == 0
    ys, xs = np.nonzero(img)
    assert np.ptp(ys) >= 0.6 * min(pen.height)  # roughly the height asked for
    assert normalize_digit(img).max() == pytest.approx(1.0)


def test_every_digit_has_several_forms_including_european_and_open_ones():
    assert all(len(VARIANTS[d]) >= 3 for d in range(10))
    for name in ("1-flag", "7-cross", "4-open", "4-closed", "9-open", "9-closed"):
        assert name in ALL_VARIANTS


def test_same_seed_same_digit_and_different_seeds_differ():
    a = render_digit(4, np.random.default_rng(5))
    b = render_digit(4, np.random.default_rng(5))
    c = render_digit(4, np.random.default_rng(6))
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)


def test_marker_strokes_are_thicker_than_hairlines():
    def ink_fraction(style):
        img = normalize_digit(render_digit(8, np.random.default_rng(1), style))
        return (img > 0.3).mean()

    assert ink_fraction(PENS["marker"]) > 2 * ink_fraction(PENS["hairline"])


def test_a_style_restricted_to_other_digits_forms_still_draws_the_digit():
    img = render_digit(3, np.random.default_rng(0), PenStyle(variants=("7-cross",)))
    assert img.max() > 0


@pytest.mark.parametrize("digit", [-1, 10])
def test_digit_out_of_range_is_an_error_naming_it(digit):
    with pytest.raises(ValueError, match=f"got {digit}"):
        render_digit(digit, np.random.default_rng(0))
