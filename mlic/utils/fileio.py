import os
import os.path as osp
import tempfile
from typing import IO, Callable


def atomic_write(path: str, write: Callable[[IO], None],
                 mode: str = 'wb') -> None:
    """Write a file so that it is either complete or absent.

    ``write(f)`` fills a temporary file beside ``path`` (same file system),
    which is renamed over ``path`` only once ``write`` returned; on any
    error the temporary file is removed and ``path`` is left as it was.

    Args:
        path (str): Destination; its folder is created if needed.
        write (callable): Receives the open temporary file.
        mode (str): ``'wb'`` or ``'w'``. Defaults to ``'wb'``.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.tmp')
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
