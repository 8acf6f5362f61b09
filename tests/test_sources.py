"""Frame sources and odd inputs: image formats and orientation, lists, directories, globs, stdin,
sizes, broken and truncated videos."""

import io
import json
import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import EXAMPLE_VIDEO
from livedigits.errors import LivedigitsError
from livedigits.sources import (
    ImageListSource,
    ImageSource,
    VideoSource,
    apply_orientation,
    exif_orientation,
    expand_image_spec,
    open_images,
    open_source,
    redact_url,
    to_bgr,
)

CLI = [sys.executable, "-m", "livedigits.cli"]


def digits_page(h=240, w=320):
    img = np.full((h, w), 235, np.uint8)
    cv2.putText(img, "47", (80, 170), cv2.FONT_HERSHEY_SIMPLEX, 3.5, 30, 9, cv2.LINE_AA)
    return img


@pytest.mark.parametrize(
    "kind",
    ["gray", "bgr", "bgra", "gray16", "bgr16", "palette"],
)
def test_every_image_kind_becomes_bgr_uint8_and_is_read(tmp_path, kind, recognizer):
    page = digits_page()
    path = tmp_path / f"{kind}.png"
    if kind == "gray":
        cv2.imwrite(str(path), page)
    elif kind == "bgr":
        cv2.imwrite(str(path), cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    elif kind == "bgra":
        # ink opaque, paper fully transparent: transparency must read as paper, not as black ink
        bgra = np.zeros((*page.shape, 4), np.uint8)
        bgra[..., :3] = page[..., None]
        bgra[..., 3] = np.where(page < 128, 255, 0)
        cv2.imwrite(str(path), bgra)
    elif kind == "gray16":
        cv2.imwrite(str(path), page.astype(np.uint16) * 257)
    elif kind == "bgr16":
        cv2.imwrite(str(path), cv2.cvtColor(page, cv2.COLOR_GRAY2BGR).astype(np.uint16) * 257)
    else:
        from PIL import Image

        Image.fromarray(page).convert("P").save(path)
    [frame] = list(ImageSource(path))
    assert frame.image.dtype == np.uint8 and frame.image.shape == (*page.shape, 3)
    assert [d.digit for d in recognizer.recognize(frame.image)] == [4, 7]


def test_ten_or_twelve_bit_samples_in_a_sixteen_bit_file_keep_their_brightness():
    # a scanner's 12-bit page (white 4095) and 10-bit (white 1020) in 16-bit files, with alpha
    page = np.full((4, 6), 200, np.uint16)
    page[1, 2] = 40  # ink
    twelve, ten = page * 16 + 15, page * 4 + 3
    assert to_bgr(twelve)[0, 0, 0] == 200 and to_bgr(twelve)[1, 2, 0] == 40  # read as darkness before: 15 and 2
    assert to_bgr(ten)[0, 0, 0] == 200
    bgra = np.dstack([twelve] * 3 + [np.full((4, 6), 65535, np.uint16)])
    assert to_bgr(bgra)[0, 0, 0] == 200  # opaque alpha by its own depth
    faint = np.dstack([page * 257] * 3 + [np.full((4, 6), 1000, np.uint16)])  # 1.5% opaque, 16-bit
    assert to_bgr(faint)[0, 0, 0] >= 250  # paper-white under nearly transparent alpha, not opaque
    full = page * 257  # the full 16-bit range, as before
    assert to_bgr(full)[0, 0, 0] == 200


def test_to_bgr_float_image_is_scaled():
    out = to_bgr(np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4))
    assert out.dtype == np.uint8 and out.shape == (3, 4, 3) and out.max() == 255


def test_one_pixel_image_has_no_digits(tmp_path, recognizer):
    path = tmp_path / "dot.png"
    cv2.imwrite(str(path), np.zeros((1, 1, 3), np.uint8))
    assert recognizer.recognize(next(iter(ImageSource(path))).image) == []


