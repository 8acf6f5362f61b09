"""Detection on synthetic frames built with np.zeros, cv2.putText and cv2.line."""

import cv2
import numpy as np
import pytest

from benchmarks.score import iou
from livedigits.cuts import split_options, split_touching
from livedigits.detect import Candidate, _merge_fragments, binarize, find_candidates, noise_level, to_gray
from livedigits.layout import find_lines
from livedigits.rulings import _page_tilts

PAPER = 235
INK = 40


def paper(h=480, w=640, value=PAPER):
    return np.full((h, w), value, np.uint8)


def write(img, text, org, scale=3.0, thickness=8):
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, INK, thickness, cv2.LINE_AA)
    return img


def ink_box(img):
    """Tight box of the ink drawn on a clean copy (the ground truth for one glyph)."""
    return cv2.boundingRect((img < PAPER - 60).astype(np.uint8))


def detect(gray):
    return find_candidates(binarize(gray))


def test_blank_paper_with_uneven_light_has_no_candidates():
    gradient = np.linspace(0.55, 1.0, 640, dtype=np.float32)[None, :] * np.linspace(0.8, 1.0, 480)[:, None]
    img = (paper() * gradient).astype(np.uint8)
    assert detect(img) == []


def test_one_digit_is_found_with_its_box():
    img = write(paper(), "7", (300, 280))
    [c] = detect(img)
    assert iou(c.box, ink_box(img)) > 0.8
    assert c.mask.shape == (c.h, c.w) and c.mask.max() == 255


def test_digit_in_a_shadow_is_found_and_the_shadow_edge_is_not():
    img = write(paper(), "4", (150, 300))
    truth = ink_box(img)
    shadow = np.ones((480, 640), np.float32)
    shadow[:, :320] = 0.5  # half the page in a hard shadow
    img = (img * cv2.GaussianBlur(shadow, (0, 0), 15)).astype(np.uint8)
    boxes = [c.box for c in detect(img)]
    assert len(boxes) == 1 and iou(boxes[0], truth) > 0.7


@pytest.mark.parametrize("text", ["3", "8"])
def test_large_digit_stays_solid(text):
    # a digit 60% of the frame height with thick strokes: one candidate, not its outline pieces
    img = write(paper(), text, (250, 400), scale=10, thickness=30)
    [c] = detect(img)
    assert iou(c.box, ink_box(img)) > 0.8
    assert cv2.countNonZero(c.mask) > 0.25 * c.w * c.h


def test_small_digit_two_percent_of_height():
    img = write(paper(), "2", (300, 250), scale=0.45, thickness=1)
    [c] = detect(img)
    assert 8 <= c.h <= 14


def test_digit_touching_a_ruled_line_is_separated_from_it():
    img = paper()
    for y in range(60, 480, 60):
        cv2.line(img, (0, y), (639, y), 150, 2)
    clean = write(paper(), "5", (300, 300), scale=3.0)
    truth = ink_box(clean)
    img = np.minimum(img, clean)  # the 5's bottom sits on the line at y=300
    boxes = [c.box for c in detect(img)]
    assert len(boxes) == 1 and iou(boxes[0], truth) > 0.7


def test_broken_stroke_is_one_digit():
    # a 5 whose cap was lifted off the paper: two components, one digit
    img = paper()
    cv2.line(img, (300, 200), (300, 245), INK, 7)  # stem
    cv2.ellipse(img, (310, 270), (28, 28), 0, -120, 150, INK, 7)  # belly
    cv2.line(img, (308, 200), (345, 200), INK, 7)  # cap, separated from the stem
    img[194:207, 302:307] = PAPER
    [c] = detect(img)
    assert c.h > 90


def test_touching_digits_are_split():
    img = paper()
    write(img, "00", (200, 300), scale=4, thickness=10)
    # join them with a bridge of ink
    cv2.line(img, (260, 250), (300, 250), INK, 10)
    [c] = detect(img)
    # too wide to be sure: offered both whole and split in two at the bridge
    assert c.whole and len(c.parts) == 2
    left, right = sorted(p.box for p in c.parts)
    assert left[0] + left[2] <= right[0] + 5
    assert abs(left[2] - right[2]) < 0.25 * c.w


@pytest.mark.parametrize(
    "draw",
    [
        lambda img: cv2.circle(img, (320, 240), 2, INK, -1),  # a speck
        lambda img: cv2.line(img, (320, 100), (320, 200), INK, 1),  # a pen-thin straight line
        lambda img: cv2.rectangle(img, (300, 200), (360, 260), INK, -1),  # a solid blob
        lambda img: write(img, "7", (600, 300)),  # cut by the frame edge
    ],
    ids=["speck", "thin-line", "solid-blob", "cut-by-edge"],
)
def test_implausible_shapes_are_rejected(draw):
    img = paper()
    draw(img)
    assert detect(img) == []


