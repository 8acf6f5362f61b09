"""The walls between digits (a table's or a comb field's upright lines) part or join numbers."""

import numpy as np
import pytest

from livedigits.walls import find_walls, parted_by_walls, walls_after


def boxes_in_a_row(xs, y=100, w=24, h=40):
    return [(x, y, w, h) for x in xs]


def erased_with(shape=(300, 600), upright=(), level=()):
    """An erased-lines mask with upright lines at x (rows 80..160) and level lines at y."""
    erased = np.zeros(shape, np.uint8)
    for x in upright:
        erased[80:160, x : x + 2] = 255
    for y in level:
        erased[y : y + 2, :] = 255
    return erased


def lifted_rulings(top: int, bottom: int, x0: int = 0, x1: int = 600):
    """(erased, lifted) masks 300x600: nothing erased, lines lifted at rows ``top`` and ``bottom``
    (2 px each) between columns x0 and x1."""
    erased = np.zeros((300, 600), np.uint8)
    lifted = np.zeros_like(erased)
    lifted[top : top + 2, x0:x1] = 255
    lifted[bottom : bottom + 2, x0:x1] = 255
    return erased, lifted


def test_an_upright_line_between_two_digits_is_a_wall():
    # Given two digits 40 px apart with a line standing between them through their whole band
    boxes = boxes_in_a_row([100, 164])
    erased = erased_with(upright=[142])
    # When walls are looked for, Then that line is one, and it stands after the first digit
    walls = find_walls(erased, boxes, [[0, 1]])
    assert walls == [(142, 80, 2, 80)]  # the line, followed up and down
    assert walls_after(boxes, [[0, 1]], walls) == {0: 1}


@pytest.mark.parametrize(
    "upright, level, why",
    [
        ([], [120], "a level line through the gap covers a few rows only"),
        ([142], [120], "a line across the digits themselves: squared paper, not a cell"),
        ([], [], "nothing erased"),
    ],
)
def test_no_wall_where_no_cell_side_stands_between_the_digits(upright, level, why):
    boxes = boxes_in_a_row([100, 164])
    assert find_walls(erased_with(upright=upright, level=level), boxes, [[0, 1]]) == [], why


def test_a_wall_parts_the_numbers_of_two_table_cells_however_close():
    # Given "906" and "77" read as one number by their gaps, a wall between the 6 and the 7
    boxes = boxes_in_a_row([100, 130, 160, 200, 230])
    numbers = [[[0, 1, 2, 3, 4]]]
    # When parted by the walls, Then they are two numbers
    assert parted_by_walls(boxes, numbers, {2: 1}) == [[[0, 1, 2], [3, 4]]]


def test_a_comb_fields_digits_each_in_its_box_are_one_number():
    # Given five digits 40 px tall, one in each box of a comb field 56 px apart (the gaps wide
    # enough that the gap rule alone parted them)
    boxes = boxes_in_a_row([100, 156, 212, 268, 324])
    numbers = [[[0], [1], [2], [3], [4]]]
    # When parted by the walls between every two, Then they are one number
    assert parted_by_walls(boxes, numbers, {0: 1, 1: 1, 2: 1, 3: 1}) == [[[0, 1, 2, 3, 4]]]


def test_single_digits_in_wide_table_cells_stay_apart():
    # Given one digit alone in each of two table cells 140 px (3.5 heights) apart, the gap rule
    # having joined them
    boxes = boxes_in_a_row([100, 240])
    # When parted by the wall between them, Then they are two numbers: no comb so wide
    assert parted_by_walls(boxes, [[[0, 1]]], {0: 1}) == [[[0], [1]]]


def test_without_walls_the_numbers_are_as_the_gaps_made_them():
    numbers = [[[0, 1], [2]]]
    assert parted_by_walls(boxes_in_a_row([100, 130, 220]), numbers, {}) is numbers