@pytest.mark.slow
def test_huge_image_is_recognised(tmp_path):
    path = tmp_path / "huge.png"
    page = np.full((9000, 12000), 235, np.uint8)
    cv2.putText(page, "3", (5000, 6000), cv2.FONT_HERSHEY_SIMPLEX, 50, 30, 180, cv2.LINE_AA)
    cv2.imwrite(str(path), page)
    del page
    result = subprocess.run(
        [*CLI, "image", str(path), "--json", str(tmp_path / "r.jsonl")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    [digit] = record["digits"]
    assert digit["digit"] == 3
    x, y, w, h = digit["box"]
    assert 4900 < x < 6000 and h > 1000  # in pixels of the original image


def test_factory_picks_the_source_kind(tmp_path):
    assert isinstance(open_source(str(EXAMPLE_VIDEO)), VideoSource)
    cv2.imwrite(str(tmp_path / "a.jpg"), np.zeros((8, 8, 3), np.uint8))
    assert isinstance(open_source(str(tmp_path / "a.jpg")), ImageSource)
    with pytest.raises(LivedigitsError, match="camera 9 could not be opened"):
        open_source("9")


def test_video_source_reports_fps_and_count():
    with VideoSource(EXAMPLE_VIDEO) as source:
        assert source.fps == pytest.approx(30.0)
        assert source.frame_count == 180
        assert sum(1 for _ in source) == 180


def test_video_frames_carry_their_index_name_and_media_time():
    with open_source(str(EXAMPLE_VIDEO)) as source:
        frames = [frame for frame, _ in zip(source, range(5))]
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]
    assert {f.source for f in frames} == {str(EXAMPLE_VIDEO)}
    assert [f.time_s for f in frames] == pytest.approx([0.0, 1 / 30, 2 / 30, 3 / 30, 4 / 30])
    assert all(f.image.shape == (480, 640, 3) and f.image.dtype == np.uint8 for f in frames)


def _write_avi(path, frames=60):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    page = cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR)
    for _ in range(frames):
        writer.write(page)
    writer.release()


def test_truncated_mp4_is_a_clear_error(tmp_path):
    cut = tmp_path / "cut.mp4"
    data = EXAMPLE_VIDEO.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = subprocess.run([*CLI, "video", str(cut)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a readable video" in result.stderr


def test_video_that_ends_early_is_read_up_to_the_cut(tmp_path):
    full = tmp_path / "full.avi"
    _write_avi(full)
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    js = tmp_path / "r.jsonl"
    result = subprocess.run(
        [*CLI, "video", str(cut), "--json", str(js), "--output", str(tmp_path / "o.mp4")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = js.read_text().splitlines()
    assert 10 <= len(lines) < 60
    assert all(json.loads(line)["digits"] for line in lines)
    # and says so: the file (or, over HTTP, the connection) ended before the frames it announced
    assert f"ended at frame {len(lines)} of 60 (file cut short or connection lost)" in result.stderr


def test_undecodable_frames_in_the_middle_are_skipped(tmp_path):
    path = tmp_path / "damaged.avi"
    _write_avi(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20000] = np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    js = tmp_path / "r.jsonl"
    result = subprocess.run([*CLI, "video", str(path), "--json", str(js)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(js.read_text().splitlines()) >= 40  # the frames after the damage are read too


def test_image_header_claiming_a_huge_size_is_refused(tmp_path):
    # found by the fuzz test: OpenCV raises (not returns None) past its size limits
    import struct

    ok, buf = cv2.imencode(".bmp", np.zeros((8, 8, 3), np.uint8))
    data = bytearray(buf.tobytes())
    data[22:26] = struct.pack("<i", 2**30)  # BMP height
    path = tmp_path / "huge-header.bmp"
    path.write_bytes(bytes(data))
    with pytest.raises(LivedigitsError, match="not a readable image"):
        ImageSource(path)


# --- EXIF orientation ---------------------------------------------------------------------------


def exif_app1(orientation: int, byte_order: str = "<") -> bytes:
    """A JPEG APP1 segment holding a minimal EXIF block: IFD0 with the one Orientation tag."""
    mark = b"II" if byte_order == "<" else b"MM"
    tiff = mark + struct.pack(byte_order + "HI", 42, 8)  # header, IFD0 right after it
    tiff += struct.pack(byte_order + "H", 1)  # one entry
    tiff += struct.pack(byte_order + "HHI", 0x0112, 3, 1) + struct.pack(byte_order + "HH", orientation, 0)
    tiff += struct.pack(byte_order + "I", 0)  # no next IFD
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_orientation(image: np.ndarray, orientation: int, byte_order: str = "<") -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    data = buf.tobytes()
    return data[:2] + exif_app1(orientation, byte_order) + data[2:]  # right after SOI, like a camera


@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_phone_photo_stored_sideways_is_read_upright(tmp_path, recognizer, byte_order):
    # given a page stored as a phone does when held upright: pixels turned 90 degrees
    # counter-clockwise, with orientation 6 ("rotate 90 clockwise to display")
    page = cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR)
    stored = cv2.rotate(page, cv2.ROTATE_90_COUNTERCLOCKWISE)
    path = tmp_path / "phone.jpg"
    path.write_bytes(jpeg_with_orientation(stored, 6, byte_order))
    # when it is read
    [frame] = list(open_source(str(path)))
    # then it is upright and its digits are read
    assert frame.image.shape == page.shape
    assert [d.digit for d in recognizer.recognize(frame.image)] == [4, 7]


def test_without_the_tag_the_same_pixels_stay_as_stored(tmp_path):
    stored = cv2.rotate(cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR), cv2.ROTATE_90_COUNTERCLOCKWISE)
    path = tmp_path / "plain.jpg"
    path.write_bytes(jpeg_with_orientation(stored, 1))
    assert next(iter(ImageSource(path))).image.shape == stored.shape


def _asymmetric(h=6, w=10) -> np.ndarray:
    """An RGB image no flip or rotation maps onto itself."""
    return np.arange(h * w * 3, dtype=np.uint8).reshape(h, w, 3) * 3


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillow(tmp_path, fmt, orientation):
    from PIL import Image, ImageOps

    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.{fmt.lower()}"
    Image.fromarray(_asymmetric()).save(path, fmt, exif=exif.tobytes(), lossless=True)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))[:, :, ::-1]
    assert exif_orientation(path.read_bytes()) == orientation
    assert np.array_equal(next(iter(ImageSource(path))).image, expected)


def test_orientation_keeps_transparency_as_paper(tmp_path):
    from PIL import Image

    rgba = np.zeros((20, 40, 4), np.uint8)  # transparent black, with one opaque black stroke
    rgba[5:15, 5:8, 3] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba).save(path, exif=exif.tobytes())
    image = next(iter(ImageSource(path))).image
    assert image.shape == (40, 20, 3)  # turned
    assert (image == 255).all(axis=2).mean() > 0.9 and (image == 0).all(axis=2).sum() == 30  # paper stays paper


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff\xff\x7f", b"\x89PNG\r\n\x1a\n", b"RIFF"],
)
def test_malformed_exif_means_no_rotation(data):
    assert exif_orientation(data) == 1


