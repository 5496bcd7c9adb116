"""The edges of mlic's command-line tools: argument types with ranges,
output checks made before any work, and one way to report a user's
mistake.

Reused: argparse's ``type=`` hook (a type that raises
``ArgumentTypeError`` makes argparse print the usage and the value at
fault, exit status 2); ``cv2.haveImageWriter`` decides which image
extensions can be written. Neither mmengine nor mmpretrain checks a tool's
outputs before it runs (their tools fail when they first write, after the
work), so the checks here are mlic's own.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Callable, Iterable, List, Optional, Sequence

from .errors import (ConfigError, InputFileError, OutputPathError,
                     UnreadableImageError)


def score_arg(text: str) -> float:
    """A score threshold in [0, 1] (NaN refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a number')
    if not 0 <= value <= 1:  # also refuses NaN
        raise argparse.ArgumentTypeError(f'{text} is not a score in [0, 1]')
    return value


def threshold_arg(text: str):
    """A score in [0, 1], or the path of a per-label thresholds JSON file
    (read and checked against the model's labels later)."""
    if text.endswith('.json'):
        return text
    try:
        float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{text!r} is neither a number nor a .json thresholds file')
    return score_arg(text)


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{text!r} is not an integer')
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f'{text} is not at least {minimum}')
        return value

    parse.__name__ = f'integer >= {minimum}'  # argparse names it on errors
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def _inside(path: str, folder: str) -> bool:
    path, folder = osp.realpath(path), osp.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _folder_problem(path: str) -> str:
    """Why files cannot be created in ``path``'s folder, or ''."""
    folder = osp.dirname(osp.abspath(path))
    # the nearest folder that exists: tools create missing ones below it
    while not osp.exists(folder) and osp.dirname(folder) != folder:
        folder = osp.dirname(folder)
    if not osp.isdir(folder):
        return f'{folder} is a file, not a folder'
    if not os.access(folder, os.W_OK | os.X_OK):
        return f'its folder {folder} is not writable'
    return ''


def output_file_problems(path: Optional[str],
                         option: str,
                         *,
                         force: bool = False,
                         inputs: Iterable[str] = (),
                         suffixes: Optional[Sequence[str]] = None,
                         image: bool = False,
                         create_folder: bool = True) -> List[str]:
    """What stops a tool from writing the file ``path``, as messages.

    Args:
        path (str, optional): The output; None or '' checks nothing.
        option (str): The option's name for the messages (``--out``).
        force (bool): Replacing an existing file is allowed.
        inputs (iterable of str): Files the tool reads; the output must not
            be one of them, ``force`` or not.
        suffixes (sequence of str, optional): Allowed endings
            (``('.pkl',)``).
        image (bool): The file is an image written by OpenCV: its
            extension must be one OpenCV can encode.
        create_folder (bool): The tool creates a missing folder (then the
            nearest existing parent must be writable); else the folder must
            exist.
    """
    if not path:
        return []
    problems = []
    if osp.isdir(path):
        return [f'{option} {path} is a folder; give a file name']
    if suffixes and not path.lower().endswith(tuple(suffixes)):
        problems.append(f'{option} {path} must end with '
                        f'{" or ".join(suffixes)}')
    if image:
        import cv2
        if not cv2.haveImageWriter(path):
            problems.append(f'{option} {path}: OpenCV writes no image of '
                            'that extension (use .png or .jpg)')
    clash = next(
        (p for p in inputs
         if osp.exists(p) and osp.exists(path) and osp.samefile(p, path)),
        None)
    if clash is not None:
        problems.append(f'{option} {path} is the input file {clash}; '
                        'choose another name')
    elif osp.exists(path) and not force:
        problems.append(f'{option} {path} exists; pass --force to replace '
                        'it')
    folder = osp.dirname(osp.abspath(path))
    if not create_folder and not osp.isdir(folder):
        problems.append(f'cannot write {option} {path}: its folder {folder} '
                        'does not exist')
    else:
        reason = _folder_problem(path)
        if reason:
            problems.append(f'cannot write {option} {path}: {reason}')
    return problems


def output_dir_problems(path: Optional[str],
                        option: str,
                        *,
                        inputs: Iterable[str] = (),
                        files: Iterable[str] = (),
                        force: bool = False,
                        force_flag: str = '--force') -> List[str]:
    """What stops a tool from writing into the folder ``path``.

    Args:
        path (str, optional): The output folder; None or '' checks nothing.
        option (str): The option's name for the messages (``--out-dir``).
        inputs (iterable of str): Files or folders the tool reads; the
            folder must not be one of them nor hold one.
        files (iterable of str): The names the tool will write in it; any
            that exists is refused unless ``force``.
        force (bool): Replacing existing files is allowed.
        force_flag (str): The option that sets ``force``, for the message.
    """
    if not path:
        return []
    inside = next((p for p in inputs if _inside(p, path)), None)
    if inside is not None:
        return [
            f'{option} {path} holds the input {inside}: the outputs could '
            'replace the inputs; choose another folder'
        ]
    if osp.exists(path) and not osp.isdir(path):
        return [f'{option} {path} is a file, not a folder']
    problems = []
    existing = [f for f in files if osp.exists(osp.join(path, f))]
    if existing and not force:
        problems.append(f'{option} {path} already has {len(existing)} of the '
                        f'files this writes ({existing[0]}, ...); pass '
                        f'{force_flag} to replace them')
    if osp.isdir(path):
        if not os.access(path, os.W_OK | os.X_OK):
            problems.append(f'cannot write {option} {path}: it is not '
                            'writable')
    else:
        reason = _folder_problem(osp.join(path, 'x'))
        if reason:
            problems.append(f'cannot write {option} {path}: {reason}')
    return problems


def refuse(problems: Sequence[str]) -> None:
    """Raise :class:`OutputPathError` with every problem, if any."""
    if problems:
        raise OutputPathError('; '.join(problems))


def user_errors() -> tuple:
    """The exception types that describe the user's input, not a bug."""
    from .checkpoint import (CheckpointMismatchError, CheckpointReadError,
                             UnsafeCheckpointError)
    from .download import DownloadError
    return (InputFileError, OutputPathError, ConfigError,
            CheckpointMismatchError, CheckpointReadError,
            UnsafeCheckpointError, UnreadableImageError, DownloadError,
            FileNotFoundError)


def run_tool(main: Callable[[], object]) -> None:
    """Run a tool's ``main``; a user's mistake (:func:`user_errors`) ends it
    with ``error: <message>`` on stderr and exit status 1, anything else
    keeps its traceback."""
    try:
        main()
    except user_errors() as err:
        sys.exit(f'error: {err}')
