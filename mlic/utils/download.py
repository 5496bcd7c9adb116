"""Checkpoint downloads: cached, atomic, verified by sha256.

A URL is downloaded once into ``$MLIC_HOME/checkpoints`` (default
``~/.cache/mlic/checkpoints``) and read from there afterwards, with no
network. The file is written under a temporary name and renamed only after
its length and hash were checked, so an interrupted download never leaves a
file that looks complete. The expected hash is the full sha256 when the
caller knows it (the model zoo does), else the 8 hex digits OpenMMLab puts
in file names (``name_20231128-abcdef12.pth``); a mismatching file is
deleted and the error names both hashes. torch.hub's downloader is not
used because it checks only a hash prefix and gives no control over offline
errors; but a file already in torch hub's checkpoint cache
(``$TORCH_HOME/hub/checkpoints``, where torchvision and timm put ImageNet
weights) is used in place when its hash matches, so weights a user already
has are not fetched again.
"""
import hashlib
import os
import os.path as osp
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

from .fileio import atomic_write

CHUNK = 1 << 20
HASH_IN_NAME = re.compile(r'-([0-9a-f]{8,64})\.[A-Za-z0-9]+$')


class DownloadError(IOError):
    """A checkpoint could not be downloaded or failed verification."""


def mlic_home() -> str:
    return os.environ.get('MLIC_HOME') or osp.join(
        osp.expanduser('~'), '.cache', 'mlic')


def checkpoint_cache_dir() -> str:
    return osp.join(mlic_home(), 'checkpoints')


def torch_hub_checkpoint_dir() -> str:
    """torch hub's checkpoint cache (``torch.hub.get_dir()``, which honours
    ``$TORCH_HOME``), ``checkpoints`` folder."""
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_hash(name: str, sha256: Optional[str]) -> Optional[str]:
    if sha256:
        return sha256.lower()
    match = HASH_IN_NAME.search(name)
    return match.group(1) if match else None


def _matches(actual: str, expected: Optional[str]) -> bool:
    return expected is None or actual.startswith(expected)


def download_checkpoint(url: str,
                        sha256: Optional[str] = None,
                        timeout: float = 60.0) -> str:
    """Local path of the checkpoint at ``url``, downloading it if needed.

    Args:
        url (str): ``http(s)://`` URL.
        sha256 (str, optional): Full expected sha256 of the file.
        timeout (float): Seconds without data before giving up.

    Raises:
        DownloadError: offline or unreachable (and not cached), an HTTP
            error, a truncated transfer or a hash mismatch; the message says
            which, with the URL.
    """
    name = osp.basename(urllib.parse.urlparse(url).path)
    if not name:
        raise DownloadError(f'{url} does not name a file')
    expected = _expected_hash(name, sha256)
    folder = checkpoint_cache_dir()
    target = osp.join(folder, name)
    if osp.isfile(target):
        actual = sha256_of(target)
        if _matches(actual, expected):
            return target
        os.remove(target)  # corrupted or replaced: fetch it again
    in_hub = osp.join(torch_hub_checkpoint_dir(), name)
    if osp.isfile(in_hub) and _matches(sha256_of(in_hub), expected):
        return in_hub  # not ours to delete when it does not match

    def fetch_and_check(out) -> None:
        # Raising here leaves no file behind (atomic_write).
        actual, size, announced = _fetch(url, out, timeout, target)
        if announced is not None and size != announced:
            raise DownloadError(
                f'download of {url} was cut short: got {size} of '
                f'{announced} bytes')
        if not _matches(actual, expected):
            raise DownloadError(
                f'checksum mismatch for {url}: expected sha256 {expected}, '
                f'got {actual}; the downloaded file was deleted')

    atomic_write(target, fetch_and_check)
    return target


def _fetch(url, out, timeout, target):
    digest = hashlib.sha256()
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get('Content-Length')
            announced = int(length) if length is not None else None
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as err:
        raise DownloadError(
            f'cannot download {url}: HTTP {err.code} {err.reason}') from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, 'reason', err)
        raise DownloadError(
            f'cannot download {url} ({reason}) and {osp.basename(target)} is '
            f'not in the cache; check the network, or download that file by '
            f'hand and put it at {target} (or in torch hub\'s cache, '
            f'{torch_hub_checkpoint_dir()}); zoo models can also come from a '
            'mirror set by MLIC_MODEL_ZOO_BASE') from None
    return digest.hexdigest(), size, announced
