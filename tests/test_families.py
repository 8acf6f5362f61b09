"""The scene families, the OpenCV-samples comparator and the per-family benchmark, as specifications."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from benchmarks import families as F
from benchmarks import glyphs as G
from benchmarks.family_bench import flicker, is_page_loss, main, match, video_stats
from benchmarks.recipes import SamplesRecipe
from benchmarks.score import Score
from benchmarks.synth import Truth
from livedigits.records import Digit

RESOLUTIONS = [(640, 480), (1280, 720)]


@pytest.fixture(scope="module")
def glyphs(mnist_test):
    return G.Glyphs(*mnist_test)


def ink_contrast(gray: np.ndarray, box) -> float:
    """How much darker the darkest ink in ``box`` is than the paper just around it (0..1)."""
    x, y, w, h = box
    pad = max(2, h // 3)
    ring = gray[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad].astype(np.float32)
    inside = gray[y : y + h, x : x + w].astype(np.float32)
    paper = np.percentile(ring, 90)
    return float((paper - np.percentile(inside, 3)) / max(paper, 1.0))


@pytest.mark.parametrize("family", F.FAMILIES)
@pytest.mark.parametrize("width,height", RESOLUTIONS)
def test_every_family_renders_with_truths_inside_the_frame_on_ink(family, width, height, glyphs):
    # given a family and a resolution, when a scene is rendered
    scene = F.render(family, np.random.default_rng(11), width, height, glyphs)
    # then the frame has the size asked for, and truths that lie inside it
    assert scene.image.shape == (height, width, 3) and scene.image.dtype == np.uint8
    assert scene.family == family
    assert len(scene.truths) >= 1
    assert len(scene.truth_ids) == len(scene.truths)
    gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)
    for t in scene.truths:
        x, y, w, h = t.box
        assert 0 <= t.digit <= 9
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height and w >= 1 and h >= 3
        # and each box holds ink clearly darker than the paper around it
        assert ink_contrast(gray, t.box) > 0.15, (family, t)


@pytest.mark.parametrize("family", F.FAMILIES)
def test_numbers_are_runs_of_the_truths_they_cover(family, glyphs):
    scene = F.render(family, np.random.default_rng(5), 640, 480, glyphs)
    for n in scene.numbers:
        x, y, w, h = n.box
        inside = [t for t in scene.truths if t.box[0] >= x and t.box[1] >= y and t.box[0] + t.box[2] <= x + w]
        assert n.text.isdigit() and len(inside) >= len(n.text)
        assert n.line >= 0


def test_held_out_families_are_marked_and_reported_apart():
    assert set(F.HELD_OUT) == {"h_clutter", "j_board"}
    assert set(F.HELD_OUT) < set(F.FAMILIES)
    assert set(F.VIDEO_FAMILIES) == {"a_sheet", "c_boxes", "d_ruled", "i_webcam"}


def test_the_whole_sheet_family_shows_the_sheet_edge_on_the_desk(glyphs):
    # given the whole-sheet family, the frame's border is desk, not paper: the sheet is wholly in view
    stage = F.stage("a_sheet", np.random.default_rng(3), 640, 480, glyphs)
    assert stage.quad[:, 0].min() >= 0 and stage.quad[:, 0].max() <= 640
    assert stage.quad[:, 1].min() >= 0 and stage.quad[:, 1].max() <= 480


def test_a_video_keeps_digit_ids_and_pulls_back_until_the_sheet_is_in_view(glyphs):
    scenes = list(F.render_video("c_boxes", np.random.default_rng(2), 12, 640, 480, glyphs))
    assert len(scenes) == 12
    shared = set(scenes[0].truth_ids) & set(scenes[1].truth_ids)
    assert shared, "consecutive frames should share visible digits"
    for tid in shared:
        a = scenes[0].truths[scenes[0].truth_ids.index(tid)]
        b = scenes[1].truths[scenes[1].truth_ids.index(tid)]
        assert a.digit == b.digit


def test_a_missing_font_is_an_error_naming_its_package(monkeypatch):
    monkeypatch.setitem(G.FONT_FILES, "fonts-not-there", ("/nonexistent/NotThere.ttf",))
    with pytest.raises(FileNotFoundError, match="fonts-not-there"):
        G.font_paths()


def test_every_font_and_glyph_source_draws_a_digit(glyphs):
    rng = np.random.default_rng(0)
    for source in ("mnist", "hershey", "font", "pen"):
        alpha, label = glyphs.draw(rng, source)
        assert alpha.dtype == np.float32 and alpha.ndim == 2 and alpha.max() > 0.5, source
        assert 0 <= label <= 9
    for path in G.font_paths():
        assert G.font_glyph(8, path).shape[0] > 50, path


@pytest.mark.parametrize("digit", range(10))
def test_the_pen_model_writes_every_digit(digit):
    alpha = G.pen_digit(digit, np.random.default_rng(digit))
    assert alpha.shape[0] >= 80 and alpha.max() > 0.9


def test_page_loss_and_flicker_count_what_they_say():
    assert is_page_loss(3, 1) and not is_page_loss(3, 2) and not is_page_loss(2, 0)
    # a digit read 7, then missed, then 7 again: two changes over two pairs; digit 2 is steady
    states = [{1: 7, 2: 3}, {1: None, 2: 3}, {1: 7, 2: 3}]
    assert flicker(states) == (2, 4)


def test_video_stats_count_false_digits_per_frame():
    class Scene:
        def __init__(self, truths):
            self.truths, self.truth_ids = truths, list(range(len(truths)))

    # given two frames: one digit read right once and once doubled, and a frame of no digits
    # with two reported
    one = Truth(4, (10, 10, 10, 20))
    scenes = [Scene([one]), Scene([])]
    outputs = [[Truth(4, (10, 10, 10, 20)), Truth(4, (11, 10, 10, 20))], [Truth(1, (50, 0, 5, 20))] * 2]
    # then the doubled box and both boxes of the empty frame are false: 3 over 2 frames
    assert video_stats(scenes, outputs)["false_per_frame"] == 1.5


def test_match_pairs_each_truth_with_at_most_one_detection():
    truths = [Truth(1, (0, 0, 10, 20)), Truth(2, (50, 0, 10, 20))]
    detections = [Truth(1, (1, 0, 10, 20)), Truth(7, (100, 0, 10, 20))]
    assert match(truths, detections) == [0, None]


def test_the_samples_recipe_finds_digits_on_a_plain_page(mnist_test):
    # given a plain page of MNIST digits, seen close and square-on
    glyphs = G.Glyphs(*mnist_test)
    sheet = F.Sheet(F.paper(np.random.default_rng(0), 800, 600))
    pen = F.Pen(glyphs)
    F.write_lines(sheet, pen, np.random.default_rng(1), (60, 60, 740, 540), 44, 100)
    quad = np.float32([[0, 0], [640, 0], [640, 480], [0, 480]])
    stage = F.Stage(sheet, np.zeros((480, 640, 3), np.float32), quad, F.Look(noise=1.0, blur=0.3, jpeg=92))
    image, matrix, occluded = F.shoot(stage, 640, 480)
    truths, _, _ = F.project(sheet, matrix, 640, 480, occluded)
    # when the OpenCV-samples recipe reads it, then it finds and reads most digits
    score = Score().add(truths, SamplesRecipe().recognize(image))
    assert len(truths) >= 10
    assert score.found_rate > 0.7 and score.right_rate > 0.8


@pytest.mark.slow
def test_the_quick_benchmark_writes_every_field(tmp_path):
    out = tmp_path / "r.json"
    assert main(["--quick", "--families", "a_sheet", "h_clutter", "--video-frames", "6", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["headline"].startswith("worst family: a_sheet")
    assert set(result) >= {"headline", "held_out", "families", "videos", "speed", "meta"}
    assert result["families"]["h_clutter"]["held_out"] is True
    assert result["families"]["a_sheet"]["held_out"] is False
    for family in ("a_sheet", "h_clutter"):
        for key in ("640x480", "1280x720", "all"):
            for method in ("livedigits", "opencv samples", "tutorial"):
                cell = result["families"][family][key][method]
                expected = {"truths", "detections", "found_rate", "right_rate", "f1", "false_detections"}
                assert expected | {"frames", "page_losses"} <= set(cell)
                assert cell["frames"] == (1 if key != "all" else 2)
        assert "numbers_exact" in result["families"][family]["all"]["livedigits"]
    video = result["videos"]["a_sheet"][0]
    assert video["frames"] == 6
    assert {"flicker", "read_right", "page_losses", "false_per_frame", "numbers_exact"} <= set(video["livedigits"])
    assert set(result["speed"]) == {"livedigits", "opencv samples", "tutorial"}
    assert all(result["speed"][m]["640x480"] > 0 for m in result["speed"])


def test_the_benchmark_reads_the_resolutions_it_is_given(tmp_path):
    from benchmarks.family_bench import make_stills, scene_rng

    # A 1080p frame has its own random stream: the default resolutions' frames stay as they were
    [first, second, third] = make_stills(["e_size"], 1, 2026, ((640, 480), (1280, 720), (1920, 1080)))
    assert third.scene.image.shape == (1080, 1920, 3)
    again = F.render("e_size", scene_rng(2026, "e_size", 1, 0), 1280, 720)
    assert np.array_equal(second.scene.image, again.image)
    # and a run at 1080p reports that resolution alone
    out = tmp_path / "r.json"
    args = ["--quick", "--families", "b_note", "--resolutions", "1920x1080", "--videos", "0", "--out", str(out)]
    assert main(args) == 0
    result = json.loads(out.read_text())
    assert result["meta"]["resolutions"] == ["1920x1080"]
    assert result["families"]["b_note"]["1920x1080"]["livedigits"]["frames"] == 1
    assert set(result["speed"]["livedigits"]) == {"1920x1080"}


def test_save_failures_writes_montages_of_what_was_missed(tmp_path):
    from benchmarks.family_bench import Still, save_failures

    # given a frame with three true digits of which livedigits read none, and one false detection
    image = np.full((480, 640, 3), 230, np.uint8)
    truths = [Truth(d, (100 + 60 * d, 200, 30, 40)) for d in range(3)]
    scene = F.Scene(image, truths, [], [0, 1, 2], "c_boxes")
    false = Digit((500, 50, 20, 30), 7, 0.9)
    counts = save_failures([Still("c_boxes", "640x480", scene)], [[false]], tmp_path)
    # then the crops and the lost page are written, and counted
    assert counts == {"c_boxes": {"missed": 3, "misread": 0, "false": 1, "page_losses": 1}}
    for kind in ("missed", "false", "page_losses"):
        assert cv2.imread(str(tmp_path / f"c_boxes_{kind}.png")) is not None
    assert not (tmp_path / "c_boxes_misread.png").exists()


def test_underlined_numbers_stand_on_their_lines_and_are_read(recognizer):
    from benchmarks.underlines import NUMBERS, underlined_page

    # Given a page of the underline benchmark: three level lines, a number standing on each
    font = next(p for p in G.font_paths() if p.stem == "Humor-Sans")
    page = underlined_page(0.0, font, 480, 640, 50, 2, 540)
    assert page.shape == (480, 640, 3)
    # When read, Then the numbers come out in order, line by line (the 1s standing on a line were
    # erased with it: the page read 08, 7, 3, 527)
    assert [n.text for n in recognizer.read(page).numbers] == list(NUMBERS)


def test_touching_numbers_overlap_and_the_benchmark_compares_both_cuts(capsys):
    from benchmarks import touching
    from benchmarks.synth import DigitBank

    # Given a frame of the touching-numbers benchmark
    scene = touching.touching_frame(DigitBank.load(), np.random.default_rng(1))
    boxes = [t.box for t in scene.truths]
    assert scene.image.shape == (300, 900, 3) and len(boxes) >= 4
    # Then many of its digits overlap the one before (left edge before the last one's right edge)
    overlapping = [a for a, b in zip(boxes, boxes[1:]) if b[0] < a[0] + a[2] and b[0] > a[0]]
    assert len(overlapping) >= len(boxes) // 3
    # and a run prints the three ways of cutting them: the lattice, the lattice read as no more
    # digits than the width holds, and neither
    assert touching.main(["--frames", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "the lattice" in out and "as many digits as the width holds only" in out and "equal shares only" in out
    from livedigits import cuts

    assert cuts.cut_lattice.__name__ == "cut_lattice"  # restored after the run
    assert cuts.path_counts(2) == (2, 3)


def test_slanted_hands_benchmark_writes_leaning_numbers_and_reads_them_both_ways(capsys):
    from benchmarks import slanted
    from benchmarks.synth import DigitBank
    from livedigits import recognizer

    # Given a page of a leaning hand
    scene, numbers, lean = slanted.slanted_frame(DigitBank.load(), np.random.default_rng(4))
    assert scene.image.shape == (420, 900, 3) and -0.8 <= lean <= 0.1  # the shear and MNIST's own lean
    # Then its numbers are its digits, line by line, each number's box holding its digits'
    assert "".join(n.text for n in numbers) == "".join(str(t.digit) for t in scene.truths)
    boxes = iter(t.box for t in scene.truths)
    for n in numbers:
        for _ in n.text:
            x, y, w, h = next(boxes)
            assert n.box[0] <= x and x + w <= n.box[0] + n.box[2] and n.box[1] <= y and y + h <= n.box[1] + n.box[3]
    # and a run prints both ways of measuring the gaps, and restores the lean's measure
    assert slanted.main(["--frames", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "along the hand's lean" in out and "upright gaps only" in out
    assert recognizer.writing_slant.__name__ == "writing_slant"
