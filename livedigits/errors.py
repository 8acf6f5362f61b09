"""The one error type the package raises for problems a user can fix."""


class LivedigitsError(Exception):
    """A bad input, missing resource or unusable device, worded for the user.

    The CLI catches it once, prints ``livedigits: <message>`` on stderr and exits 2.
    """


class OutputClosed(LivedigitsError):
    """An output's reader went away (``--json - | head``, a broken pipe). The run stops there, as
    on Ctrl-C: the other outputs are kept, complete to the last frame."""