def test_apply_orientation_keeps_dtype_and_channels():
    image = np.zeros((4, 6, 4), np.uint16)
    assert apply_orientation(image, 8).shape == (6, 4, 4) and apply_orientation(image, 8).dtype == np.uint16


# --- lists, directories, globs, stdin -------------------------------------------------------------


def _write_pages(directory, names):
    directory.mkdir(exist_ok=True)
    for name in names:
        cv2.imwrite(str(directory / name), cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR))


def test_a_directory_gives_its_images_sorted(tmp_path):
    pages = tmp_path / "pages"
    _write_pages(pages, ["b.png", "a.jpg", "c.webp"])
    (pages / "notes.txt").write_text("not an image")
    (pages / "sub").mkdir()
    _write_pages(pages / "sub", ["d.png"])  # not recursive
    with open_source(str(pages)) as source:
        frames = list(source)
    assert isinstance(source, ImageListSource)
    assert [f.source for f in frames] == [str(pages / n) for n in ("a.jpg", "b.png", "c.webp")]
    assert [f.index for f in frames] == [0, 1, 2] and all(f.time_s is None for f in frames)
    assert source.frame_count == 3 and not source.errors


def test_a_glob_gives_its_matches_sorted(tmp_path):
    _write_pages(tmp_path, ["p2.png", "p1.png", "q.png", "p3.jpg"])
    with open_images([str(tmp_path / "p*.png")]) as source:
        assert [f.source for f in source] == [str(tmp_path / "p1.png"), str(tmp_path / "p2.png")]


def test_a_globs_extension_matches_in_any_case(tmp_path):
    # Phones name photos IMG_0001.JPG: '*.jpg' found none of them while the folder found all.
    _write_pages(tmp_path, ["a.jpg", "B.JPG", "c.Jpg", "d.png"])
    _write_pages(tmp_path / "sub", ["e.JPG"])
    with open_images([str(tmp_path / "*.jpg")]) as source:
        assert [Path(f.source).name for f in source] == ["B.JPG", "a.jpg", "c.Jpg"]
    with open_images([str(tmp_path / "**" / "*.jpg")]) as source:
        assert [Path(f.source).name for f in source] == ["B.JPG", "a.jpg", "c.Jpg", "e.JPG"]


def test_a_file_named_twice_is_read_once(tmp_path):
    # '*.jpg' '*.JPG' (any case since a glob's extension is), or a folder and a glob in it.
    _write_pages(tmp_path, ["a.jpg", "B.JPG"])
    specs = [str(tmp_path / "*.jpg"), str(tmp_path / "*.JPG"), str(tmp_path), str(tmp_path / "." / "a.jpg")]
    with open_images(specs) as source:
        assert [Path(f.source).name for f in source] == ["B.JPG", "a.jpg"]


