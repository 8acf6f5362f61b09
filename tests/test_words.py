"""Printed words and barcodes beside the numbers: their digit-like letters and bars are not reported."""

import cv2
import numpy as np
import pytest

from livedigits.words import BAR_RUN, LETTER_CONFIDENCE, MIN_WORD_HEIGHT, in_bars, in_words
from tests.test_pages import INK, Page, Truth, score


def row(x0: int, y: int, h: int, n: int, step: float = 1.0) -> np.ndarray:
    """n boxes h tall, 0.6 h wide, side by side ``step`` x 0.6 h apart, top at y."""
    w = int(0.6 * h)
    return np.array([[x0 + int(i * step * w), y, w, h] for i in range(n)], np.int64)


def test_a_row_of_close_candidates_with_several_non_digits_is_a_word():
    # Given "Total" read letter by letter: T, o, a, l taken for digits, t plainly not; and one more
    boxes = row(100, 100, 40, 5, step=1.1)
    confidences = np.array([0.9, 0.99, 0.2, 0.95, 0.1])
    # Then all five are a word
    assert in_words(boxes, confidences, 480).tolist() == [True] * 5


def test_a_number_with_one_badly_written_digit_is_not_a_word():
    boxes = row(100, 100, 40, 4, step=1.1)
    confidences = np.array([0.99, LETTER_CONFIDENCE - 0.05, 0.97, 0.99])
    assert not in_words(boxes, confidences, 480).any()


def test_only_the_word_goes_when_a_number_sits_apart_from_it():
    word = row(40, 100, 40, 4, step=1.1)
    number = row(300, 100, 40, 3, step=1.1)  # far to the right: a gap of several heights
    boxes = np.vstack([word, number])
    confidences = np.array([0.2, 0.95, 0.1, 0.9, 0.99, 0.98, 0.97])
    assert in_words(boxes, confidences, 480).tolist() == [True] * 4 + [False] * 3


def test_spaced_candidates_are_no_word_and_tiny_rows_are_not_judged():
    confidences = np.array([0.2, 0.95, 0.1, 0.9])
    # spaced two heights apart: not letters of one word
    assert not in_words(row(40, 100, 40, 4, step=4.0), confidences, 480).any()
    # a row under MIN_WORD_HEIGHT of the frame (a page of tiny, blurred digits) is left alone
    tiny = int(MIN_WORD_HEIGHT * 480) - 2
    assert not in_words(row(40, 100, tiny, 4, step=1.1), confidences, 480).any()


def test_no_candidates():
    assert in_words(np.zeros((0, 4), np.int64), np.zeros(0), 480).tolist() == []


@pytest.mark.parametrize("label", ["Amount", "Count", "Qty"])
def test_a_printed_label_beside_a_boxed_number_is_not_read(recognizer, mnist_test, label):
    # Given a form: a printed label and, in a box beside it, a handwritten number
    page = Page(240, 640)
    cv2.putText(page.img, label, (30, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.6, INK, 3, cv2.LINE_AA)
    cv2.rectangle(page.img, (250, 70), (520, 160), INK, 2)
    page.write(mnist_test, "4159", 275, 90, 50, k=5)
    # When read, Then the number's digits are read and no letter of the label is reported
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found == 4 and s.right == 4 and s.false_detections == 0, s.as_dict()


def test_a_long_number_with_two_sloppy_digits_is_not_a_word():
    # six handwritten digits, two of them badly written: a third of the row, under LETTER_SHARE
    boxes = row(100, 100, 40, 6, step=1.1)
    confidences = np.array([0.99, 0.30, 0.98, 0.99, 0.33, 0.97])
    assert not in_words(boxes, confidences, 480).any()


@pytest.mark.parametrize("label", ["Count", "Amount", "Total"])
@pytest.mark.parametrize("size", [0.7, 0.8])
def test_a_small_printed_label_on_a_whole_form_is_not_read(recognizer, mnist_test, label, size):
    # Given a whole form in view: a label printed small (its lower-case letters 2.3-2.7% of the
    # frame height) beside a boxed handwritten number
    page = Page(480, 640)
    cv2.putText(page.img, label, (40, 250), cv2.FONT_HERSHEY_SIMPLEX, size, INK, 1, cv2.LINE_AA)
    cv2.rectangle(page.img, (200, 215), (420, 275), INK, 2)
    page.write(mnist_test, "2718", 220, 225, 40, k=9)
    # When read, Then the number's digits are read and no letter of the label is reported
    s = score(recognizer, page.img, [Truth(d, b) for d, b in page.truths])
    assert s.found == 4 and s.right == 4 and s.false_detections == 0, s.as_dict()


def test_a_row_of_many_close_ones_is_a_barcode_and_a_handwritten_1111_is_not():
    # Given a barcode's bars read as 1s (120 px tall, 3-9 px wide, 4-12 px apart), then "1111"
    # written by hand further down, and a 7 among the bars' row
    rng = np.random.default_rng(0)
    bars, x = [], 50
    for _ in range(16):
        w = int(rng.integers(3, 10))
        bars.append([x, 100 + int(rng.integers(-2, 3)), w, 120])
        x += w + int(rng.integers(4, 13))
    ones = row(60, 300, 60, 4, step=1.5)
    boxes = np.array(bars + ones.tolist() + [[x + 5, 100, 40, 120]], np.int64)
    labels = np.array([1] * (len(bars) + len(ones)) + [7])
    # Then the bars are a barcode, and the handwritten ones and the 7 are not
    assert in_bars(boxes, labels).tolist() == [True] * len(bars) + [False] * (len(ones) + 1)


def test_ones_of_a_barcode_short_of_the_run_or_far_apart_are_not_bars():
    # Given BAR_RUN - 1 close bars, and BAR_RUN ones a whole height apart
    close = np.array([[50 + 12 * k, 100, 4, 120] for k in range(BAR_RUN - 1)], np.int64)
    apart = np.array([[50 + 240 * k, 400, 40, 120] for k in range(BAR_RUN)], np.int64)
    assert not in_bars(close, np.ones(len(close), np.int64)).any()
    assert not in_bars(apart, np.ones(len(apart), np.int64)).any()


def test_a_barcode_on_a_label_gives_no_digits_and_the_number_beside_it_is_read(recognizer, mnist_test):
    # Given a label: a printed barcode (40 bars 150 px tall) and "3607" written beside it
    page = Page(400, 900)
    rng = np.random.default_rng(1)
    x = 40
    for _ in range(40):
        w = int(rng.integers(2, 9))
        page.img[100:250, x : x + w] = INK
        x += w + int(rng.integers(3, 10))
    page.write(mnist_test, "3607", x + 80, 130, 80)
    frame = cv2.GaussianBlur(page.img, (3, 3), 0)
    # When read, Then only the number is reported (each bar was a confident 1)
    s = score(recognizer, frame, [Truth(d, b) for d, b in page.truths])
    assert s.right == 4 and s.false_detections == 0, s.as_dict()
