"""A video's numbers told once each, as they read in most of their frames."""

from livedigits.records import Number, Reading
from livedigits.tally import NumberTally


def frame_of(*numbers):
    """A reading of (text, id) numbers."""
    return Reading(numbers=[Number(text, (0, 0, 10, 10), 0.99, 0, (), track_id) for text, track_id in numbers])


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


def test_a_number_seen_again_under_a_new_id_is_told_once_but_two_alike_in_view_are_two():
    # given "958" (id 1) in frames 0-9, lost, then again as id 7 in frames 20-29; and two "12"s
    # (ids 3 and 4) in view together throughout
    tally = NumberTally()
    for index in range(30):
        numbers = [("12", 3), ("12", 4)]
        if index < 10:
            numbers.append(("958", 1))
        elif index >= 20:
            numbers.append(("958", 7))
        tally.add(index, frame_of(*numbers))
    # then "958" is told once, over both ids' frames, and "12" twice
    assert [(n.text, n.first, n.last, n.frames) for n in tally.steady()] == [
        ("12", 0, 29, 30),
        ("12", 0, 29, 30),
        ("958", 0, 29, 20),
    ]