def test_a_double_star_glob_looks_in_every_folder_below(tmp_path):
    _write_pages(tmp_path, ["a.png"])
    _write_pages(tmp_path / "sub", ["b.png"])
    _write_pages(tmp_path / "sub" / "deeper", ["c.png"])
    with open_images([str(tmp_path / "**" / "*.png")]) as source:
        found = [f.source for f in source]
    # (as the shell's globstar: the folder itself, and each below; only sub/b.png was found before)
    assert found == [
        str(tmp_path / "a.png"),
        str(tmp_path / "sub" / "b.png"),
        str(tmp_path / "sub" / "deeper" / "c.png"),
    ]


def test_unreadable_images_in_a_list_are_reported_and_skipped(tmp_path):
    _write_pages(tmp_path, ["good1.png", "good2.png"])
    (tmp_path / "broken.png").write_bytes(b"not a png at all")
    reported = []
    paths = [tmp_path / "good1.png", tmp_path / "broken.png", tmp_path / "missing.png", tmp_path / "good2.png"]
    with open_images([str(p) for p in paths], on_error=reported.append) as source:
        frames = list(source)
    assert [f.source for f in frames] == [str(tmp_path / "good1.png"), str(tmp_path / "good2.png")]
    assert [f.index for f in frames] == [0, 1]
    assert reported == source.errors
    assert source.errors == [f"not a readable image: {paths[1]}", f"no such file: {paths[2]}"]


def test_a_list_with_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "a.png").write_bytes(b"junk")
    (tmp_path / "b.png").write_bytes(b"junk")
    source = open_images([str(tmp_path / "a.png"), str(tmp_path / "b.png")])
    with pytest.raises(LivedigitsError, match="none of the 2 images could be read"):
        list(source)
    assert len(source.errors) == 2


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: (d / "one.png").write_bytes(b"junk") and [d / "one.png"], "not a readable image: .*one.png"),
        (lambda d: (d / "empty").mkdir() or [d / "empty"], "no images in directory: .*empty"),
        (lambda d: [d / "*.jpeg"], r"no images match .*\*\.jpeg"),
        (lambda d: [d / "nothing.png"], "no such file: .*nothing.png"),
    ],
)
def test_a_single_bad_input_fails_at_once_with_its_own_message(tmp_path, make, message):
    reported = []
    with pytest.raises(LivedigitsError, match=message):
        open_images([str(p) for p in make(tmp_path)], on_error=reported.append)
    assert reported == []  # said once, by the error, not twice


def test_an_empty_directory_beside_images_is_reported_not_fatal(tmp_path):
    _write_pages(tmp_path, ["a.png"])
    (tmp_path / "empty").mkdir()
    reported = []
    with open_images([str(tmp_path / "empty"), str(tmp_path / "a.png")], on_error=reported.append) as source:
        assert [f.source for f in source] == [str(tmp_path / "a.png")]
    assert reported == source.errors == [f"no images in directory: {tmp_path / 'empty'}"]


def test_phone_photos_of_a_format_not_read_are_reported_as_skipped(tmp_path):
    # given a phone's folder: a JPEG among two HEIC photos (OpenCV's wheels do not decode HEIC)
    _write_pages(tmp_path, ["c.jpg"])
    (tmp_path / "IMG_1.HEIC").write_bytes(b"ftypheic")
    (tmp_path / "IMG_2.heic").write_bytes(b"ftypheic")
    reported = []
    # when the folder is read, then the JPEG is, and the two photos are said to be skipped, with
    # what to do (they were passed over without a word)
    with open_images([str(tmp_path)], on_error=reported.append) as source:
        assert [f.source for f in source] == [str(tmp_path / "c.jpg")]
    assert reported == [
        f"skipped 2 HEIC photos (IMG_1.HEIC, IMG_2.heic) in directory: {tmp_path} (HEIC is not read here: "
        "convert to JPEG or PNG first)"
    ]
    # and one named alone says the same of itself
    with pytest.raises(LivedigitsError, match=r"not a readable image: .*IMG_1.HEIC \(HEIC is not read here"):
        open_images([str(tmp_path / "IMG_1.HEIC")])


