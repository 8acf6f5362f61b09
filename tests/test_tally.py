"""A video's numbers told once each, as they read in most of their frames."""

from livedigits.records import Digit, Number, Reading
from livedigits.tally import NumberTally


def frame_of(*numbers):
    """A reading of (text, id) numbers (id None: untracked), or (text, [digit ids]): the number's
    id is the lowest of its digits'; with one id, its digits take that id and the ones after it."""
    digits, out = [], []
    for text, ids in numbers:
        if not isinstance(ids, list):
            ids = [None if ids is None else ids + k for k in range(len(text))]
        first = len(digits)
        digits += [Digit((0, 0, 5, 10), int(ch), 0.99, 0, i) for ch, i in zip(text, ids)]
        track_id = min(ids) if None not in ids else None
        out.append(Number(text, (0, 0, 10, 10), 0.99, 0, tuple(range(first, len(digits))), track_id))
    return Reading(digits, numbers=out)


def test_each_number_is_told_once_as_it_read_in_most_frames():
    # given 20 frames of "4159" (id 1), read "4169" in 3 of them, and "31" (id 5) from frame 2 on
    tally = NumberTally()
    for index in range(20):
        numbers = [("4169" if index in (4, 5, 9) else "4159", 1)]
        if index >= 2:
            numbers.append(("31", 5))
        tally.add(index, frame_of(*numbers))
    # when told, then each once, in the order first seen, with its frames
    steady = tally.steady()
    assert [(n.text, n.id, n.first, n.last, n.frames) for n in steady] == [("4159", 1, 0, 19, 20), ("31", 5, 2, 19, 18)]


def test_a_number_seen_in_only_a_few_frames_is_not_told():
    # given a false "7" (id 9) for 4 frames beside a steady "12" (id 2)
    tally = NumberTally()
    for index in range(10):
        tally.add(index, frame_of(("12", 2), *([("7", 9)] if index < 4 else [])))
    assert [n.text for n in tally.steady()] == ["12"]
    assert [n.text for n in tally.steady(min_frames=4)] == ["12", "7"]


def test_untracked_numbers_are_passed_over():
    tally = NumberTally()
    for index in range(10):
        tally.add(index, frame_of(("12", None)))
    assert tally.steady() == []


def test_a_number_whose_first_digit_is_found_again_under_a_new_id_is_told_once():
    # given "93" (digits 12 and 13) for 8 frames, then its 9 lost ("3", id 13) for 10 frames, then
    # found again under id 40 ("93", digits 40 and 13: the number's id is now 13) for 12 frames
    tally = NumberTally()
    for index in range(30):
        if index < 8:
            tally.add(index, frame_of(("93", [12, 13])))
        elif index < 18:
            tally.add(index, frame_of(("3", [13])))
        else:
            tally.add(index, frame_of(("93", [40, 13])))
    # then it is one number, read as in most frames
    assert [(n.text, n.first, n.last, n.frames) for n in tally.steady()] == [("93", 0, 29, 30)]


def test_numbers_alike_seen_one_after_the_other_under_new_ids_are_two():
    # given "5" (id 1) in frames 0-9, then another "5" (id 7) in frames 10-19: a pan down a
    # column of fives, or the same one found again after a long blur (they cannot be told apart)
    tally = NumberTally()
    for index in range(20):
        tally.add(index, frame_of(("5", 1 if index < 10 else 7)))
    assert [(n.text, n.first, n.last) for n in tally.steady()] == [("5", 0, 9), ("5", 10, 19)]


def test_a_frame_joining_two_numbers_counts_for_the_first_and_takes_nothing_from_the_second():
    # given "31" (digits 1, 2) and "4159" (digits 3-6) for 10 frames, read joined in frame 4
    tally = NumberTally()
    for index in range(10):
        if index == 4:
            tally.add(index, frame_of(("314159", [1, 2, 3, 4, 5, 6])))
        else:
            tally.add(index, frame_of(("31", [1, 2]), ("4159", [3, 4, 5, 6])))
    assert [(n.text, n.frames) for n in tally.steady()] == [("31", 10), ("4159", 9)]
