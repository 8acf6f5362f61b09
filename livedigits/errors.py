"""The one error type the package raises for problems a user can fix, the path check OpenCV needs,
and the silencing of a stream whose reader went away."""

import os


class LivedigitsError(Exception):
    """A bad input, missing resource or unusable device, worded for the user.

    The CLI catches it once, prints ``livedigits: <message>`` on stderr and exits 2.
    """


class OutputClosed(LivedigitsError):
    """An output's reader went away (``--json - | head``, a broken pipe). The run stops there, as
    on Ctrl-C: the other outputs are kept, complete to the last frame."""


def is_utf8(name: str) -> bool:
    """Is ``name`` valid UTF-8 (no byte Python kept as a lone surrogate)? OpenCV's functions that
    take a file name (its video reader and writers, ``imwrite``, ``haveImageReader``) crash the
    process outright on one that is not."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def opencv_path(path) -> str:
    """``path`` as OpenCV's video reader and writers take it; LivedigitsError when its name is not
    valid UTF-8 (:func:`is_utf8`)."""
    name = str(path)
    if not is_utf8(name):
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        raise LivedigitsError(f"a video's file name must be valid UTF-8: {shown} (rename it)")
    return name


def silence(stream) -> None:
    """Point a standard stream whose reader went away (a broken pipe) at /dev/null: Python's
    recipe, else the stream's flush at exit prints a traceback."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
