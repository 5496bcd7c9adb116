"""Datasets that mlic renders itself: one folder per parameter set.

MultiDigits and MultiGlyphs are generated on first use. Both need the same
guarantees, so they live here once:

- the folder is written into a temporary sibling and renamed at the end, so
  an interrupted run or a second process (distributed training) never sees
  half a dataset;
- ``meta.json`` records the parameters, and a folder generated with other
  parameters is refused instead of silently reused;
- the folder gets the permissions of a plain ``mkdir`` under the user's
  umask (``mkdtemp`` alone makes it 0700);
- the temporary folder of a generation that was killed (its owner process
  is gone) is removed by the next generation beside it.
"""
import json
import os
import os.path as osp
import shutil
import socket
import tempfile
from typing import Callable

OWNER_FILE = '.owner'


def generation_params(format_version: int, num_train: int, num_test: int,
                      image_size: int, seed: int) -> dict:
    """The parameters recorded in ``meta.json`` of a generated folder."""
    return dict(
        format_version=format_version,
        num_train=num_train,
        num_test=num_test,
        image_size=image_size,
        seed=seed)


def generate_atomically(root: str, params: dict, fill: Callable[[str], None],
                        prefix: str) -> None:
    """Run ``fill(tmp_folder)``, add ``meta.json`` and rename to ``root``.

    Args:
        root (str): The folder to create.
        params (dict): Written to ``meta.json``.
        fill (callable): Writes the dataset files into the folder it gets.
        prefix (str): Name prefix of the temporary sibling folder.
    """
    parent = osp.dirname(osp.abspath(root))
    os.makedirs(parent, exist_ok=True)
    remove_abandoned_folders(parent, prefix)
    tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)
        with open(osp.join(tmp, OWNER_FILE), 'w') as f:
            f.write(f'{socket.gethostname()} {os.getpid()}\n')
        fill(tmp)
        os.remove(osp.join(tmp, OWNER_FILE))
        with open(osp.join(tmp, 'meta.json'), 'w') as f:
            json.dump(params, f, indent=1)
        try:
            os.rename(tmp, root)
        except OSError:
            if not osp.isfile(osp.join(root, 'meta.json')):
                raise
            # Another process finished first; its files are identical.
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_abandoned_folders(parent: str, prefix: str) -> None:
    """Delete ``parent/<prefix>*`` folders left by killed generations.

    A folder is abandoned when its owner file names this host and a process
    id that no longer runs. Folders of live processes (another rank
    generating now), of other hosts (a shared file system) or without an
    owner file are left alone.
    """
    host = socket.gethostname()
    for name in os.listdir(parent):
        folder = osp.join(parent, name)
        if not name.startswith(prefix) or not osp.isdir(folder):
            continue
        try:
            with open(osp.join(folder, OWNER_FILE)) as f:
                owner_host, pid = f.read().split()
            pid = int(pid)
        except (OSError, ValueError):
            continue
        if owner_host != host or _process_alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def ensure_generated(root: str, params: dict, generate: Callable[[], None],
                     name: str) -> None:
    """Generate ``root`` if it is missing or empty, else check its params.

    Args:
        root (str): The dataset folder.
        params (dict): The parameters the config asks for.
        generate (callable): Creates ``root`` (through
            :func:`generate_atomically`).
        name (str): Dataset name for the error messages.

    Raises:
        FileExistsError: ``root`` holds something that is not this dataset.
        ValueError: ``root`` was generated with other parameters.
    """
    if not osp.exists(root) or (osp.isdir(root) and not os.listdir(root)):
        generate()
        return
    meta_file = osp.join(root, 'meta.json')
    if not osp.isfile(meta_file):
        raise FileExistsError(
            f'{root} exists but has no meta.json, so it is not a {name} '
            'folder; choose another data_root')
    with open(meta_file) as f:
        found = json.load(f)
    if found != params:
        raise ValueError(
            f'{meta_file} was generated with {found}, but the config asks '
            f'for {params}; delete {root} or use another data_root')
