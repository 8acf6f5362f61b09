"""The one error type the package raises for problems a user can fix, and the path check OpenCV needs."""

import os


class LivedigitsError(Exception):
    """A bad input, missing resource or unusable device, worded for the user.

    The CLI catches it once, prints ``livedigits: <message>`` on stderr and exits 2.
    """


class OutputClosed(LivedigitsError):
    """An output's reader went away (``--json - | head``, a broken pipe). The run stops there, as
    on Ctrl-C: the other outputs are kept, complete to the last frame."""


def opencv_path(path) -> str:
    """``path`` as OpenCV's video reader and writers take it; LivedigitsError when its name is not
    valid UTF-8 (a Latin-1 byte kept by Python as a lone surrogate), on which they crash the
    process outright."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        raise LivedigitsError(f"a video's file name must be valid UTF-8: {shown} (rename it)") from None
    return name