def test_to_gray_accepts_gray_bgr_bgra_and_rejects_others():
    assert to_gray(np.zeros((4, 5, 3), np.uint8)).shape == (4, 5)
    assert to_gray(np.zeros((4, 5, 4), np.uint8)).shape == (4, 5)
    with pytest.raises(ValueError, match="uint8"):
        to_gray(np.zeros((4, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"got shape \(4, 5, 2\)"):
        to_gray(np.zeros((4, 5, 2), np.uint8))
    # a one-channel image as some decoders give it; an empty array and a list say what they are
    assert np.array_equal(to_gray(np.full((4, 5, 1), 7, np.uint8)), np.full((4, 5), 7, np.uint8))
    with pytest.raises(ValueError, match="frame is empty"):
        to_gray(np.zeros((0, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="must be a numpy array"):
        to_gray([[0, 1], [2, 3]])


def test_far_too_wide_is_only_read_split():
    img = paper()
    write(img, "000", (150, 300), scale=4, thickness=10)
    cv2.line(img, (200, 250), (330, 250), INK, 10)
    [c] = detect(img)
    assert not c.whole and len(c.parts) == 3


def _pieces_per_bar(pieces, bars) -> list[list[int]]:
    """For each piece, how many of its pixels fall on each bar (fewest first)."""
    out = []
    for piece in pieces:
        own = np.zeros_like(bars[0])
        own[piece.y : piece.y + piece.h, piece.x : piece.x + piece.w] = piece.mask
        out.append(sorted(np.count_nonzero(own & bar) for bar in bars))
    return out


@pytest.mark.parametrize("lean", [0.4, -0.3])
def test_touching_strokes_leaning_are_also_cut_along_their_lean(lean):
    # Given two bars 60 px tall leaning ``lean`` (x per y), 20 px apart, joined at their middles:
    # every upright column between them crosses both
    bars = [np.zeros((60, 160), np.uint8) for _ in range(2)]
    for bar, x in zip(bars, (60, 80)):
        cv2.line(bar, (round(x + 30 * lean), 0), (round(x - 30 * lean), 59), 255, 6)
    mask = bars[0] | bars[1]
    cv2.line(mask, (60, 30), (80, 30), 255, 6)
    x, y, w, h = cv2.boundingRect(mask)
    c = Candidate(x, y, w, h, mask[y : y + h, x : x + w])
    # When split, Then the upright cut runs through both bars, and the second way, along the
    # lean, gives each bar a piece of its own
    upright, along = split_options(c, 0.5)
    assert any(fewest > 0.2 * most for fewest, most in _pieces_per_bar(upright, bars))
    assert len(along) == 2 and all(fewest == 0 for fewest, _ in _pieces_per_bar(along, bars))


def test_touching_upright_strokes_are_cut_one_way():
    mask = np.zeros((60, 60), np.uint8)
    cv2.line(mask, (10, 0), (10, 59), 255, 6)
    cv2.line(mask, (45, 0), (45, 59), 255, 6)
    cv2.line(mask, (10, 30), (45, 30), 255, 6)
    assert len(split_options(Candidate(0, 0, 60, 60, mask), 0.5)) == 1


def test_split_leaves_single_digits_alone():
    c = Candidate(0, 0, 10, 20, np.full((20, 10), 255, np.uint8))
    assert split_touching(c, 1.25) == [c]


def test_lines_are_top_to_bottom_then_left_to_right():
    boxes = [(200, 10, 20, 30), (10, 100, 20, 30), (10, 12, 20, 30), (100, 8, 20, 30), (100, 105, 20, 30)]
    assert find_lines(boxes) == [[2, 3, 0], [1, 4]]


def test_texture_round_a_mark_is_its_papers_departure_not_its_neighbours():
    from livedigits.detect import _texture

    rng = np.random.default_rng(0)
    mark = Candidate(100, 100, 4, 14, np.full((14, 4), 255, np.uint8))
    # Plain paper with sensor noise: about nothing
    paper = np.clip(200 + rng.normal(0, 3, (240, 240)), 0, 255).astype(np.uint8)
    assert _texture(mark, paper, 200.0) < 0.02
    # Close digits either side (strokes cover well under half the ring): still plain
    writing = paper.copy()
    writing[100:114, 93:95] = 60
    writing[100:114, 108:110] = 60
    writing[98:100, 96:108] = 60
    assert _texture(mark, writing, 200.0) < 0.02
    # Wood grain, bands 10% either side of the surface: textured
    grain = (200 + 20 * np.sin(np.arange(240)[:, None] / 4.0 + np.arange(240)[None, :] / 50.0)).astype(np.uint8)
    assert _texture(mark, grain, 200.0) > 0.06


def test_a_small_candidates_fine_ink_is_its_darkness_anti_aliased():
    from livedigits.detect import DetectorConfig, _fine_ink

    # Given a 1 ten pixels tall drawn 2 px wide and blurred (a tiny digit through a soft lens)
    gray = np.full((40, 40), 220, np.uint8)
    gray[15:25, 19:21] = 40
    gray = cv2.GaussianBlur(gray, (0, 0), 0.8)
    mask = cv2.compare(gray[14:26, 17:23], 176, cv2.CMP_LT)
    mark = Candidate(17, 14, 6, 12, mask)
    # When its fine ink is drawn at 3x
    fine = _fine_ink(mark, gray, 220.0, DetectorConfig())
    # Then it is the stroke's darkness: full at its core, fading at its edges (not a flat blob),
    # and nothing off the ink
    assert fine.max() == 255
    inked = fine[fine > 0]
    assert np.count_nonzero(inked < 128) > 0.2 * inked.size
    assert fine.shape == (3 * 14, 3 * 8)
    assert fine[:, :6].max() == 0


def test_every_candidate_is_read_as_its_darkness_unless_turned_off():
    from livedigits.detect import DetectorConfig

    # Given a 7 drawn 40 px tall in a soft pen (blurred), on paper at 220
    gray = np.full((120, 120), 220, np.uint8)
    cv2.polylines(gray, [np.array([(40, 40), (70, 40), (52, 80)], np.int32)], False, 50, 4)
    gray = cv2.GaussianBlur(gray, (0, 0), 1.2)
    mask = binarize(gray)
    # When its candidates are found
    (seven,) = find_candidates(mask, gray=gray)
    # Then what the classifier reads is its darkness under its mask: full at the core, graded
    # at the edges, nothing off the mask; with read_darkness off, the mask itself
    assert seven.ink.max() == 255 and np.count_nonzero((seven.ink > 0) & (seven.ink < 160)) > 20
    assert not np.any(seven.ink[seven.mask == 0])
    (binary,) = find_candidates(mask, DetectorConfig(read_darkness=False), gray=gray)
    assert binary.fine is None and set(np.unique(binary.ink)) == {0, 255}


def test_a_small_candidates_fine_ink_stays_off_the_erased_line_it_stands_on():
    from livedigits.detect import DetectorConfig, _fine_ink

    # Given a tiny 7 standing on an ink-dark ruling that the line eraser took out of the mask
    gray = np.full((60, 60), 225, np.uint8)
    gray[40:42, :] = 60
    gray[29:31, 25:32] = 70
    for k in range(11):
        gray[29 + k, 30 - k // 3 : 32 - k // 3] = 70
    mask = cv2.compare(gray[29:40, 25:32], 180, cv2.CMP_LT)
    seven = Candidate(25, 29, 7, 11, mask)
    lines = np.zeros_like(gray)
    lines[40:42, :] = 255
    # When its fine ink is drawn with the erased line known, Then none of it lies on the line's
    # rows (3x: rows 36-41 of the crop); without it, the line is taken in under the 7
    fine = _fine_ink(seven, gray, 225.0, DetectorConfig(), lines=lines)
    assert fine.max() == 255 and not fine[36:42].any()
    assert _fine_ink(seven, gray, 225.0, DetectorConfig())[36:42].any()


def test_a_stroke_crossing_rulings_keeps_its_ink_and_takes_no_stub_of_them():
    from livedigits.detect import _remove_lines

    # Given three 2 px rulings and a 6 px stroke 45 px long crossing the middle one
    mask = np.zeros((120, 200), np.uint8)
    for y in (30, 60, 90):
        mask[y : y + 2, :] = 255
    mask[35:80, 98:104] = 255
    # When runs longer than 60 px are erased at full size
    out = _remove_lines(mask, 60)
    # Then the stroke is whole, across the ruling too, and at most a pixel of the ruling stays on
    # either side of it (growing the stroke back over the erased band kept 3 px stubs: ink a
    # digit's crop takes in)
    assert (out[35:80, 98:104] == 255).all()
    assert cv2.connectedComponents(out)[0] == 2
    cols = np.nonzero(out[60:62].any(axis=0))[0]
    assert cols.min() >= 97 and cols.max() <= 104
    assert not out[:, :96].any() and not out[:, 106:].any()


@pytest.mark.parametrize("upright", [False, True], ids=["lying-side", "standing-side"])
def test_a_stroke_through_a_line_found_at_half_size_takes_no_bar_of_it(upright):
    from livedigits.detect import _remove_lines

    # Given a box's side (3 px) and a 4 px stroke crossing it, lines looked for at half size
    # (a box's sides are; there the line is erased with a band round it)
    mask = np.zeros((200, 300), np.uint8)
    mask[100:103, 20:280] = 255
    mask[70:135, 148:152] = 255
    if upright:
        mask = np.ascontiguousarray(mask.T)
    # When runs longer than 150 px are erased
    out = _remove_lines(mask, 150, shrink=2)
    if upright:
        out = out.T
    # Then the stroke is joined again across the band, and no more than a pixel of the side
    # stays either side of it (grown back both ways, a bar 4 px either side: a 1 read as a cross)
    assert (out[70:135, 148:152] == 255).all()
    assert cv2.connectedComponents(np.ascontiguousarray(out))[0] == 2
    cols = np.nonzero(out[100:103].any(axis=0))[0]
    assert cols.min() >= 147 and cols.max() <= 152


def _comb(marks):
    """A comb field of five 59x58 px cells (lines 4 px, walls 2 px) with ``marks(mask)`` drawn in
    it: (what is left once its long lines are erased, those lines, its cells' hole contours)."""
    mask = np.zeros((66, 306), np.uint8)
    erased = np.zeros_like(mask)
    erased[0:4, :] = erased[62:, :] = erased[:, 0:4] = erased[:, 302:] = 255
    mask |= erased
    for x in (61, 122, 183, 244):
        mask[4:62, x : x + 2] = 255
    marks(mask)
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = [c for c, h in zip(contours, hierarchy[0]) if h[3] >= 0]
    return cv2.subtract(mask, erased), erased, holes


def test_the_wall_between_two_cells_is_taken_off_the_digit_touching_it():
    from livedigits.detect import _without_walls

    # Given what is left of a comb field once its long lines are erased: a 3 written against the
    # first wall (its arcs meet it, and its middle stroke crosses it into the next cell)
    def three(mask):
        cv2.ellipse(mask, (64, 20), (14, 11), 0, -90, 90, 255, 3)
        cv2.ellipse(mask, (64, 44), (16, 13), 0, -90, 90, 255, 3)
        mask[31:34, 56:68] = 255

    kept, erased, holes = _comb(three)
    # When the walls are taken off (cells 58 px tall, level)
    out = _without_walls(kept, erased, holes, (0, 0, 306, 66), 58.0, 0.0)
    # Then the walls are gone, but for a pixel's row either side of where the 3 meets its wall,
    # and its middle stroke stays whole across it: one piece
    assert not out[4:62, 122:124].any()
    left = [r for r in range(4, 62) if out[r, 61:63].any()]
    assert left and all(kept[r - 1 : r + 2, 63:66].any() for r in left)
    assert (out[:, 64:120] == kept[:, 64:120]).all()
    assert out[31:34, 56:68].all()
    assert cv2.connectedComponents(out)[0] == 2


@pytest.mark.parametrize(
    "stroke", [(4, 62, 30, 33), (4, 62, 5, 8)], ids=["a-stem-cramped-into-its-cell", "a-stem-beside-the-outer-side"]
)
def test_a_digits_stem_from_line_to_line_is_no_wall(stroke):
    from livedigits.detect import _without_walls

    # Given a 4 cramped into the first cell of a comb field: its stem runs from the line above to
    # the one below, in the middle of the cell or beside the field's outer side
    y0, y1, x0, x1 = stroke

    def four(mask):
        mask[y0:y1, x0:x1] = 255
        mask[36:39, x0 - 2 if x0 > 10 else x0 : x0 + 22] = 255

    kept, erased, holes = _comb(four)
    out = _without_walls(kept, erased, holes, (0, 0, 306, 66), 58.0, 0.0)
    # Then its stem stays (the walls between cells go)
    assert (out[4:62, x0:x1] == 255).all()
    assert not out[4:62, 122:124].any()


def test_a_stroke_crossing_a_lifted_ruling_is_read_as_dark_there_as_elsewhere():
    from livedigits.detect import Detector, paper_level, threshold

    # Given 1s written across a light ruling (at y=110; rulings every 30 px)
    gray = np.full((240, 320), 220, np.uint8)
    for y in range(20, 240, 30):
        gray[y : y + 2, :] = 175
    for x in range(60, 300, 40):
        cv2.line(gray, (x, 95), (x + 3, 135), 120, 3)
    gray = cv2.GaussianBlur(gray, (3, 3), 0)

    def crossing_and_rest(c):
        ink = c.fine.astype(float).sum(axis=1) / np.maximum((c.fine > 0).sum(axis=1), 1)
        return ink[110 - c.y], float(np.median(ink[5:15]))

    # When detected, Then its darkness is read from the gray the mask came from (the ruling
    # lifted): the crossing is no darker than the rest of the stroke
    crossing, rest = crossing_and_rest(Detector().detect(gray).candidates[0])
    assert crossing <= rest
    # while read from the raw gray, the ruling under the stroke makes the crossing its darkest part
    paper = paper_level(gray)
    mask, ruled = threshold(gray, paper=paper)
    crossing, rest = crossing_and_rest(find_candidates(mask, gray=gray, paper=paper, ruled=ruled)[0])
    assert crossing > rest


def test_faint_streaks_with_dark_specks_are_no_faint_digits():
    from livedigits.detect import Detector

    # Given long faint streaks at 30 degrees (12% darker than the paper: under the ink threshold,
    # over the faint one), each with dark specks along it: the specks seed a growth through the
    # faint pixels, searched only near them, which cuts each streak into pieces of digit size
    frame = np.full((480, 640), 230, np.uint8)
    for k in range(-10, 14):
        cv2.line(frame, (50 * k, 470), (50 * k + 700, 70), 202, 2)
        for t in np.linspace(0.05, 0.95, 12):
            x, y = int(50 * k + 700 * t), int(470 - 400 * t)
            if 10 < x < 630:
                frame[y : y + 2, x : x + 2] = 150
    # When detected, Then no piece is a candidate: each goes on beyond where the search stopped
    assert Detector().detect(frame).candidates == []


def _faint_seven(frame: np.ndarray, x: int, y: int) -> None:
    """A 7 eleven pixels tall in strokes 13% darker than paper at 230, with one dark speck."""
    frame[y : y + 2, x : x + 7] = 200
    frame[y : y + 11, x + 5 : x + 7] = 200
    frame[y + 3 : y + 5, x + 5 : x + 7] = 150


@pytest.mark.parametrize("mark", ["circled", "underlined"])
def test_faint_digits_circled_or_underlined_are_all_found(mark):
    from livedigits.detect import Detector

    # Given nine faint 7s in a row, circled by a pen, or with a curved line drawn under them
    frame = np.full((480, 640), 230, np.uint8)
    for x in range(150, 500, 40):
        _faint_seven(frame, x, 200)
    if mark == "circled":
        cv2.ellipse(frame, (320, 205), (200, 40), 0, 0, 360, 80, 2)
    else:
        cv2.ellipse(frame, (320, 205), (180, 45), 0, 0, 180, 80, 1)
    # When detected, Then every 7 is a candidate (the circle's arcs, candidates themselves, and the
    # curve's box hid 6 of them when whole boxes were kept out of the faint search)
    found = [c for c in Detector().detect(frame).candidates if 190 <= c.y <= 210 and c.h < 20]
    assert len(found) == 9, [c.box for c in found]


@pytest.mark.parametrize("x, y", [(0, 100), (633, 100), (100, 0), (100, 469)])
def test_a_faint_digit_at_the_frame_edge_without_a_border(x, y):
    from livedigits.detect import Detector, DetectorConfig

    # Given a faint 7 touching the frame's edge, and a detector that reads up to the edge
    frame = np.full((480, 640), 230, np.uint8)
    _faint_seven(frame, x, y)
    # When detected, Then it is found (the search round it stopped at the edge, without an error)
    assert [c.box for c in Detector(DetectorConfig(border_px=0)).detect(frame).candidates] == [(x, y, 7, 11)]
    # and with the default border it is cut by the edge, so not read
    assert Detector().detect(frame).candidates == []


def test_mid_tones_round_a_mark_tell_wood_grain_from_paper_with_ink_and_lines():
    from livedigits.detect import _mid_tones

    rng = np.random.default_rng(0)
    mark = Candidate(100, 100, 6, 30, np.full((30, 6), 255, np.uint8))
    # Paper with close digits, a box line and a ruling round the mark: its ring is paper and ink
    paper = np.clip(200 + rng.normal(0, 2, (240, 240)), 0, 255).astype(np.uint8)
    paper[95:135, 88:91] = 60  # a neighbour's stroke
    paper[95:135, 115:118] = 60
    paper[92:94, 80:130] = 90  # a box's top side
    paper[138:139, :] = 150  # a ruling
    assert _mid_tones(mark, paper, 200.0, 0.06, 0.2) < 0.2
    # Wood grain: fine bands 6-20% darker than the light wood, nearly everywhere round the mark
    bands = np.abs(np.sin(np.arange(240)[None, :] / 2.5 + np.arange(240)[:, None] / 30.0))
    grain = (200 * (0.8 + 0.12 * (1 - bands))).astype(np.uint8) + np.zeros((240, 1), np.uint8)
    assert _mid_tones(mark, grain, 200.0, 0.06, 0.2) > 0.65


def test_the_walls_between_cells_go_with_the_lines_but_a_digit_in_a_cell_stays():
    from livedigits.detect import _without_dividers

    # Given what is left of a comb field once its top and bottom lines (erased) are gone
    erased = np.zeros((60, 200), np.uint8)
    erased[8:10, :] = 255
    erased[50:52, :] = 255
    kept = np.zeros_like(erased)
    kept[10:50, 40:42] = 255  # a wall from line to line
    kept[10:50, 120:122] = 255  # another
    kept[16:44, 80:83] = 255  # a 1 written in its cell, touching neither line
    kept[20:50, 150:160] = 255  # a digit sitting on the bottom line
    # When the dividers are taken out
    out = _without_dividers(kept, erased)
    # Then the walls go and the digits stay
    assert not out[10:50, 40:42].any() and not out[10:50, 120:122].any()
    assert out[16:44, 80:83].all() and out[20:50, 150:160].all()


def test_a_bar_beside_an_erased_side_is_no_wall():
    from livedigits.detect import _without_dividers

    # Given a box's left side (erased as a line) and a 1 written just inside it, 1-2 px off
    erased = np.zeros((80, 60), np.uint8)
    erased[:, 10:12] = 255
    kept = np.zeros_like(erased)
    kept[20:60, 13:16] = 255
    # Then the 1 is no wall between two lines: it stays
    assert _without_dividers(kept, erased)[20:60, 13:16].all()


@pytest.mark.parametrize("lean", [0.1, -0.1])
def test_a_grid_whose_columns_lean_is_turned_upright_family_by_family(lean):
    # Given the marks of a squared page whose rows are level and whose columns lean ~6 degrees
    marks = np.zeros((480, 640), np.uint8)
    for y in range(20, 480, 24):
        cv2.line(marks, (0, y), (639, y), 255, 1)
    for x in range(-100, 740, 24):
        cv2.line(marks, (x, 0), (x + round(lean * 479), 479), 255, 1)
    # When the page's tilts are found, Then the rows stay and the columns are turned by ~6 degrees
    row_tilt, col_tilt = _page_tilts(marks)
    assert row_tilt == 0.0
    assert 5.0 <= abs(col_tilt) <= 7.0


@pytest.mark.parametrize(
    "rows, cols, expected",
    [
        ({-10: 1.15}, {-9: 1.04, -10: 1.02}, (-10.0, -10.0)),
        ({-8: 1.21}, {0: 1.05}, (-8.0, 0.0)),
        ({-5: 1.05, -6: 1.03}, {-6: 1.15}, (-6.0, -6.0)),
        ({0: 1.05}, {-6: 1.2}, (0.0, -6.0)),
    ],
    ids=["columns-follow-the-rows", "a-ruled-pages-margin-stays", "rows-follow-the-columns", "sheared-grid"],
)
def test_a_family_with_no_clear_turn_of_its_own_follows_the_other_where_it_lines_up(monkeypatch, rows, cols, expected):
    # Given the profile energies (relative to 1 elsewhere) of a page whose rows peak clearly at one
    # angle (the grid's turn, pulled a degree by the long edge of the desk beside the sheet) and
    # whose columns peak weakly, or the other way round: a ruled page's margin line, upright,
    # loses its peak turned; a sheared grid's level rows lose theirs
    import livedigits.rulings as rulings

    def energies(marks, angles, side=256):
        return {a: rows.get(a, 1.0) for a in angles}, {a: cols.get(a, 1.0) for a in angles}

    monkeypatch.setattr(rulings, "_profile_energies", energies)
    # Then the weak family turns with the clear one only when its lines line up there as well
    assert _page_tilts(np.zeros((10, 10), np.uint8)) == expected


def test_a_turned_grid_is_turned_back_as_a_whole():
    # Given the marks of a squared page turned 5 degrees as a whole
    marks = np.zeros((480, 640), np.uint8)
    for v in range(-400, 1000, 24):
        cv2.line(marks, (-200, v), (900, v), 255, 1)
        cv2.line(marks, (v, -200), (v, 700), 255, 1)
    turned = cv2.warpAffine(marks, cv2.getRotationMatrix2D((320, 240), 5.0, 1.0), (640, 480))
    # When the page's tilts are found, Then both families are turned back by the same angle
    row_tilt, col_tilt = _page_tilts(turned)
    assert row_tilt == col_tilt and abs(row_tilt) == 5.0


def test_the_paper_level_under_a_window_is_the_whole_frames_enlarged_there():
    from livedigits.detect import _paper_under

    paper = np.random.default_rng(0).integers(0, 255, (60, 80)).astype(np.uint8)
    full = cv2.resize(paper, (643, 483), interpolation=cv2.INTER_LINEAR)
    for x0, y0, x1, y1 in [(0, 0, 50, 40), (600, 450, 643, 483), (123, 77, 301, 222)]:
        window = _paper_under(paper, (483, 643), x0, y0, x1, y1)
        assert window.shape == (y1 - y0, x1 - x0)
        assert np.abs(window.astype(int) - full[y0:y1, x0:x1]).max() <= 1


def test_a_1_standing_on_an_underline_is_not_erased_with_it():
    # Given an underline with a 1 standing on it, its stem from the top of their mark down
    # through the line: 46 px, shorter than a line here, but more than half as long
    mask = np.zeros((480, 640), np.uint8)
    cv2.line(mask, (60, 300), (600, 300), 255, 3)
    mask[256:305, 200:205] = 255
    # When its candidates are found, Then the 1 is one of them, whole (the eraser's opening took
    # the edge of the tight box round the line and the 1 for ink, and the stem for a run)
    boxes = [c.box for c in find_candidates(mask)]
    assert any(abs(x - 200) <= 2 and h >= 40 for x, _, _, h in boxes), boxes


@pytest.mark.parametrize("degrees, length", [(2.2, 560), (0.0, 300), (-3.0, 300)])
def test_a_rulings_tilt_is_its_lines_with_digits_standing_on_it(degrees, length):
    from livedigits.detect import _ruling_tilt, _tilt

    # Given a line at that tilt with a digit-sized mark standing on its left end (a 1 and a 0)
    mask = np.zeros((240, 700), np.uint8)
    slope = np.tan(np.radians(degrees))
    cv2.line(mask, (40, 150), (40 + length, round(150 - length * slope)), 255, 4)
    cv2.rectangle(mask, (50, 50), (60, 152), 255, -1)
    cv2.ellipse(mask, (90, 110), (30, 40), 0, 0, 360, 255, 6)
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    k = max(range(len(contours)), key=lambda i: cv2.contourArea(contours[i]))
    holes = [c for c, h in zip(contours, hierarchy[0]) if h[3] == k]
    # When its tilt is read, Then it is the line's within a degree, whatever the mark does to the
    # minimum-area rectangle (OpenCV's sense: up to the right is negative)
    assert abs(_ruling_tilt(contours[k], holes, min_h=20) + degrees) <= 1.0
    # And a bare line keeps its rectangle's tilt
    bare = np.zeros((60, 700), np.uint8)
    cv2.line(bare, (40, 30), (40 + length, round(30 - length * slope)), 255, 4)
    contours, _ = cv2.findContours(bare, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    assert _ruling_tilt(contours[0], [], min_h=20) == _tilt(contours[0])


def test_off_the_page_only_ink_far_darker_than_its_surface_reaches_the_mask():
    # A sheet on a dark desk with grain a quarter darker than the desk: the grain passes the
    # ink threshold (20%) but is left out of the mask off the page; ink in a hand's shadow on the
    # page, far darker than the shadow, stays; ink on the sheet stays; the sheet's edge is no ink.
    img = np.full((480, 640), 90, np.uint8)
    for y in range(480):
        shift = int(round(12 * np.sin(y / 9.0)))  # wavy, as wood grain is: no straight ruling
        for x in range(8, 660, 22):
            img[y, max(0, x + shift) : max(0, x + shift + 3)] = 62  # ~30% darker than the desk
    img[60:420, 200:460] = PAPER
    img[300:420, 200:300] = 100  # a hand's shadow over the sheet's lower left corner
    write(img, "7", (230, 200))
    cv2.putText(img, "4", (215, 405), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 25, 7, cv2.LINE_AA)
    mask = binarize(img)
    desk = mask[:, :150]
    assert np.count_nonzero(desk) == 0
    assert np.count_nonzero(mask[120:210, 230:300]) > 300  # the 7 on the sheet
    assert np.count_nonzero(mask[340:410, 215:290]) > 300  # the 4 in the shadow
    found = [c.box for c in find_candidates(mask, gray=img)]
    assert any(x < 300 and y > 320 for x, y, _, _ in found)  # the 4 is a candidate


def _dim_webcam_page(seed: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A dim page (paper at 100) seen through a noisy webcam (noise 4 gray levels) with a pan's
    motion blur (7 px across): "47258" written twice, the upper row 45% darker than the paper,
    the lower row 22% darker before the blur spreads it. Returns the frame and the lower row's
    glyph boxes."""
    dark = np.zeros((480, 640), np.float32)
    blur = np.zeros((7, 7), np.float32)
    blur[3, :] = 1 / 7
    for y, depth in ((150, 0.45), (300, 0.22)):
        glyphs = np.zeros((480, 640), np.uint8)
        for k, digit in enumerate("47258"):
            cv2.putText(glyphs, digit, (100 + 95 * k, y), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, 3, cv2.LINE_AA)
        dark = np.maximum(dark, depth * cv2.filter2D(glyphs.astype(np.float32) / 255, -1, blur))
    outlines = cv2.findContours(glyphs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    boxes = [tuple(int(v) for v in cv2.boundingRect(c)) for c in outlines]
    frame = 100 * (1 - dark) + np.random.default_rng(seed).normal(0, 4, dark.shape)
    return np.clip(frame, 0, 255).astype(np.uint8), boxes


@pytest.mark.parametrize("seed", [0, 1])
def test_faint_blurred_digits_of_a_noisy_webcam_are_regrown_whole(seed, monkeypatch):
    import livedigits.detect as detect_module

    # Given a dim, noisy, motion-blurred page whose lighter row breaks into specks at the ink threshold
    frame, lighter = _dim_webcam_page(seed)
    assert len(lighter) == 5

    def whole(candidates):
        return [b for b in lighter if any(iou(c.box, b) > 0.7 for c in candidates)]

    # When detected, Then each of its digits is one candidate, grown from the specks through the
    # smoothed gray, and nothing else is (the darker row's five and the lighter row's five)
    candidates = detect_module.Detector().detect(frame).candidates
    assert len(whole(candidates)) == 5 and len(candidates) == 10, [c.box for c in candidates]
    # and read as written
    from livedigits.recognizer import Recognizer

    assert "".join(str(d.digit) for d in Recognizer().read(frame).digits) == "4725847258"
    # (Without the regrowth the lighter row is found in pieces or not at all)
    monkeypatch.setattr(detect_module, "REGROW_SMOOTH", 1)
    assert whole(detect_module.Detector().detect(frame).candidates) == []


def _tiny_rows(depths: list[float], scale: float = 0.45) -> tuple[np.ndarray, list[list[tuple[int, int, int, int]]]]:
    """A page (paper at 230) of rows of eight Hershey digits, ~10 px tall at the default scale, each
    row as dark as its entry of ``depths`` (share of the paper) before a 3x3 blur lightens its
    thin strokes. Returns the frame and each row's glyph boxes."""
    dark = np.zeros((480, 640), np.float32)
    rows = []
    for row, depth in enumerate(depths):
        glyphs = np.zeros((480, 640), np.uint8)
        for k in range(8):
            org = (80 + 60 * k, 100 + 80 * row)
            cv2.putText(glyphs, str((row * 8 + k) % 10), org, cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
        dark = np.maximum(dark, depth * cv2.GaussianBlur(glyphs.astype(np.float32) / 255, (3, 3), 0))
        outlines = cv2.findContours(glyphs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
        rows.append([tuple(int(v) for v in cv2.boundingRect(c)) for c in outlines])
    return np.clip(230 * (1 - dark), 0, 255).astype(np.uint8), rows


def test_tiny_digits_lighter_than_the_ink_threshold_all_through_are_found_on_a_page_of_tiny_writing():
    from livedigits.detect import Detector

    # Given a page of tiny digits, every other row so blurred that no pixel of it is 20% darker
    # than the paper (its darkest ~19%)
    frame, rows = _tiny_rows([0.4, 0.25, 0.4, 0.25])
    lighter = rows[1] + rows[3]
    assert all((frame[y : y + h, x : x + w] >= 0.8 * 230).all() for x, y, w, h in lighter)
    # When detected, Then every digit is one candidate, the lighter rows' too
    candidates = Detector().detect(frame).candidates
    assert len(candidates) == 32
    assert all(any(iou(c.box, box) > 0.5 for c in candidates) for box in lighter)


def test_a_light_mark_beside_larger_writing_is_not_seeded_as_a_tiny_digit():
    from livedigits.detect import Detector

    # Given a page of digits of ordinary size (~30 px) and, beside them, a light tiny 1: a
    # stroke ~10 px long whose darkest pixel is ~17% below the paper (a soft shadow's edge
    # looks the same)
    frame, rows = _tiny_rows([0.6, 0.6], scale=1.2)
    cv2.line(frame, (300, 400), (300, 410), int(230 * 0.83), 2)
    # When detected, Then the ordinary digits are found and the light mark is not
    candidates = Detector().detect(frame).candidates
    assert len(candidates) == 16, [c.box for c in candidates]
    assert not any(c.y > 380 for c in candidates)


def test_the_pieces_of_tiny_touching_digits_are_read_from_their_gray_at_three_times():
    from livedigits.detect import Detector, DetectorConfig

    # Given a page of tiny digits (~10 px) among which one pair touches
    frame, _ = _tiny_rows([0.5, 0.5])
    cv2.putText(frame, "48", (300, 400), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 60, 2, cv2.LINE_AA)
    # When detected, Then the pair is offered cut, and each piece is read from its gray enlarged
    # fine_scale times, as a tiny digit alone is
    [pair] = [c for c in Detector().detect(frame).candidates if c.y > 380]
    assert len(pair.parts) == 2
    scale = DetectorConfig().fine_scale
    for piece in pair.parts:
        assert piece.fine is not None and piece.fine.shape[0] >= scale * piece.h


def test_clumps_of_noise_in_a_blotchy_noisy_frame_are_not_regrown_as_digits(monkeypatch):
    import livedigits.detect as detect_module

    # Given noisy, unevenly lit, JPEG-compressed frames of "3 5 8" (paper 60-200, its shading
    # blotchy, sensor noise of 4-15 gray levels, quality 20-80)
    rng = np.random.default_rng(9)
    frames = []
    for _ in range(12):
        base = np.full((480, 640), float(rng.integers(60, 200)), np.float32)
        base += cv2.resize(rng.normal(0, 15, (24, 32)).astype(np.float32), (640, 480), interpolation=cv2.INTER_CUBIC)
        ink = np.zeros((480, 640), np.uint8)
        cv2.putText(ink, "3 5 8", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, 255, 4, cv2.LINE_AA)
        noise = rng.normal(0, float(rng.choice([4, 8, 15])), base.shape)
        frame = np.clip(base * (1 - 0.5 * ink / 255) + noise, 0, 255).astype(np.uint8)
        quality = [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(20, 80))]
        frames.append(cv2.imdecode(cv2.imencode(".jpg", frame, quality)[1], cv2.IMREAD_GRAYSCALE))
    regrown = detect_module._regrown
    count = [0]

    def counting(candidates, *args):
        out = regrown(candidates, *args)
        count[0] += sum(all(c is not known for known in candidates) for c in out)
        return out

    monkeypatch.setattr(detect_module, "_regrown", counting)

    def grown():
        count[0] = 0
        for frame in frames:
            detect_module.Detector().detect(frame)
        return count[0]

    # When detected, Then hardly any mark is regrown: a clump of noise is not far enough darker
    # than its paper for the frame's noise
    assert grown() <= 4
    # (Without that rule, dozens are)
    monkeypatch.setattr(detect_module, "REGROW_SNR", 0.0)
    assert grown() >= 20


def test_the_lattices_pieces_are_those_on_a_path_of_as_many_digits_as_the_width_holds_or_one_more():
    from livedigits.cuts import on_a_path

    # Given pieces between cuts 0..3: paths from 0 to 3 of one piece (0-3), two (0-2, 2-3) and
    # three (0-1, 1-2, 2-3)
    lattice = [(i, j, f"{i}-{j}") for i, j in [(0, 1), (1, 2), (2, 3), (0, 2), (0, 3)]]

    def kept(count):
        return {p for _, _, p in on_a_path(lattice, count, 3)}

    # Then the pieces kept are those on a path of as many pieces, or one more
    assert kept(1) == {"0-3", "0-2", "2-3"}
    assert kept(2) == {"0-2", "2-3", "0-1", "1-2"}
    assert kept(3) == {"0-1", "1-2", "2-3"}
    assert kept(4) == set()


def test_the_paper_level_dips_under_a_wide_stroke_but_not_at_the_desk_beyond_the_sheet():
    from livedigits.config import DetectorConfig
    from livedigits.detect import _paper_dips

    config = DetectorConfig()
    level = np.full((90, 160), 230, np.uint8)  # a 720p frame's paper level (1/8 size)
    assert not _paper_dips(level, config)
    desk = level.copy()
    desk[:, :30] = 80  # the desk beside the sheet, reaching the frame's edge
    assert not _paper_dips(desk, config)
    stroke = level.copy()
    stroke[30:60, 70:80] = 120  # a stroke the closing could not close over, inside the page
    assert _paper_dips(stroke, config)


def test_a_marks_band_is_the_level_round_its_box_not_inside_it():
    from livedigits.detect import _band_level

    gray = np.full((100, 100), 60, np.uint8)  # a desk
    gray[30:70, 30:70] = 230  # a card whose box is the mark's
    assert _band_level(gray, Candidate(30, 30, 40, 40, np.zeros((40, 40), np.uint8))) == 60
    page = np.full((100, 100), 230, np.uint8)
    page[30:70, 30:70] = 40  # a stroke on a page
    assert _band_level(page, Candidate(30, 30, 40, 40, np.zeros((40, 40), np.uint8))) == 230


def test_a_full_size_piece_lies_on_a_wide_marks_ink_and_writing_in_its_hollow_does_not():
    from livedigits.detect import _on_ink

    # A ring (a 0 of wide strokes) found at a quarter size: 20x20 at (10, 10), its hollow 8x8
    ring = np.full((20, 20), 255, np.uint8)
    ring[6:14, 6:14] = 0
    wide = Candidate(10, 10, 20, 20, ring)
    # At full size (x4): the ring's inner rim, a band round the hollow, is a piece of it
    rim = np.full((40, 40), 255, np.uint8)
    rim[4:36, 4:36] = 0
    assert _on_ink(Candidate(60, 60, 40, 40, rim), ring, wide, 4)
    # a digit written in the hollow is not
    assert not _on_ink(Candidate(70, 70, 20, 20, np.full((20, 20), 255, np.uint8)), ring, wide, 4)


def test_noise_level_grows_with_the_noise_between_whole_gray_levels():
    # A dim frame's residuals are mostly 1 or 2 gray levels: the median of whole levels stood
    # still over a range of noise and then jumped a level, and frames of one video with the same
    # noise fell either side of the smoothing threshold. The level read grows with the noise.
    rng = np.random.default_rng(3)
    levels = []
    for sigma in np.linspace(1.2, 2.6, 8):
        frame = np.clip(86 + rng.normal(0, sigma, (480, 640)), 0, 255).astype(np.uint8)
        levels.append(noise_level(frame))
    assert all(b > a for a, b in zip(levels, levels[1:])), levels
    assert max(b - a for a, b in zip(levels, levels[1:])) < 0.004, levels


def _outline(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return max(contours, key=cv2.contourArea)


def test_a_page_corner_does_not_take_the_digits_inside_its_box_as_its_pieces():
    # The corner of a page's outline left in the mask (an L three digits tall and as wide) is
    # shaped like a possible digit; a "04" written inside its box, away from its ink, was joined
    # to it as its pieces and lost with it. A 5's cap, just above its body, still joins.
    corner = np.zeros((400, 400), np.uint8)
    corner[100:106, 100:250] = 255
    corner[100:250, 100:106] = 255
    body = np.zeros((400, 400), np.uint8)
    cv2.ellipse(body, (330, 320), (18, 22), 0, -120, 200, 255, 5)
    boxes = np.array(
        [
            cv2.boundingRect(corner),  # 0: the corner, 150 px square
            (160, 170, 30, 50),  # 1: a digit inside the corner's box, 54 px from its ink
            cv2.boundingRect(body),  # 2: a 5's body
            (312, 282, 40, 8),  # 3: its cap, a few pixels above it
        ]
    )
    hosts = np.array([True, True, True, False])
    outlines = [_outline(corner), None, _outline(body), None]
    assert _merge_fragments(boxes, hosts).tolist() == [0, 0, 2, 2]  # by boxes alone: the digit joins
    assert _merge_fragments(boxes, hosts, outlines).tolist() == [0, 1, 2, 2]
