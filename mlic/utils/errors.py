"""Errors that describe a user's file or path, not a bug in mlic.

The command-line tools turn these (and the checkpoint errors of
:mod:`mlic.utils.checkpoint`) into a
one-line ``error: ...`` and a non-zero exit instead of a traceback
(:func:`mlic.utils.cli.run_tool`); any other exception is a bug and keeps
its traceback.
"""


class InputFileError(ValueError):
    """A file given to mlic cannot be used: empty, truncated, not the
    expected format or not UTF-8. The message names the file (and the line
    where that helps) and what is wrong."""


class OutputPathError(ValueError):
    """An output cannot be written where it was asked for (its folder is
    missing or read-only, it would replace an input or an existing file,
    or its extension is not one the tool writes). Raised before any work;
    the message names the option, the path and the reason."""


class UnreadableImageError(IOError):
    """An image file is missing, truncated or not an image (raised by
    :class:`~mlic.datasets.transforms.CheckedLoadImageFromFile`, which
    re-exports it)."""


class ConfigError(ValueError):
    """A config whose values cannot work together (a schedule that does not
    end with the run, ...). The message names the key and the fix."""