def test_strokes_standing_between_two_lifted_lines_are_walls():
    # Given three digits 40 px tall (rows 100-140), lifted lines at rows 96 and 144 (a comb printed
    # light: its long lines lifted before the threshold) and in each gap an upright stroke of ink
    # from one line to the other
    boxes = boxes_in_a_row([100, 164, 228])
    erased, lifted = lifted_rulings(96, 144, 60, 300)
    ink = np.zeros_like(erased)
    ink[98:144, 142:144] = 255
    ink[98:144, 206:208] = 255
    # Then they are walls
    walls = [(142, 98, 2, 46), (206, 98, 2, 46)]
    assert find_walls(erased, boxes, [[0, 1, 2]], ink, lifted) == walls
    # But not without the lines (slashes or letters between digits), nor without the strokes
    assert find_walls(erased, boxes, [[0, 1, 2]], ink, np.zeros_like(lifted)) == []
    assert find_walls(erased, boxes, [[0, 1, 2]], np.zeros_like(ink), lifted) == []
    # Nor strokes reaching half way (letters' stems under lines far apart)
    short = np.zeros_like(ink)
    short[110:135, 142:144] = 255
    short[110:135, 206:208] = 255
    assert find_walls(erased, boxes, [[0, 1, 2]], short, lifted) == []


def test_digits_standing_on_a_ruling_between_digits_are_no_walls():
    # Given a ruled page's lifted rulings at rows 90 and 144, three digits and in both gaps a
    # digit read under the confidence bar, standing on the lower ruling short of the upper one,
    # or a mark as wide as a digit reaching both
    boxes = boxes_in_a_row([100, 164, 228])
    erased, lifted = lifted_rulings(90, 144)
    ones = np.zeros_like(erased)
    wide = np.zeros_like(erased)
    for x in (140, 204):
        ones[100:144, x : x + 3] = 255
        wide[92:144, x - 10 : x + 16] = 255
    # Then none is a wall
    assert find_walls(erased, boxes, [[0, 1, 2]], ones, lifted) == []
    assert find_walls(erased, boxes, [[0, 1, 2]], wide, lifted) == []


def test_a_lone_stroke_between_lifted_lines_is_no_wall_but_a_row_of_them_is():
    # Given three digits on a page of lifted rulings (rows 96 and 144) and an upright stroke from
    # one ruling to the next in one gap (a tall hand's 1 read under the bar), or in both gaps
    boxes = boxes_in_a_row([100, 164, 228])
    erased, lifted = lifted_rulings(96, 144)
    ink = np.zeros_like(erased)
    ink[98:144, 142:144] = 255
    assert find_walls(erased, boxes, [[0, 1, 2]], ink, lifted) == []
    ink[98:144, 206:208] = 255
    assert find_walls(erased, boxes, [[0, 1, 2]], ink, lifted) == [(142, 98, 2, 46), (206, 98, 2, 46)]


def test_a_boxs_side_read_as_a_1_beside_a_walled_digit_is_not_joined_to_it():
    # Given a 5 30 px tall in a box whose right side, 59 px tall, was read as a 1 beyond a wall
    boxes = [(235, 134, 20, 30), (292, 117, 9, 59)]
    # When parted by the wall between them, Then they stay apart: no comb holds digits so unlike
    assert parted_by_walls(boxes, [[[0, 1]]], {0: 1}) == [[[0], [1]]]


def test_two_boxes_side_by_side_are_two_walls_and_never_a_comb():
    # Given a 9 and a 5 in two boxes side by side: between them the right side of one box and the
    # left side of the other, paper between the two
    boxes = boxes_in_a_row([100, 164])
    erased = erased_with(upright=[136, 150])
    # When walls are looked for, Then there are two, and the two digits are two numbers
    walls = find_walls(erased, boxes, [[0, 1]])
    assert walls == [(136, 80, 2, 80), (150, 80, 2, 80)]
    assert walls_after(boxes, [[0, 1]], walls) == {0: 2}
    assert parted_by_walls(boxes, [[[0, 1]]], {0: 2}) == [[[0], [1]]]


def test_a_tables_wall_running_through_its_rows_parts_but_never_joins_as_a_combs():
    # Given two single digits 40 px tall in neighbouring cells whose wall runs on through the
    # table's other rows (rows 20-280), and the same two in a comb's boxes (wall rows 94-146)
    boxes = boxes_in_a_row([100, 164])
    table = np.zeros((300, 600), np.uint8)
    table[20:280, 142:144] = 255
    comb = np.zeros_like(table)
    comb[94:146, 142:144] = 255
    # When walls are looked for, Then the table's counts as two (never a comb's), the comb's as one
    assert walls_after(boxes, [[0, 1]], find_walls(table, boxes, [[0, 1]])) == {0: 2}
    assert walls_after(boxes, [[0, 1]], find_walls(comb, boxes, [[0, 1]])) == {0: 1}
