"""livedigits: recognise handwritten digits live in camera frames, videos and images.

The whole flow::

    from livedigits import Overlay, Recognizer, open_source
    recognizer, overlay = Recognizer(), Overlay()
    for frame in open_source("0"):              # "0" is a camera; a path is a video or image
        reading = recognizer.read(frame)        # .digits, .lines, .numbers in reading order
        overlay.annotate(frame, reading.digits)

The runtime needs OpenCV, onnxruntime and numpy only; TensorFlow is for training
(``livedigits.train``, installed with ``pip install 'livedigits[train]'``).
"""

__version__ = "0.1.0"

from livedigits.errors import LivedigitsError  # noqa: E402
from livedigits.overlay import Overlay  # noqa: E402
from livedigits.recognizer import Recognizer  # noqa: E402
from livedigits.records import Digit, Number, Reading  # noqa: E402
from livedigits.sources import open_source  # noqa: E402

__all__ = ["Digit", "LivedigitsError", "Number", "Overlay", "Reading", "Recognizer", "open_source", "__version__"]
