"""livedigits: recognise handwritten digits live in camera frames, videos and images.

The whole flow::

    from livedigits import Recognizer, Overlay, open_source
    recognizer, overlay = Recognizer(), Overlay()
    for frame in open_source("0"):              # "0" is a camera; a path is a video or image
        digits = recognizer.recognize(frame)    # list[Digit]: box, digit, confidence
        overlay.annotate(frame, digits)

The runtime needs OpenCV, onnxruntime and numpy only; TensorFlow is for training (``train/``).
"""

__version__ = "0.1.0"

from livedigits.errors import LivedigitsError  # noqa: E402
from livedigits.recognizer import Digit, Recognizer  # noqa: E402

__all__ = ["Digit", "LivedigitsError", "Recognizer", "__version__"]
