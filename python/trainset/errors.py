"""Errors a user can cause. The CLI prints them as one line, no traceback."""


class TrainsetError(Exception):
    """A problem with the user's input, project or data, not a bug."""
