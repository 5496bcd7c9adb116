import json
import os
import os.path as osp
import tempfile
from typing import IO, Callable, Union

from mmengine.fileio import LocalBackend, register_backend

from .errors import InputFileError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str,
                 write: Callable[[IO], None],
                 mode: str = 'wb') -> None:
    """Write a file so that it is either complete or absent.

    ``write(f)`` fills a temporary file beside ``path`` (same file system),
    which is flushed, fsynced and renamed over ``path`` only once ``write``
    returned; the folder is fsynced after the rename so the new name
    survives a power cut. On any error the temporary file is removed,
    ``path`` is left as it was and the error names ``path``. The file gets
    the permissions of a plain ``open`` under the user's umask (``mkstemp``
    alone would make it 0600).

    Args:
        path (str): Destination; its folder is created if needed.
        write (callable): Receives the open temporary file.
        mode (str): ``'wb'`` or ``'w'``. Defaults to ``'wb'``.

    Raises:
        OSError: The write, flush or rename failed (disk full, I/O error);
            the message names ``path``.
    """
    folder = osp.dirname(osp.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    except OSError as err:  # no folder, not writable, a file in the way
        raise OSError(err.errno, f'could not write {path}: {err}') from err
    try:
        os.chmod(tmp, 0o666 & ~_current_umask())
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        if type(err).__module__ != 'builtins':
            raise  # an error of the caller's own (e.g. a failed download)
        raise OSError(err.errno, f'could not write {path}: {err}') from err
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; the data is safe
    finally:
        os.close(fd)


@register_backend('mlic_atomic_local')
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose ``put``/``put_text`` write through
    :func:`atomic_write`.

    Checkpoints are written by mmengine as ``backend.put(bytes, path)``; the
    stock backend opens ``path`` for writing directly, so a kill or a full
    disk leaves a truncated file under a valid name. Used by
    :class:`~mlic.engine.hooks.SafeCheckpointHook` (``backend_args=dict(
    backend='mlic_atomic_local')``) and by any mmengine component given
    those ``backend_args``.
    """

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        atomic_write(str(filepath), lambda f: f.write(obj))

    def put_text(self,
                 obj: str,
                 filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        atomic_write(str(filepath), lambda f: f.write(obj.encode(encoding)))


def read_text(path: str) -> str:
    """A UTF-8 text file's content; a leading byte-order mark is dropped.

    Raises:
        InputFileError: (a ``ValueError``) a folder, or not UTF-8; the
            message names the file, the line and the offending bytes.
    """
    if osp.isdir(path):
        raise InputFileError(f'{path} is a folder, not a file')
    with open(path, 'rb') as f:  # FileNotFoundError names the path
        data = f.read()
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b'\n') + 1
        raise InputFileError(
            f'{path}, line {line}: not UTF-8 text (bytes '
            f'{data[err.start:err.end]!r}); save the file as UTF-8') from None


def read_json(path: str):
    """A JSON file's value. Reused: :mod:`json`; only the errors differ.

    Raises:
        InputFileError: empty, not UTF-8 or not JSON; names the file, line
            and column.
    """
    text = read_text(path)
    if not text.strip():
        raise InputFileError(f'{path} is empty; expected JSON')
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFileError(f'{path}, line {err.lineno}, column '
                             f'{err.colno}: not JSON ({err.msg})') from None


def read_json_lines(path: str) -> list:
    """One JSON object per line (mmengine's ``scalars.json`` logs; blank
    lines skipped).

    Raises:
        InputFileError: not UTF-8, a line that is not JSON or not an
            object; names the file and the line.
    """
    records = []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputFileError(f'{path}, line {number}, column {err.colno}'
                                 f': not JSON ({err.msg})') from None
        if not isinstance(record, dict):
            raise InputFileError(f'{path}, line {number}: a JSON '
                                 f'{type(record).__name__}, expected an '
                                 'object')
        records.append(record)
    return records


def _marked_span(page: str, path: str, begin: str, end: str) -> tuple:
    """``(start, stop)`` of what ``page`` (the text of ``path``) holds
    between the ``begin`` marker and the first ``end`` after it.

    Raises:
        ValueError: A marker is missing, or ``begin`` occurs more than once;
            the message names the file and the marker.
    """
    count = page.count(begin)
    if count != 1:
        raise ValueError(f'{path} has {count} "{begin}" markers; the marked '
                         f'section needs exactly one, closed by "{end}"')
    start = page.index(begin) + len(begin)
    stop = page.find(end, start)
    if stop < 0:
        raise ValueError(f'{path}: "{begin}" is not closed by "{end}"')
    return start, stop


def read_marked_section(path: str, begin: str, end: str) -> str:
    """What a Markdown file holds between two marker lines, as
    :func:`replace_marked_section` wrote it (without the newline that ends
    the ``begin`` line).

    Raises:
        ValueError: as :func:`replace_marked_section`.
    """
    with open(path, encoding='utf-8') as f:
        page = f.read()
    start, stop = _marked_span(page, path, begin, end)
    return page[start:stop].removeprefix('\n')


def replace_marked_section(path: str, begin: str, end: str, text: str) -> None:
    """Replace what a Markdown file holds between two marker lines.

    The tools that write tables into the docs (``compare_methods.py
    --update-doc``, ``multiglyphs_protocol.py table --update-doc``) keep
    the rest of the page as it is; the page is rewritten with
    :func:`atomic_write`.

    Args:
        path (str): The Markdown file.
        begin (str): The opening marker, e.g.
            ``'<!-- compare_methods:multiglyphs -->'``; it must occur once.
        end (str): The closing marker, the first one after ``begin``.
        text (str): The new content, written on the lines between.

    Raises:
        ValueError: A marker is missing, or ``begin`` occurs more than once;
            the message names the file and the marker.
    """
    with open(path, encoding='utf-8') as f:
        page = f.read()
    start, stop = _marked_span(page, path, begin, end)
    page = page[:start] + '\n' + text.rstrip('\n') + '\n' + page[stop:]
    atomic_write(path, lambda f: f.write(page), mode='w')