def test_a_photo_format_the_decoder_reads_after_all_is_read_and_the_message_keeps_the_path(tmp_path):
    # given a folder named like the message's words, a HEIC photo not read here and an .avif file
    # this OpenCV reads (some builds decode AVIF: here a PNG's bytes under that name)
    folder = tmp_path / "matches"
    _write_pages(folder, ["a.png"])
    (folder / "b.avif").write_bytes((folder / "a.png").read_bytes())
    (folder / "c.heic").write_bytes(b"ftypheic")
    reported = []
    with open_images([str(folder / "*")], on_error=reported.append) as source:
        assert [f.source for f in source] == [str(folder / "a.png"), str(folder / "b.avif")]
    # (the path was rewritten: "matchinges/*")
    assert reported == [f"skipped c.heic matching {folder}/* (HEIC is not read here: convert to JPEG or PNG first)"]


def test_annotated_images_in_an_input_directory_are_left_out(tmp_path):
    # given a folder used as its own output directory: a page and its annotated image
    _write_pages(tmp_path, ["p.png", "p.annotated.png", "p-2.annotated.png"])
    # when it is read again, then only the page is (the annotated images were read as inputs)
    with open_images([str(tmp_path)]) as source:
        assert [f.source for f in source] == [str(tmp_path / "p.png")] and not source.errors
    with open_images([str(tmp_path / "*.png")]) as source:
        assert [f.source for f in source] == [str(tmp_path / "p.png")]
    # and a folder holding only annotated images says so
    (tmp_path / "p.png").unlink()
    with pytest.raises(LivedigitsError, match="no images in directory: .*: only annotated ones"):
        open_images([str(tmp_path)])


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_dash_reads_one_image_from_stdin(monkeypatch, recognizer):
    ok, png = cv2.imencode(".png", digits_page())
    monkeypatch.setattr(sys, "stdin", _Stdin(png.tobytes()))
    with open_source("-") as source:
        [frame] = list(source)
    assert frame.source == "<stdin>" and frame.index == 0 and frame.time_s is None
    assert [d.digit for d in recognizer.recognize(frame.image)] == [4, 7]


def test_dash_in_an_image_list_is_stdin_and_applies_orientation(monkeypatch, tmp_path):
    stored = cv2.rotate(cv2.cvtColor(digits_page(), cv2.COLOR_GRAY2BGR), cv2.ROTATE_90_COUNTERCLOCKWISE)
    monkeypatch.setattr(sys, "stdin", _Stdin(jpeg_with_orientation(stored, 6)))
    _write_pages(tmp_path, ["a.png"])
    with open_images([str(tmp_path / "a.png"), "-"]) as source:
        frames = list(source)
    assert [f.source for f in frames] == [str(tmp_path / "a.png"), "<stdin>"]
    assert frames[1].image.shape == (240, 320, 3)


def test_garbage_on_stdin_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"hello"))
    with pytest.raises(LivedigitsError, match="not a readable image: <stdin>"):
        open_source("-")


@pytest.mark.parametrize(
    "url, shown",
    [
        ("rtsp://user:secret@10.0.0.5:554/stream1", "rtsp://user:***@10.0.0.5:554/stream1"),
        ("http://127.0.0.1:8080/video.mjpg?x=1", "http://127.0.0.1:8080/video.mjpg?x=1"),
    ],
)
def test_stream_names_hide_passwords(url, shown):
    assert redact_url(url) == shown


@pytest.mark.parametrize("url", ["ftp://user:secret@host/clip.mp4", "file:///tmp/clip.mp4"])
def test_a_url_of_an_unsupported_kind_is_named_as_such(url):
    # given a URL whose scheme is no stream livedigits reads (it was taken for a file name, mangled)
    # when it is opened, then the error names the scheme and hides the password
    for opener in (open_source, VideoSource):  # camera and the API; the video command
        with pytest.raises(LivedigitsError, match="unsupported URL scheme") as error:
            opener(url)
        assert "secret" not in str(error.value)
    found, message = expand_image_spec(url)  # the image command: reported in list order
    assert found == [] and "unsupported URL scheme" in message and "secret" not in message


def test_a_turned_source_turns_its_frames_and_is_otherwise_its_source(tmp_path):
    from livedigits.sources import Turned

    _write_pages(tmp_path, ["a.png"])
    (tmp_path / "b.png").write_bytes(b"junk")
    with Turned(open_images([str(tmp_path / "a.png"), str(tmp_path / "b.png")]), 90) as source:
        frames = list(source)
        assert source.frame_count == 2 and source.errors == [f"not a readable image: {tmp_path / 'b.png'}"]
    page = cv2.imread(str(tmp_path / "a.png"))
    assert np.array_equal(frames[0].image, cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE))
    with pytest.raises(ValueError, match="90, 180 or 270"):
        Turned(source, 45)
