"""The detector's tuning: one documented field per constant, each justified by what it keeps out
or lets in (``python -m benchmarks.ablation`` shows what each is worth per scene family)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorConfig:
    """Tuning of the detector; sizes are fractions of the frame height unless stated."""

    ink_ratio: float = 0.2
    """A pixel is ink when it is this much darker than the local paper (0.2 = 20% darker): low
    enough for a light pencil stroke, high enough that paper grain, JPEG and sensor noise stay
    out. Rulings and grids of any darkness are not kept out by it: those that pass it are erased
    as lines (:func:`_erase_structures`)."""
    noisy: float = 0.02
    """Relative noise (see :func:`noise_level`) above which the frame is smoothed before the
    threshold: a clean camera frame measures under 1%, a dim webcam 3-15%."""
    max_noise: float = 0.22
    """Relative noise above which a frame is static rather than a scene (a covered lens, a camera
    at the end of its gain, random pixels): no stroke in it can be told from the noise, so
    nothing is read. The dimmest webcam frames with readable digits measure under 17%."""
    ruling_length: float = 0.10
    """Straight dark runs at least this long (fraction of the frame height), along the rows or
    the columns, are rulings or a grid, lifted before the threshold (:func:`lift_rulings`)."""
    ruling_spread: int = 5
    """Pixels across which a ruling's darkness is spread when it is looked for: a one-pixel line
    up to ~2 px off straight over a run (a page a few degrees askew) is still found."""
    ruling_lift_max: int = 60
    """A ruling's darkness is taken as at most this many gray levels (a quarter of white) when it
    is lifted (divided out, see :func:`lift_rulings`): a faint or mid ruling goes entirely, an
    ink-dark one stays in the mask, whole, for the line eraser."""
    ruling_min_span: float = 0.15
    """A ruling's run spans at least this share of the frame's width: a digit's straight stroke,
    unless the digit is that large, is not lifted."""
    ruling_min_span_down: float = 0.25
    """The same for the columns of a grid, as a share of the frame's height: digits are taller
    than wide and their long strokes run down (a light-inked 1 or 7 a fifth of the frame tall
    keeps its stem)."""
    ruling_keep_dark: int = 90
    """Pixels darker than the paper by more than this many gray levels (a third of white) are ink,
    or an ink-dark ruling for the line eraser: never lifted, however straight their run."""
    ruling_lift_min: int = 20
    """Line-shaped excess darkness under this many gray levels is sensor noise or paper grain
    that the long kernel happened to line up: not lifted."""
    background_scale: int = 8
    """The paper brightness is estimated at 1/8 resolution: cheap, and smooth as light is."""
    background_kernel: int = 9
    """Closing width at that scale (9 x 8 = 72 px): wider than any stroke we must keep solid."""
    min_height: float = 0.015
    min_height_px: int = 8
    """The smallest digit: this share of the frame height, and at least this many pixels."""
    min_height_clean: float = 0.012
    min_height_px_clean: int = 7
    """The same in a clean frame (noise under ``noisy``; needs the gray frame), where a mark that
    small is a digit more often than a speck of noise: tuning frames' tiny digits F1 0.55 -> 0.59
    and a noisy webcam's unchanged."""
    max_height: float = 0.75
    max_width: float = 0.6
    min_area_px: int = 12
    max_fill: float = 0.9
    """Ink area over box area; a solid blob is not a digit (a "1" is allowed to be solid)."""
    min_fill: float = 0.06
    max_blob_fill: float = 0.7
    max_blob_solidity: float = 0.95
    """A candidate at least as wide as 0.6 of its height, inked over more than ``max_blob_fill``
    of its box and over more than ``max_blob_solidity`` of its convex hull is a blob, not a digit:
    a filled disc inks 79% of its box and all of its hull and has no hollow; a bold 0 or 8 keeps
    a hollow, a bold 5 or 2 its bends."""
    max_aspect: float = 1.25
    """Width over height above which a component may be touching digits: it is also read split."""
    max_single_aspect: float = 2.0
    """Width over height above which a component cannot be one digit: it is only read split."""
    min_thickness: float = 0.07
    """Mean stroke thickness (ink area / box height) as a fraction of the height: rejects pen-thin
    straight lines (paper rulings, edges) while a thin "1" (~10% of its height) passes."""
    border_px: int = 3
    """Components this close to the frame edge are cut off by it, so they are not read."""
    min_surface_ratio: float = 0.5
    """Paper is the brightest large surface in view: marks on a surface less than half as bright
    (a dark or wooden desk, a keyboard) are not on the page, but for ink in a shadow on it
    (``shadow_min_contrast``); the paper beside a sheet's edge is handled by ``min_side_ratio``."""
    shadow_min_contrast: float = 0.5
    """Off the bright page by ``min_surface_ratio`` or ``min_side_ratio`` (the desk, or the page in
    a shadow), a candidate is taken only when its ink is at least this much darker than the
    dimmest surface under it (the desk past a sheet's edge is that surface, not darker than it)
    and plain paper lies on every side of it, measured against the local paper level (within
    ``max_texture``): ink in a hand's shadow on the page, not a desk's grain or edge. 1: never."""
    dim_surface: float = 0.6
    dim_min_contrast: float = 0.26
    """On a surface dimmer than ``dim_surface`` times the brightest (a desk beside a sticky note,
    or the far corner of a page lit from one side), a candidate of any size must be at least
    ``dim_min_contrast`` darker than that surface. Wood grain is 21-25% darker than the wood
    round it and passes the ink threshold in small pieces that read as 1s; digits in a page's
    dim corner measure 29% and more."""
    fine_scale: int = 3
    """A small candidate (under twice the smallest digit height) is read from its ink thresholded
    again on its gray crop enlarged this many times (bicubic), hugging its own mask: a
    stroke 1-2 px wide has its edges placed between pixels instead of on them, and a 9 px digit
    reaches the classifier as a shape rather than a few blocks (tiny digits read right and
    confidently: tuning frames F1 0.40 -> 0.55). 1: off (faint small digits are then read
    from their mask too)."""
    read_darkness: bool = True
    """The classifier reads each candidate's darkness under its mask (255 at its darkest pixel),
    not the mask itself: anti-aliased, as MNIST's digits and the training pen's are, so a stroke's
    soft edge weighs less than its core (a small candidate's fine ink too). Check seeds: every
    family up (boxes 0.867 -> 0.886, notes 0.814 -> 0.838, ruled 0.729 -> 0.751). False: the
    binary mask (or fine ink) is read."""
    min_stroke_px: float = 2.5
    """A pen's stroke is at least this wide in pixels, however large the digit: a 1 written 140 px
    tall with a 3 px pen is read, a 1 px hairline is not."""
    min_ink_contrast: float = 0.25
    """Ink is dark: under a candidate's mask the gray is on average at least a quarter below its
    paper. Wood grain and faint stripes pass the 20% ink threshold only just (21-24% on average);
    pen, pencil and marker strokes sit well below it. Candidates under twice the smallest digit
    height are exempt: blur spreads a tiny digit's stroke and lightens its mean."""
    max_texture: float = 0.06
    """A small candidate (under twice the smallest digit height, exempt from ``min_ink_contrast``)
    lies in texture when the gray round it (a ring half its height wide, 3x3-averaged) differs
    from its paper by more than this, as a median and beyond the frame's noise (see
    :func:`noise_level`): wood grain or fabric, whose streaks pass the ink threshold in pieces
    that read as 1s. Paper round a digit, even in dense writing or beside rulings, is plain: on
    the benchmark's tuning and check frames, 3 of ~3,900 small digits read right measure over
    0.06 (99.9th percentile 0.04-0.055), and 90% of the marks on a wooden desk beside a note do."""
    max_mid_tones: float = 0.65
    """A tall candidate in a clean frame (noise under ``noisy``) lies in texture when more than
    this share of the ring round it (as for ``max_texture``) is mid-tone: darker than its paper by
    more than ``max_texture`` but not ink (under ``ink_ratio``). Wood grain is mostly mid-tones;
    paper round a digit is paper, with ink, rulings and box lines dark and narrow beside it. Chosen
    from the distribution: on the tuning and check frames no tall digit read right in a clean frame
    measures over 0.60, and the grain read as 1s beside notes measures 0.59 as a median.
    1: off."""
    min_side_ratio: float = 0.75
    """Paper lies on every side of a digit: when even the brightest pixel of the margin on one side
    (left, right, above or below) is darker than this times that of the brightest side, the
    candidate sits on an edge between the sheet and a darker desk, not on paper."""
    faint_ratio: float = 0.1
    """Half of ``ink_ratio`` (the low threshold of a hysteresis, as in Canny's edges): in a clean
    frame, ink left over beside no candidate (a blurred tiny digit broken into specks below the
    smallest digit's height) is grown through pixels this much darker than the paper; a grown
    mark of small-digit size on the page's bright surface, in plain paper, is a candidate too,
    read from its gray at this threshold (see :func:`_faint_digits`). In a noisy frame, digits
    broken into pieces at ``ink_ratio`` are regrown through the gray smoothed more, thresholded
    at this (see :func:`_regrown`). 0: off (both)."""
    coarse_scale: int = 4
    """The frame is also looked at shrunk this many times, for digits whose strokes are too wide
    for the paper level's closing (``background_kernel`` x ``background_scale`` px): written large
    and close to the camera, such a stroke is taken for paper at full size (see
    :func:`_wide_strokes`). 1: off."""
