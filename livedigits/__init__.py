"""livedigits: recognise handwritten digits live in camera frames, videos and images.

The whole flow::

    from livedigits import Overlay, Recognizer, open_source
    recognizer, overlay = Recognizer(), Overlay()
    with open_source("0") as source:            # "0" is a camera; a path, URL or directory too
        for frame in source:                    # Frame: .image, .index, .source, .time_s
            reading = recognizer.read(frame.image)  # .digits, .lines, .numbers in reading order
            overlay.annotate(frame.image, reading)

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
