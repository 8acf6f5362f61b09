"""Issue 8's failures, on frames built here: a sheet wholly in view on a desk, digits in a drawn
box and a table, a sticky note, rulings (as dark as the ink) through digits, desk-only frames.

Each frame is composed directly (MNIST test digits written on a paper patch, the patch pasted
on a desk), independent of the benchmark's scene generators.
"""

import cv2
import numpy as np
import pytest

from benchmarks.score import Score

INK = 40
PAPER = 232


def digit_glyph(mnist_test, label: int, k: int = 0) -> np.ndarray:
    """The k-th MNIST test image of ``label``, cropped to its ink: uint8, ink bright."""
    images, labels = mnist_test
    img = images[np.nonzero(labels == label)[0][k]]
    ys, xs = np.nonzero(img > 30)
    return img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


class Page:
    """A paper patch to write digits on; remembers each digit's box in patch pixels."""

    def __init__(self, h: int, w: int, value: int = PAPER):
        self.img = np.full((h, w), value, np.uint8)
        self.truths: list[tuple[int, tuple[int, int, int, int]]] = []

    def write(self, mnist_test, text: str, x: int, y: int, height: int, k: int = 0) -> int:
        """Write ``text`` with its first digit's top-left at (x, y); returns the x after it."""
        for n, ch in enumerate(text):
            glyph = digit_glyph(mnist_test, int(ch), k + n)
            w = max(2, round(glyph.shape[1] * height / glyph.shape[0]))
            alpha = cv2.resize(glyph, (w, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
            region = self.img[y : y + height, x : x + w].astype(np.float32)
            self.img[y : y + height, x : x + w] = (region * (1 - alpha) + INK * alpha).astype(np.uint8)
            ys, xs = np.nonzero(alpha > 0.5)
            self.truths.append(
                (int(ch), (x + int(xs.min()), y + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
            )
            x += w + height // 4
        return x


def rows_of_digits(mnist_test, height: int, text, k: int = 0) -> Page:
    """A 640x480 page of six rows, 70 px apart, of digits ``height`` px tall: ``text(row)`` the
    row's digits, glyphs from the ``k``-th on (eight a row)."""
    page = Page(480, 640)
    for row in range(6):
        page.write(mnist_test, text(row), 40, 40 + 70 * row, height, k=8 * row + k)
    return page


class Truth:
    def __init__(self, digit, box):
        self.digit, self.box = digit, box


def place(page: Page, desk: np.ndarray, x: int, y: int) -> tuple[np.ndarray, list[Truth]]:
    """Paste the page on a copy of the desk (gray) at (x, y); truths in frame pixels."""
    frame = desk.copy()
    h, w = page.img.shape
    frame[y : y + h, x : x + w] = page.img
    return frame, [Truth(d, (bx + x, by + y, bw, bh)) for d, (bx, by, bw, bh) in page.truths]


def seen_truths(page: Page, matrix: np.ndarray) -> list[Truth]:
    """The page's truths as the camera sees it through ``matrix`` (3x3): each digit's box turned,
    then boxed again."""
    truths = []
    for d, (x, y, w, h) in page.truths:
        quad = cv2.perspectiveTransform(np.float32([[[x, y], [x + w, y], [x, y + h], [x + w, y + h]]]), matrix)[0]
        (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
        truths.append(Truth(d, (round(x0), round(y0), round(x1 - x0), round(y1 - y0))))
    return truths


def score(recognizer, frame, truths) -> Score:
    return Score().add(truths, recognizer.recognize(frame))


def desk(value: int, h: int = 480, w: int = 640, grain: bool = False) -> np.ndarray:
    out = np.full((h, w), value, np.uint8)
    if grain:  # wood-like streaks
        streaks = (12 * np.sin(np.arange(h)[:, None] / 3.0 + np.arange(w)[None, :] / 40.0)).astype(np.int16)
        out = np.clip(out.astype(np.int16) + streaks, 0, 255).astype(np.uint8)
    return out


@pytest.mark.parametrize("desk_value", [40, 90, 140], ids=["dark-desk", "mid-desk", "light-desk"])
@pytest.mark.parametrize("sheet_h", [140, 260, 400], ids=["small-sheet", "half-frame", "most-of-frame"])
def test_sheet_wholly_in_view_on_a_desk_is_read(recognizer, mnist_test, desk_value, sheet_h):
    # Given a sheet lying wholly in view on a darker desk, with two lines of numbers on it
    page = Page(sheet_h, int(sheet_h * 1.3))
    height = max(14, sheet_h // 8)
    x = page.write(mnist_test, "31", height, height, height)
    page.write(mnist_test, "4159", x + height, height, height, k=2)
    page.write(mnist_test, "265", height, 3 * height, height, k=6)
    frame, truths = place(page, desk(desk_value), (640 - page.img.shape[1]) // 2, (480 - sheet_h) // 2)
    # When it is read, Then every digit is found and read right, and nothing else is reported
    s = score(recognizer, frame, truths)
    assert s.found == len(truths) and s.right == len(truths) and s.false_detections == 0, s.as_dict()


def test_sheet_on_a_wood_grain_desk_gives_digits_and_the_desk_none(recognizer, mnist_test):
    page = Page(240, 320)
    page.write(mnist_test, "2718", 40, 60, 40)
    frame, truths = place(page, desk(110, grain=True), 160, 120)
    s = score(recognizer, frame, truths)
    assert s.found == len(truths) and s.false_detections == 0, s.as_dict()


def test_streaked_wood_as_bright_as_a_blue_note_gives_no_digits(recognizer, mnist_test):
    # Given a wooden desk as bright as the blue note on it (so it counts as a page), its grain
    # bands of light and dark with short darker streaks in them, many passing the ink threshold
    # in pieces a few pixels long
    rng = np.random.default_rng(3)
    bands = 20 * np.sin(np.arange(480)[:, None] / 4.0 + np.arange(640)[None, :] / 50.0)
    frame = (150 + bands).astype(np.uint8)
    for _ in range(900):
        x, y = int(rng.integers(0, 640)), int(rng.integers(0, 480))
        length, dark = int(rng.integers(6, 16)), float(rng.uniform(0.6, 0.9))
        cv2.line(frame, (x, y), (x + int(rng.integers(-2, 3)), y + length), round(150 * dark), 1, cv2.LINE_AA)
    frame = cv2.GaussianBlur(frame, (3, 3), 0)
    note = Page(150, 240, value=150)
    note.write(mnist_test, "503", 25, 45, 56)
    frame, truths = place(note, frame, 380, 250)
    # When read, Then the note's digits are read and no streak of the grain is
    s = score(recognizer, frame, truths)
    assert s.found == 3 and s.right == 3 and s.false_detections <= 1, s.as_dict()


def test_faint_grain_on_a_dimmer_desk_gives_no_digits_but_dark_ink_in_a_dim_corner_does(recognizer, mnist_test):
    # Given a note on a desk a little over half as bright, the desk marked with short streaks
    # only 23% darker than it (wood grain: each piece shorter than twice the smallest digit)
    frame = desk(125)
    for k in range(8):
        x, y = 40 + 60 * k, 100 + 37 * (k % 3)
        cv2.line(frame, (x, y), (x + 2, y + 13), round(125 * 0.77), 3, cv2.LINE_AA)
    note = Page(140, 160, value=225)
    note.write(mnist_test, "42", 25, 40, 48)
    frame, truths = place(note, frame, 400, 260)
    # When read, Then the note's digits are read and no streak is taken for a 1
    s = score(recognizer, cv2.GaussianBlur(frame, (3, 3), 0), truths)
    assert s.found == 2 and s.right == 2 and s.false_detections == 0, s.as_dict()
    # And given a page lit from the right, its left end as dim as that desk, written in dark ink
    page = Page(300, 600)
    page.img[:] = np.linspace(125, 225, 600).astype(np.uint8)[None, :]
    page.write(mnist_test, "3810", 30, 120, 40, k=1)
    # Then the digits in the dim end (56% of the brightest paper) are read too
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found == 4 and s.right == 4, s.as_dict()


def test_digits_inside_a_drawn_box_and_a_table_are_read(recognizer, mnist_test):
    page = Page(480, 640)
    cv2.rectangle(page.img, (40, 40), (300, 140), INK, 3)  # a box round a number
    # (MNIST's first test 5, k=0, is a hooked, blotted 5 that models read at 0.79-0.93, about the
    # confidence bar: this test is about the box, so its digits are plainer ones)
    page.write(mnist_test, "507", 70, 65, 50, k=1)
    for cx in (40, 180, 320, 460, 600):  # a table: 4 cells in a row
        cv2.line(page.img, (cx, 220), (cx, 330), INK, 2)
    for cy in (220, 330):
        cv2.line(page.img, (40, cy), (600, cy), INK, 2)
    x = 70
    for n, text in enumerate(("12", "34", "56", "78")):
        page.write(mnist_test, text, 70 + 140 * n, 250, 50, k=3)
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found == len(page.truths) and s.right >= len(page.truths) - 1, s.as_dict()
    del x


def test_digit_touching_its_box_is_still_read(recognizer, mnist_test):
    # Given a form field holding "4 7", whose bottom side runs through the 4's foot
    page = Page(300, 400)
    page.write(mnist_test, "4", 150, 100, 80)
    page.write(mnist_test, "7", 230, 88, 80)
    (_, (bx, by, bw, bh)) = page.truths[0]
    cv2.rectangle(page.img, (bx - 60, by - 30), (bx + 180, by + bh - 4), INK, 3)
    # When read, Then both digits come out, the 4 freed from the box
    assert [d.digit for d in recognizer.recognize(page.img)] == [4, 7]


@pytest.mark.parametrize("degrees, k", [(0.0, 3), (0.0, 9), (-2.5, 6)])
def test_numbers_standing_on_a_forms_underlines_are_read(recognizer, mnist_test, degrees, k):
    # Given a form's three underlines, level or a little askew, and on each a number written
    # standing on it: each digit's foot crosses the line, and its top is the top of the line's
    # mark (a 1 there was erased as a line: the eraser took the edge of the line's tight box
    # for ink running on)
    page = Page(480, 640)
    slope = np.tan(np.radians(degrees))
    for n, text in enumerate(("40817", "3", "1527")):
        y0 = 130 + 140 * n

        def line_y(x, y0=y0):
            return y0 + slope * (x - 60)

        cv2.line(page.img, (60, round(line_y(60))), (600, round(line_y(600))), INK, 3, cv2.LINE_AA)
        x = 110
        for j, ch in enumerate(text):
            x = page.write(mnist_test, ch, x, round(line_y(x + 20)) - 44, 50, k=k + j)
    # When read, Then every number comes out whole
    assert [n.text for n in recognizer.read(page.img).numbers] == ["40817", "3", "1527"]


def test_sticky_note_on_a_desk_is_read(recognizer, mnist_test):
    note = Page(120, 120, value=200)  # a yellow note is darker than white paper in gray
    note.write(mnist_test, "42", 20, 35, 45)
    frame, truths = place(note, desk(70, grain=True), 300, 200)
    s = score(recognizer, frame, truths)
    assert s.found == 2 and s.right == 2 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize("ruling", [200, 150, INK], ids=["light-ruling", "mid-ruling", "ruling-as-dark-as-ink"])
def test_rulings_through_digits_leave_the_digits(recognizer, mnist_test, ruling):
    page = Page(480, 640)
    for y in range(40, 480, 45):
        cv2.line(page.img, (0, y), (639, y), ruling, 2)
    # digits sit on the rulings (their feet cross the line at y=175 and y=310)
    page.write(mnist_test, "8603", 60, 135, 44)
    page.write(mnist_test, "1975", 300, 270, 44, k=4)
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found >= 7 and s.right >= 7 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize("value", [70, 100], ids=["dark-grain", "mid-grain"])
def test_dark_marks_on_a_grainy_desk_beside_the_sheet_are_not_taken_for_ink_in_a_shadow(recognizer, value):
    # Given a blank sheet on a grainy desk, and beside it on the desk dark marks shaped like a 1
    # and a 0 (scratches, knots), far darker than the desk: off the page, as ink in a shadow is
    frame = desk(value, grain=True)
    frame[60:400, 40:400] = PAPER
    for x, y in [(460, 100), (520, 200), (470, 300), (560, 380), (600, 120)]:
        cv2.line(frame, (x, y), (x + 6, y + 40), 30, 5)
        cv2.ellipse(frame, (x + 30, y + 20), (8, 14), 0, 0, 360, 30, 3)
    # When read, Then none is a digit: the grain round them is no plain paper
    assert recognizer.recognize(cv2.GaussianBlur(frame, (3, 3), 0)) == []


@pytest.mark.parametrize("shade", [0.4, 0.3], ids=["shadow", "deep-shadow"])
def test_digits_in_a_shadow_across_part_of_the_page_are_read(recognizer, mnist_test, shade):
    # Given a sheet on a grainy desk, three rows of two numbers 44 px tall, and the soft-edged
    # shadow of a hand or phone over its right part (the paper there 30-40% as bright as in the
    # light, under the page's half-as-bright bar), its edge running through the second numbers
    page = Page(360, 560)
    for row in range(3):
        x = page.write(mnist_test, f"{row * 4321 + 5678:04d}", 30, 40 + 110 * row, 44, k=6 * row)
        page.write(mnist_test, f"{row * 97 + 31:02d}", x + 60, 40 + 110 * row, 44, k=6 * row + 4)
    frame, truths = place(page, desk(90, grain=True), 40, 60)
    light = np.ones(frame.shape, np.float32)
    light[:, 330:] = shade
    light = cv2.GaussianBlur(light, (0, 0), 12)
    frame = cv2.GaussianBlur((frame * light).astype(np.uint8), (3, 3), 0)
    # When read, Then the digits in the shadow are read as those in the light are (they failed
    # the page's brightness or edge check and were dropped: 14 of 21 read), but for at most two
    # on the shadow's soft edge itself, and the desk gives none
    s = score(recognizer, frame, truths)
    assert s.right >= 19 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize(
    "value, grain",
    [(40, True), (110, True), (110, False), (130, False)],
    ids=["dark", "mid", "mid-plain", "light-plain"],
)
def test_desk_edges_and_a_hand_at_the_frame_edge_give_no_digits(recognizer, value, grain):
    # a blank sheet, part in view, a desk, and a hand-like blob coming in from the edge (on a
    # plain desk the sheet's edge against it is a dark mark off the page with plain surroundings:
    # only its contrast with the desk, the dimmest surface under it, tells it from ink in a shadow)
    frame = desk(value, grain=grain)
    frame[60:400, 150:560] = PAPER
    cv2.ellipse(frame, (620, 300), (80, 40), 10, 0, 360, 120, -1)
    assert recognizer.recognize(cv2.GaussianBlur(frame, (3, 3), 0)) == []


def test_example_clip_with_the_whole_sheet_in_view_loses_no_page(recognizer):
    # Given the bundled clip of a sheet wholly in view on a dark desk (pulled back, shaken, a pen
    # passing) and its ground truth
    import json
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    truths = [json.loads(line) for line in (examples / "sheet.truth.jsonl").read_text().splitlines()]
    capture = cv2.VideoCapture(str(examples / "sheet.mp4"))
    total = Score()
    try:
        for index, truth in enumerate(truths):
            ok, frame = capture.read()
            assert ok, f"frame {index} did not decode"
            if index % 10:
                continue
            # When every tenth frame is read
            page = Score().add(
                [Truth(d["digit"], tuple(d["box"])) for d in truth["digits"]], recognizer.recognize(frame)
            )
            total.truths += page.truths
            total.found += page.found
            total.right += page.right
            # Then no frame with three or more digits has fewer than half of them read right
            assert page.truths < 3 or page.right >= page.truths / 2, (index, page.as_dict())
    finally:
        capture.release()
    assert total.truths > 200 and total.right >= 0.85 * total.truths, total.as_dict()


def test_a_large_one_written_with_a_thin_pen_is_read(recognizer):
    # Given a phone-photo-sized page with "71" written 150 px tall with a 4 px pen
    page = np.full((900, 1200), PAPER, np.uint8)
    cv2.polylines(page, [np.array([[500, 380], [590, 380], [540, 530]])], False, INK, 4, cv2.LINE_AA)  # 7
    cv2.polylines(page, [np.array([[640, 400], [665, 380], [665, 530]])], False, INK, 4, cv2.LINE_AA)  # 1
    # When read, Then both digits are found: the 1's mean stroke (4 px) is a pen's, not a hairline's
    assert [d.digit for d in recognizer.recognize(page)] == [7, 1]


def test_rulings_through_digits_on_a_phone_sized_photo(recognizer, mnist_test):
    # Given the ruled page of the test above, photographed at four times the size (2560x1920)
    page = Page(480, 640)
    for y in range(40, 480, 45):
        cv2.line(page.img, (0, y), (639, y), INK, 2)
    page.write(mnist_test, "8603", 60, 135, 44)
    page.write(mnist_test, "1975", 300, 270, 44, k=4)
    big = cv2.resize(page.img, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    truths = [Truth(d, tuple(4 * v for v in b)) for d, b in page.truths]
    # When read, Then the rulings erased at that size leave the digits whole
    s = score(recognizer, big, truths)
    assert s.found >= 7 and s.right >= 7 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize("turn", [3, 7, -7], ids=["3-degrees", "7-degrees", "minus-7-degrees"])
def test_squared_paper_askew_with_lines_near_the_ink_threshold_gives_its_digits_and_no_squares(
    recognizer, mnist_test, turn
):
    # Given squared paper filling a 1280x720 frame, its one-pixel lines about as dark as the ink
    # threshold (they break into dashes there), turned a few degrees, in perspective, a little soft
    page = Page(720, 1280)
    for x in range(0, 1280, 30):
        cv2.line(page.img, (x, 0), (x, 719), 120, 1)
    for y in range(0, 720, 30):
        cv2.line(page.img, (0, y), (1279, y), 120, 1)
    page.write(mnist_test, "8603", 200, 250, 48)
    page.write(mnist_test, "1975", 640, 420, 48, k=4)
    corners = np.float32([[0, 0], [1279, 0], [1279, 719], [0, 719]])
    seen = np.float32([[0, 30], [1279, 0], [1279, 719], [0, 689]])  # the left side 60 px shorter
    matrix = np.vstack([cv2.getRotationMatrix2D((640, 360), turn, 1.0), [0, 0, 1]]) @ cv2.getPerspectiveTransform(
        corners, seen
    )
    frame = cv2.GaussianBlur(cv2.warpPerspective(page.img, matrix, (1280, 720), borderValue=PAPER), (0, 0), 0.8)
    # When read, Then the digits are read and the squares of the grid are not taken for 0s
    s = score(recognizer, frame, seen_truths(page, matrix))
    assert s.found >= 7 and s.right >= 7 and s.false_detections <= 1, s.as_dict()


@pytest.mark.parametrize(
    "lean, paper, line, turn",
    [(0.1, 110, 60, 0.0), (0.1, 110, 60, -1.5), (-0.1, 120, 70, 1.0)],
    ids=["columns-lean", "and-rows-turn", "columns-lean-the-other-way"],
)
def test_squared_paper_whose_columns_lean_more_than_its_rows_keeps_its_digits(
    recognizer, mnist_test, lean, paper, line, turn
):
    # Given a dim squared page (paper 110, its 2 px lines half as bright, liftable) seen so that
    # its columns lean ~6 degrees while its rows are level or nearly (a sheet sheared in view),
    # with four rows of six digits 48 px tall written across the grid
    page = Page(720, 1280, paper)
    for x in range(-200, 1480, 32):
        cv2.line(page.img, (x, 0), (x, 719), line, 2)
    for y in range(0, 720, 32):
        cv2.line(page.img, (0, y), (1279, y), line, 2)
    for row in range(4):
        page.write(mnist_test, f"{row * 97531 + 2468:06d}", 260, 120 + 140 * row, 48, k=6 * row)
    shear = np.float64([[1, lean, -lean * 360], [0, 1, 0], [0, 0, 1]])
    matrix = np.vstack([cv2.getRotationMatrix2D((640, 360), turn, 1.0), [0, 0, 1]]) @ shear
    frame = cv2.GaussianBlur(cv2.warpPerspective(page.img, matrix, (1280, 720), borderValue=paper), (0, 0), 0.8)
    # When read, Then nearly every digit is read: each family of lines is lifted along its own
    # tilt (turned by one angle for both, the columns stayed, broken where the rows were lifted,
    # and took 3-9 of the 24 digits with them)
    s = score(recognizer, frame, seen_truths(page, matrix))
    assert s.right >= 22 and s.false_detections <= 1, s.as_dict()


def test_digits_of_the_pages_size_written_with_a_lighter_hand_are_read(recognizer, mnist_test):
    # Given a page of 30 digits 24 px tall (over three times the smallest digit at 480 px): two
    # rows in dark ink and a row whose pen barely reached the ink threshold (at most 25% under
    # the paper, which is 20%: only the cores of its strokes reach it, in pieces)
    page = Page(480, 640)
    page.write(mnist_test, "3141592653", 60, 100, 24)
    page.write(mnist_test, "2718281828", 60, 300, 24, k=10)
    light = Page(480, 640)
    light.write(mnist_test, "5772156649", 60, 200, 24, k=20)
    darkness = (PAPER - light.img.astype(np.float32)) / (PAPER - INK)  # 0..1, the pen's alpha
    page.img[180:240] = (PAPER * (1 - 0.25 * darkness[180:240])).astype(np.uint8)
    frame = cv2.GaussianBlur(page.img, (3, 3), 0)
    truths = [Truth(d, box) for d, box in page.truths + light.truths]
    # When read, Then the light row's digits whose strokes reach the threshold somewhere are read
    # too: their faint pieces grow into digits as tall as the page's others (they grew only to
    # twice the smallest digit, 14 px, and none of the light row was read)
    s = score(recognizer, frame, truths)
    assert s.right >= 24 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize("height", [40, 60], ids=["40px", "60px"])
def test_light_ink_digits_with_long_straight_strokes_are_not_taken_for_rulings(recognizer, mnist_test, height):
    # Given a row of MNIST digits (7 2 1 0 4 1 4 9: long straight stems and bars) in a light gray
    # ink, 40% darker than the paper, on plain paper
    images, labels = mnist_test
    page = np.full((480, 640), PAPER, np.float32)
    x, truths = 20, []
    for k in range(8):
        glyph = digit_glyph(mnist_test, int(labels[k]), list(labels[:k]).count(labels[k]))
        w = max(2, round(glyph.shape[1] * height / glyph.shape[0]))
        alpha = cv2.resize(glyph, (w, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        region = page[160 : 160 + height, x : x + w]
        page[160 : 160 + height, x : x + w] = region * (1 - alpha) + 140 * alpha
        truths.append(int(labels[k]))
        x += w + height // 3
    # When read, Then every digit is read, none of its strokes lifted away as a ruling
    assert [d.digit for d in recognizer.recognize(page.astype(np.uint8))] == truths


@pytest.mark.parametrize("turn", [2, 4, -3, -5], ids=["2-degrees", "4-degrees", "minus-3-degrees", "minus-5-degrees"])
def test_an_ink_dark_grid_askew_with_digits_in_its_cells_is_erased(recognizer, mnist_test, turn):
    # Given squared paper whose 2 px lines are as dark as the ink, turned a few degrees, with a
    # digit in each of a row of cells: a container whose lines must be found along their own tilt
    # (the direction of their edges says level: a thin line askew is a staircase of level steps)
    page = Page(480, 640)
    pitch = 64
    for x in range(0, 640, pitch):
        cv2.line(page.img, (x, 0), (x, 479), INK + 20, 2)
    for y in range(0, 480, pitch):
        cv2.line(page.img, (0, y), (639, y), INK + 20, 2)
    for n, ch in enumerate("3719"):
        page.write(mnist_test, ch, 2 * pitch + n * pitch + 18, 3 * pitch + 12, 40, k=n)
    for n, ch in enumerate("2580"):
        page.write(mnist_test, ch, 3 * pitch + n * pitch + 18, 5 * pitch + 12, 40, k=n + 4)
    matrix = cv2.getRotationMatrix2D((320, 240), turn, 1.0)
    frame = cv2.GaussianBlur(cv2.warpAffine(page.img, matrix, (640, 480), borderValue=PAPER), (0, 0), 0.7)
    # When read, Then the digits are read and no crossing or piece of the grid is
    s = score(recognizer, frame, seen_truths(page, np.vstack([matrix, [0, 0, 1]])))
    assert s.found >= 7 and s.right >= 7 and s.false_detections <= 1, s.as_dict()


def comb_field(mnist_test, line: int) -> Page:
    """A form's comb field: a box of 8 cells 56 px apart and 50 px tall, drawn in ``line``'s gray,
    "40672" written one digit a cell (42 px tall) in the first five."""
    page = Page(300, 640)
    x0, y0, cell, tall = 60, 100, 56, 50
    cv2.rectangle(page.img, (x0, y0), (x0 + 8 * cell, y0 + tall), line, 2)
    for k in range(1, 8):
        cv2.line(page.img, (x0 + k * cell, y0), (x0 + k * cell, y0 + tall), line, 2)
    for k, ch in enumerate("40672"):
        page.write(mnist_test, ch, x0 + k * cell + 14, y0 + 4, 42, k=k)
    return page


@pytest.mark.parametrize("line", [INK, 160], ids=["ink-dark", "printed-light"])
def test_the_walls_of_a_comb_field_are_not_read_as_ones(recognizer, mnist_test, line):
    # Given a form's comb field (a box of 8 cells, one digit each, 5 filled in), drawn in ink or
    # printed lighter (its long sides are then lifted as rulings and its walls stand alone),
    # its cells hardly taller than the digits in them (the walls are no longer than a digit)
    page = comb_field(mnist_test, line)
    # When read, Then its five digits are read and none of its walls is a 1
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found == 5 and s.right == 5 and s.false_detections == 0, s.as_dict()


@pytest.mark.parametrize("line", [INK, 160], ids=["ink-dark", "printed-light"])
def test_a_comb_fields_digits_are_read_as_one_number(recognizer, mnist_test, line):
    # Given a comb field of 8 boxes 56 px apart, digits 42 px tall written in five of them: each
    # box's walls stand between its digit and the next, wider apart than digits of one number
    # (printed lighter than the ink, its long lines are lifted before the threshold and its walls
    # stay in the ink, standing from one lifted line to the other)
    page = comb_field(mnist_test, line)
    # When read, Then the field is one number (it read 4, 0, 6, 7, 2 as five)
    assert [n.text for n in recognizer.read(page.img).numbers] == ["40672"]


def test_numbers_in_neighbouring_table_cells_are_two_numbers(recognizer, mnist_test):
    # Given a table row of two cells, "906" written up to the wall and "77" just after it: the
    # gap across the wall hardly wider than the digits' own gaps (11 px)
    page = Page(300, 640)
    cv2.rectangle(page.img, (40, 80), (560, 160), INK, 2)
    cv2.line(page.img, (300, 80), (300, 160), INK, 2)
    page.write(mnist_test, "906", 170, 98, 44, k=20)
    page.write(mnist_test, "77", 306, 98, 44, k=30)
    # When read, Then the wall parts them (they read "90677")
    assert [n.text for n in recognizer.read(page.img).numbers] == ["906", "77"]


def test_tiny_blurred_digits_are_read_from_their_gray_not_a_few_blocks(recognizer, mnist_test):
    # Given a page of tiny digits (9 px tall at 640x480, under 2% of the frame), a little soft
    page = rows_of_digits(mnist_test, 9, lambda row: f"{row * 1234567 + 89:08d}")
    frame = cv2.GaussianBlur(page.img, (0, 0), 0.7)
    # When read, Then nearly all of them are read right (a 9 px mask upscaled is a few blocks;
    # the gray crop enlarged keeps the strokes' shape)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 0.75 * len(page.truths) and s.false_detections <= 1, s.as_dict()


def test_digits_7_px_tall_in_a_clean_frame_are_read(recognizer, mnist_test):
    # Given a clean page of digits written 7 px tall at 640x480 (under 1.5% of the frame)
    page = rows_of_digits(mnist_test, 7, lambda row: f"{row * 7654321 + 12:08d}", k=100)
    frame = cv2.GaussianBlur(page.img, (0, 0), 0.5)
    # When read, Then most of them are (a noisy frame would need 8 px: specks of noise that small
    # are common there)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 0.6 * len(page.truths) and s.false_detections <= 1, s.as_dict()


def test_faint_tiny_digits_broken_into_specks_are_read(recognizer, mnist_test):
    # Given a page of tiny digits (10 px tall at 640x480) written in a faint pencil (at most 40% as
    # dark as ink) and a little soft: at the ink threshold each breaks into specks below the
    # smallest digit's height
    page = rows_of_digits(mnist_test, 10, lambda row: f"{row * 1234567 + 89:08d}", k=300)
    faint = (PAPER - (PAPER - page.img.astype(np.float32)) * 0.4).astype(np.uint8)
    frame = cv2.GaussianBlur(faint, (0, 0), 0.8)
    # When read, Then most are read (grown from their specks through fainter pixels; 2 of 48 without)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 0.5 * len(page.truths) and s.false_detections <= 1, s.as_dict()


def test_light_pencil_digits_across_a_mid_dark_grid_keep_their_strokes(recognizer, mnist_test):
    # Given digits 40 px tall in a light pencil (it passes 45% of the ink's darkness) on squared
    # paper printed mid-dark (a line passes 73% of the light), both dimming the light that crosses
    # them (a stroke over a line is darker than either)
    page = Page(480, 640)
    for row in range(5):
        page.write(mnist_test, f"{row * 1234567 + 89:07d}", 40, 50 + 85 * row, 40, k=7 * row + 500)
    pencil = 1 - (1 - page.img.astype(np.float32) / PAPER) * 0.45
    grid = np.ones_like(pencil)
    for v in range(10, 480, 20):
        grid[v : v + 2, :] = 170 / PAPER
    for u in range(10, 640, 20):
        grid[:, u : u + 2] = 170 / PAPER
    frame = cv2.GaussianBlur((PAPER * pencil * grid).astype(np.uint8), (0, 0), 0.7)
    # When read, Then most are read: the lines are lifted as filters in the light's path, so a
    # stroke crossing one keeps its darkness there (lifting by the line's darkness cut each digit
    # into its cells: 14 of 35 read)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 0.75 * len(page.truths) and s.false_detections <= 1, s.as_dict()


@pytest.mark.parametrize(
    "turn, in_cells", [(0, False), (3, False), (0, True)], ids=["level", "3-degrees", "a-few-digits-in-cells"]
)
def test_digits_written_across_a_close_grid_as_dark_as_the_ink_are_read(recognizer, mnist_test, turn, in_cells):
    # Given squared paper whose 2 px lines are as dark as the ink, 24 px apart, and five rows of
    # digits 40 px tall written across them (every digit crosses two or three lines each way),
    # and maybe four small digits each written inside a cell (the grid then holds ink in its holes)
    page = Page(480, 640)
    for row in range(5):
        page.write(mnist_test, f"{row * 1234567 + 89:07d}", 40, 50 + 85 * row, 40, k=7 * row + 600)
    if in_cells:
        for n, ch in enumerate("2718"):
            page.write(mnist_test, ch, 11 + 24 * (2 + 2 * n) + 7, 7 + 24 * 18 + 4, 15, k=640 + n)
    for v in range(7, 480, 24):
        cv2.line(page.img, (0, v), (639, v), INK + 10, 2)
    for u in range(11, 640, 24):
        cv2.line(page.img, (u, 0), (u, 479), INK + 10, 2)
    matrix = cv2.getRotationMatrix2D((320, 240), turn, 1.0)
    frame = cv2.GaussianBlur(cv2.warpAffine(page.img, matrix, (640, 480), borderValue=PAPER), (0, 0), 0.7)
    # When read, Then most are read and no piece of the grid is: its lines are erased to their own
    # width, so the strokes crossing them stay (erased with the bands around them, half of each
    # digit went: 0-2 of 35 read); with ink in its cells the grid is a container, still cleaned so
    # (as a table's boxes, at half size: 6 of 39)
    s = score(recognizer, frame, seen_truths(page, np.vstack([matrix, [0, 0, 1]])))
    assert s.right >= 0.6 * len(page.truths) and s.false_detections <= 1, s.as_dict()


def test_a_sudoku_grid_with_a_digit_in_every_other_cell_is_cleaned_as_a_table(recognizer, mnist_test):
    # Given a 9x9 grid of 50 px cells drawn as dark as the ink, a digit 30 px tall inside about
    # half of its cells: as many cells of one size as squared paper, but its digits sit in them
    rng = np.random.default_rng(3)
    page, x0, y0, cell, k = Page(480, 640), 80, 15, 50, 300
    for r in range(9):
        for c in range(9):
            if rng.random() < 0.5:
                page.write(mnist_test, str(int(rng.integers(10))), x0 + c * cell + 16, y0 + r * cell + 10, 30, k=k)
                k += 1
    for i in range(10):
        cv2.line(page.img, (x0, y0 + i * cell), (x0 + 9 * cell, y0 + i * cell), INK, 2)
        cv2.line(page.img, (x0 + i * cell, y0), (x0 + i * cell, y0 + 9 * cell), INK, 2)
    frame = cv2.GaussianBlur(page.img, (0, 0), 0.7)
    # When read, Then nearly all its digits are read (taken for squared paper and cleaned along
    # one tilt at full size, 83% were found)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.found >= 0.95 * len(page.truths) and s.right >= 0.93 * len(page.truths), s.as_dict()
    assert s.false_detections <= 1, s.as_dict()


def test_tiny_8s_and_0s_blurred_shut_are_read_and_dots_are_not(recognizer, mnist_test):
    # Given a page of 8s and 0s 12 px tall, soft enough that many of their hollows close in the
    # ink mask (solid blobs there, like the dots of a tablecloth)
    page = rows_of_digits(mnist_test, 12, lambda row: "80808080", k=700)
    frame = cv2.GaussianBlur(page.img, (0, 0), 1.2)
    # When read, Then most are read: a small blob is looked at again in its gray at half its
    # darkness, where the hollows open (29 of 48 before)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 34 and s.false_detections == 0, s.as_dict()
    # and a field of filled dots as small stays no digits (a dot is a blob in its gray too)
    dots = np.full((480, 640), PAPER, np.uint8)
    for y in range(30, 460, 25):
        for x in range(30, 620, 25):
            cv2.circle(dots, (x, y), 5, INK, -1)
    assert recognizer.recognize(cv2.GaussianBlur(dots, (0, 0), 0.8)) == []


@pytest.mark.parametrize("fill", [0.85, 0.95], ids=["85%-of-the-spacing", "95%-of-the-spacing"])
def test_ones_as_tall_as_the_space_between_light_rulings_are_read(recognizer, mnist_test, fill):
    # Given a page ruled every 40 px in a light print, each line holding 1s written nearly from
    # ruling to ruling (the walls between a table's cells look like that, but printed as light)
    page = Page(480, 640)
    for y in range(20, 480, 40):
        cv2.line(page.img, (0, y), (639, y), 180, 1)
    tall = round(fill * 40)
    k = 0
    for y in range(20, 420, 40):
        x = 30
        for _ in range(10):
            x = page.write(mnist_test, "1", x, y + (40 - tall + 1) // 2, tall, k=k) + 14
            k += 1
    frame = cv2.GaussianBlur(page.img, (0, 0), 0.6)
    # When read, Then (nearly) every 1 is read
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right >= 0.95 * len(page.truths), s.as_dict()
