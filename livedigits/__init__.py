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

__all__ = ["Digit", "LivedigitsError", "Number", "Overlay", "Reading", "Recognizer", "open_source", "__version__"]

# The rest is imported when first used: the command line starts (and answers --version, or a
# Ctrl-C) without loading OpenCV and onnxruntime first.
_LAZY = {
    "Digit": "livedigits.records",
    "Number": "livedigits.records",
    "Reading": "livedigits.records",
    "Overlay": "livedigits.overlay",
    "Recognizer": "livedigits.recognizer",
    "open_source": "livedigits.sources",
}


def __getattr__(name: str):
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    try:  # a submodule, as `import livedigits; livedigits.records` found it when all were imported
        return importlib.import_module(f"livedigits.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"livedigits.{name}":
            raise  # the submodule is there; something it imports is not
        raise AttributeError(f"module 'livedigits' has no attribute {name!r}") from None


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
