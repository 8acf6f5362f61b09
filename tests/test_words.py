"""Printed words beside the numbers: their digit-like letters are not reported."""

import cv2
import numpy as np
import pytest

from livedigits.words import LETTER_CONFIDENCE, MIN_WORD_HEIGHT, in_words
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
