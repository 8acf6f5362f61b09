"""Decimal points and commas between digits: found at the foot of a line's gap, written into the numbers."""

import cv2
import numpy as np
import pytest

from livedigits.layout import arrange
from livedigits.points import find_points, points_after
from livedigits.records import Digit, Point, Reading
from livedigits.track import Tracker
from tests.test_pages import Page


def _digit_boxes(xs, y=100, w=24, h=40):
    return [(x, y, w, h) for x in xs]


def _mask_with(boxes, marks):
    """A mask holding a bar in each digit box and the given extra marks (x, y, w, h)."""
    mask = np.zeros((300, 400), np.uint8)
    for x, y, w, h in boxes:
        mask[y : y + h, x + w // 2 - 2 : x + w // 2 + 2] = 255
    for x, y, w, h in marks:
        cv2.ellipse(mask, (x + w // 2, y + h // 2), (w // 2, h // 2), 0, 0, 360, 255, -1)
    return mask


def test_a_dot_at_the_foot_between_two_digits_is_a_point():
    boxes = _digit_boxes([40, 80])  # a gap of 16 px (0.4 heights)
    mask = _mask_with(boxes, [(66, 132, 6, 6)])
    [point] = find_points(mask, boxes, [[0, 1]])
    assert point.mark == "." and 64 <= point.box[0] <= 67 and 130 <= point.box[1] <= 133
    assert points_after(boxes, [[0, 1]], [point]) == {0: "."}


@pytest.mark.parametrize("noisy", [False, True], ids=["clean frame", "noisy frame"])
def test_a_digits_ink_past_its_box_does_not_hide_the_point_in_the_gap(noisy):
    # given a dot at the foot of a gap whose left digit's ink runs two pixels past its box at
    # mid-height (the box found at a coarser scale than the mask), and the same line in a frame
    # smoothed for its noise, where such a second mark may be a speck beside a speck
    boxes = _digit_boxes([40, 80])
    mask = _mask_with(boxes, [(66, 132, 6, 6)])
    mask[112:120, 52:66] = 255  # a stroke from the digit's middle to two pixels past its box
    # when points are looked for, then the dot is one in the clean frame (two marks in the gap
    # had read as no point), and the noisy frame keeps the old caution
    points = find_points(mask, boxes, [[0, 1]], noisy=noisy)
    assert [p.mark for p in points] == ([] if noisy else ["."])


def test_a_bold_printed_comma_is_a_comma():
    # given digits 40 px tall and, at their foot, a bold comma: a round head 11 px across (0.27 of
    # their height) with a short tail dipping 6 px under the foot
    boxes = _digit_boxes([40, 84])
    mask = _mask_with(boxes, [])
    cv2.circle(mask, (74, 137), 5, 255, -1)
    cv2.line(mask, (77, 138), (72, 146), 255, 3)
    # when points are looked for, then it is read as a comma
    assert [p.mark for p in find_points(mask, boxes, [[0, 1]])] == [","]


def _comma(mask, x, y, length):
    """A comma: a short stroke from (x, y) down and a little to the left, a blob at its top."""
    cv2.line(mask, (x, y), (x - length // 3, y + length), 255, 3)
    cv2.circle(mask, (x, y + 1), 2, 255, -1)


def test_a_comma_written_long_is_a_comma():
    # a head 0.1 of the digits' height above their foot and a tail 0.3 under it: 0.53 of their
    # height in all (a new user's price lists; commas were read to 0.5 only: "30,31" read 3031)
    boxes = _digit_boxes([40, 84])  # digits 40 px tall, their foot at y=140
    mask = _mask_with(boxes, [])
    cv2.circle(mask, (75, 137), 3, 255, -1)
    cv2.line(mask, (75, 137), (71, 152), 255, 3)
    assert [p.mark for p in find_points(mask, boxes, [[0, 1]])] == [","]


def test_a_comma_read_as_a_small_low_one_between_two_digits_is_a_comma(recognizer):
    # given "30,31" in a script hand, its comma a head and a tail 0.6 of the digits' height (read
    # as a 1 of its own: "30", "31" and "1")
    img = np.full((200, 420), 235, np.uint8)
    font, y = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 120
    cv2.putText(img, "30", (20, y), font, 2.2, 30, 6, cv2.LINE_AA)
    x = 20 + cv2.getTextSize("30", font, 2.2, 6)[0][0] + 12
    cv2.circle(img, (x, y - 6), 4, 30, -1, cv2.LINE_AA)
    cv2.line(img, (x, y - 6), (x - 6, y + 13), 30, 5, cv2.LINE_AA)
    cv2.putText(img, "31", (x + 16, y), font, 2.2, 30, 6, cv2.LINE_AA)
    # when read, then it is one number with its comma, and no 1 is read
    reading = recognizer.read(img)
    assert [n.text for n in reading.numbers] == ["30,31"]
    assert [d.digit for d in reading.digits] == [3, 0, 3, 1]


def test_only_a_small_mark_dipping_under_the_foot_between_two_digits_is_a_comma_read_as_a_digit():
    from livedigits.points import commas_read_as_digits

    digits = [(40, 100, 24, 40), (90, 100, 24, 40)]  # 40 px tall, their foot at y=140
    assert commas_read_as_digits([*digits, (70, 122, 10, 26)]) == [2]  # from under the middle, 8 px under the foot
    assert commas_read_as_digits([*digits, (70, 110, 10, 26)]) == []  # a small digit on the line
    assert commas_read_as_digits([*digits, (70, 104, 10, 36)]) == []  # as tall as a digit: a 1
    assert commas_read_as_digits([(40, 100, 24, 40), (70, 122, 10, 26)]) == []  # no digit after it


def test_a_short_stroke_dipping_under_the_foot_between_two_digits_is_a_comma():
    boxes = _digit_boxes([40, 80])  # digits 40 px tall, their foot at y=140
    mask = _mask_with(boxes, [])
    _comma(mask, 74, 134, 12)  # from just above the foot to 8 px under it
    [point] = find_points(mask, boxes, [[0, 1]])
    assert point.mark == ","
    assert points_after(boxes, [[0, 1]], [point]) == {0: ","}


@pytest.mark.parametrize(
    "marks",
    [
        [],  # nothing between them
        [(66, 116, 6, 6)],  # a dot at mid-height: a dash's or a colon's, not a point
        [(66, 108, 6, 6), (66, 126, 6, 6)],  # a colon
        [(65, 130, 10, 3)],  # a dash low down: too long for a point
        [(68, 134, 2, 2)],  # a speck of noise
        [(60, 112, 16, 16)],  # a blob as large as half a digit
        [(67, 100, 3, 34)],  # a stroke as tall as the digits (a 1, a slash)
    ],
    ids=["nothing", "mid-height", "colon", "low-dash", "speck", "blob", "tall-stroke"],
)
def test_other_marks_between_digits_are_not_points(marks):
    boxes = _digit_boxes([40, 80])
    assert find_points(_mask_with(boxes, marks), boxes, [[0, 1]]) == []


def test_a_mark_in_the_space_between_two_numbers_is_not_a_point():
    boxes = _digit_boxes([40, 120])  # 56 px apart: 1.4 heights, two numbers
    assert find_points(_mask_with(boxes, [(90, 132, 6, 6)]), boxes, [[0, 1]]) == []


def test_a_point_joins_its_digits_into_one_number_with_the_point_in_its_text():
    # "12.50": the gap at the point (0.7 heights) is the widest, and alone it would part them
    xs = [40, 70, 128, 158]
    digits = [Digit(box, d, 0.99) for box, d in zip(_digit_boxes(xs, w=24), [1, 2, 5, 0])]
    assert [n.text for n in arrange(digits).numbers] == ["12", "50"]
    reading = arrange(digits, [Point((104, 132, 6, 6))])
    assert [n.text for n in reading.numbers] == ["12.50"]
    assert reading.numbers[0].to_dict()["text"] == "12.50"
    # and a dot after the last digit is no decimal point
    assert [n.text for n in arrange(digits, [Point((190, 132, 6, 6))]).numbers] == ["12", "50"]
    # and a comma is written as one
    assert [n.text for n in arrange(digits, [Point((104, 134, 4, 12), ",")]).numbers] == ["12,50"]


def test_a_written_price_with_a_decimal_comma_is_read_with_it(recognizer, mnist_test):
    # Given "3,50" and "12,75" written 50 px tall, a comma dipping under their foot
    page = Page(300, 640)
    for row, (whole, part) in enumerate([("3", "50"), ("12", "75")]):
        y = 60 + 120 * row
        x = page.write(mnist_test, whole, 60, y, 50, k=4 * row)
        cv2.line(page.img, (x + 3, y + 44), (x - 1, y + 58), 40, 3)
        page.write(mnist_test, part, x + 14, y, 50, k=4 * row + 2)
    # When read, Then the numbers carry their commas (they read 350 and 1275 before)
    reading = recognizer.read(cv2.GaussianBlur(page.img, (3, 3), 0))
    assert [n.text for n in reading.numbers] == ["3,50", "12,75"]


def test_a_written_price_is_read_with_its_point(recognizer, mnist_test):
    # Given "12.50" and "3.99" written 50 px tall with a pen's dot at their foot
    page = Page(300, 640)
    x = page.write(mnist_test, "12", 60, 60, 50)
    cv2.circle(page.img, (x + 2, 106), 4, 40, -1)
    page.write(mnist_test, "50", x + 14, 60, 50, k=2)
    x = page.write(mnist_test, "3", 60, 180, 50, k=4)
    cv2.circle(page.img, (x + 2, 226), 4, 40, -1)
    page.write(mnist_test, "99", x + 14, 180, 50, k=5)
    # When read, Then the numbers carry their points (they read 1250 and 399 before)
    reading = recognizer.read(cv2.GaussianBlur(page.img, (3, 3), 0))
    assert [n.text for n in reading.numbers] == ["12.50", "3.99"]


def test_a_price_standing_on_an_underline_is_read_with_its_point(recognizer, mnist_test):
    # Given "15.27" written on a form's underline, its point sitting on the line
    page = Page(300, 640)
    cv2.line(page.img, (40, 110), (600, 110), 40, 3, cv2.LINE_AA)
    x = page.write(mnist_test, "15", 60, 64, 50, k=3)
    cv2.circle(page.img, (x + 2, 104), 5, 40, -1)
    page.write(mnist_test, "27", x + 14, 64, 50, k=7)
    # When read, Then the number carries its point (it read 1527: the dot was one mark with the line)
    reading = recognizer.read(cv2.GaussianBlur(page.img, (3, 3), 0))
    assert [n.text for n in reading.numbers] == ["15.27"]


def test_on_a_line_only_a_round_dot_sitting_on_it_is_a_point():
    # Given two digits standing on a line through their gap, and the mask with the line erased
    boxes = _digit_boxes([40, 80])
    mask = _mask_with(boxes, [])
    mask[138:141, 20:140] = 255
    clean = mask.copy()
    clean[137:142, :] = 0
    # When a round dot sits on the line, Then it is a point
    with_dot, clean_dot = mask.copy(), clean.copy()
    for m in (with_dot, clean_dot):
        cv2.circle(m, (69, 134), 3, 255, -1)
    [point] = find_points(with_dot, boxes, [[0, 1]], clean_dot)
    assert point.mark == "." and 65 <= point.box[0] <= 67
    # But not without the erased mask, nor a stroke lying along the line (a 5's tail cut off by
    # it), nor a dot floating above the line
    assert find_points(with_dot, boxes, [[0, 1]]) == []
    stroke, clean_stroke = mask.copy(), clean.copy()
    for m in (stroke, clean_stroke):
        m[133:138, 67:75] = 255
    assert find_points(stroke, boxes, [[0, 1]], clean_stroke) == []
    floating, clean_floating = mask.copy(), clean.copy()
    for m in (floating, clean_floating):
        cv2.circle(m, (69, 126), 3, 255, -1)
    assert find_points(floating, boxes, [[0, 1]], clean_floating) == []


def test_the_detector_gives_the_mask_with_the_lines_erased():
    from livedigits.detect import Detector

    # Given an underline with a dot sitting on it
    gray = np.full((200, 400), 225, np.uint8)
    cv2.line(gray, (20, 120), (380, 120), 40, 3)
    cv2.circle(gray, (200, 114), 5, 40, -1)
    detection = Detector().detect(gray)
    # Then the mask holds both as one mark, the clean mask the dot without the line
    assert detection.mask[120, 30:370].all() and cv2.connectedComponents(detection.mask)[0] == 2
    assert not detection.clean[119:122, 30:370].any() and detection.clean[110:116, 197:203].any()


def _tracked_texts(seen: list[bool]) -> list[list[str]]:
    """The tracked numbers of "12.50" over frames, its point seen in the frames marked True."""
    boxes = _digit_boxes([40, 70, 128, 158])
    digits = [Digit(box, d, 0.99, probs=np.eye(10, dtype=np.float32)[d]) for box, d in zip(boxes, [1, 2, 5, 0])]
    tracker = Tracker()
    texts = []
    for point in seen:
        reading = Reading(digits, points=[Point((104, 132, 6, 6))] if point else [])
        texts.append([n.text for n in tracker.update(reading, frame_size=(400, 300)).numbers])
    return texts


def test_the_tracker_believes_a_point_seen_twice_and_keeps_it_through_a_missed_frame():
    # Given a price whose point is seen from the second frame on, missed in the fifth
    texts = _tracked_texts([False, True, True, True, False, True])
    # Then it shows from its second sighting, and stays through the missed frame
    assert texts == [["12", "50"], ["12", "50"], ["12.50"], ["12.50"], ["12.50"], ["12.50"]]


def test_the_tracker_shows_no_point_seen_in_one_frame_and_drops_one_long_gone():
    # A speck taken for a point in one frame never shows; a point long seen, then gone for good,
    # goes on its seventh frame unseen
    assert _tracked_texts([False, True, False, False]) == [["12", "50"]] * 4
    assert _tracked_texts([True] * 10 + [False] * 8)[-8:] == [["12.50"]] * 6 + [["12", "50"]] * 2


def test_the_tracker_shows_a_point_on_the_first_frame_and_keeps_one_seen_every_other_frame():
    # The first frame's points show at once, as its digits do; a small dot read every other frame
    # shows once believed and does not blink with it
    assert _tracked_texts([True, False]) == [["12.50"]] * 2
    assert _tracked_texts([False, True] * 6)[-6:] == [["12.50"]] * 6


def _leaning_line(text: str, lean: float = 0.35) -> np.ndarray:
    """``text`` in OpenCV's plain font, each digit 60 px tall, sheared to lean ``lean`` (x per
    pixel up) about its foot, as a slanted hand writes: a digit's top then reaches over the gap
    after it, where a point sits."""
    img = np.full((200, 700), 235, np.uint8)
    cv2.putText(img, text, (30, 140), cv2.FONT_HERSHEY_SIMPLEX, 2.4, 30, 6, cv2.LINE_AA)
    shear = np.float32([[1, -lean, lean * 140], [0, 1, 0]])
    return cv2.warpAffine(img, shear, (700, 200), borderValue=235)


@pytest.mark.parametrize("lean", [0.25, 0.35, 0.45])
def test_a_point_under_a_leaning_digits_top_is_found(lean):
    # given "12.50" and "3.99" written leaning (the point under the 2's and the 3's overhang)
    from livedigits.recognizer import Recognizer

    reading = Recognizer().read(_leaning_line("12.50   3.99", lean))
    # then both numbers carry their points
    assert [n.text for n in reading.numbers] == ["12.50", "3.99"]


def test_a_leaning_number_without_a_point_or_with_a_colon_gains_none():
    from livedigits.recognizer import Recognizer

    reading = Recognizer().read(_leaning_line("1250   12:30"))
    assert not any("." in n.text or "," in n.text for n in reading.numbers)


def test_a_point_at_a_digits_very_middle_goes_to_one_pair_only():
    boxes = [(0, 100, 20, 40), (30, 100, 20, 40), (60, 100, 20, 40)]
    after = points_after(boxes, [[0, 1, 2]], [Point((39, 136, 2, 2), ".")])
    assert len(after) <= 1


def test_a_leaning_line_with_a_digit_off_the_mask_reads_no_point_and_does_not_fail():
    from livedigits.recognizer import Recognizer

    image = _leaning_line("12.50   3.99", 0.35)
    digits = Recognizer().read(image).digits
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    mask = np.where(gray < 120, 255, 0).astype(np.uint8)[:, :170].copy()  # the frame cut after "12.5"
    boxes = [d.box for d in digits]
    assert isinstance(find_points(mask, boxes, [list(range(len(boxes)))]), list)


@pytest.mark.parametrize("turn", [-10, -7, 7, 10])
def test_prices_on_a_turned_sheet_are_read_with_their_points(recognizer, mnist_test, turn):
    # Given a line of prices written on a sheet turned by ``turn`` degrees (the camera or the sheet
    # turned; negative: clockwise, the line sloping down to the right, each digit's box then
    # reaching over the point after it)
    page = Page(300, 960)
    texts = [("12", "50"), ("3", "99"), ("47", "25"), ("8", "06")]
    x, k = 40, 0
    for whole, part in texts:
        x = page.write(mnist_test, whole, x, 130, 44, k=k)
        cv2.circle(page.img, (x - 1, 170), 4, 40, -1, cv2.LINE_AA)
        x = page.write(mnist_test, part, x + 10, 130, 44, k=k + 3) + 60
        k += 5
    turned = cv2.warpAffine(page.img, cv2.getRotationMatrix2D((480, 150), turn, 1.0), (960, 300), borderValue=232)
    # When read, Then every number carries its point (turned 10 degrees clockwise, three of the
    # four were lost: "1250", "399", "4725")
    reading = recognizer.read(cv2.GaussianBlur(turned, (3, 3), 0))
    assert [n.text for n in reading.numbers] == ["12.50", "3.99", "47.25", "8.06"]
