"""download_checkpoint: cached, verified by sha256, offline afterwards,
clear errors."""
import hashlib
import os

import pytest

from mlic.utils.download import DownloadError, download_checkpoint
from ..zoo_fixtures import publish


def test_download_is_cached_verified_and_offline_afterwards(
        server, cache, tiny_model):
    httpd, root, base = server
    name, digest = publish(root, tiny_model)
    path = download_checkpoint(f'{base}/{name}')
    assert path == str(cache / name)
    assert hashlib.sha256(open(path, 'rb').read()).hexdigest() == digest
    assert not [p for p in os.listdir(cache) if p.endswith('.part')]
    httpd.shutdown()  # offline from now on
    assert download_checkpoint(f'{base}/{name}') == path
    assert len(httpd.hits) == 1


def test_hash_mismatch_deletes_and_names_both_hashes(server, cache,
                                                     tiny_model):
    _, root, base = server
    name, digest = publish(root, tiny_model)
    wrong = name.replace(digest[:8], '0badc0de')
    os.rename(root / name, root / wrong)
    with pytest.raises(
            DownloadError, match=f'expected sha256 0badc0de, got {digest}'):
        download_checkpoint(f'{base}/{wrong}')
    assert not cache.exists() or not os.listdir(cache)


def test_truncated_http_errors_and_offline_are_clear(server, cache,
                                                     tiny_model):
    httpd, root, base = server
    name, _ = publish(root, tiny_model)
    with pytest.raises(DownloadError, match='cut short'):
        download_checkpoint(f'{base}/cut/{name}')
    assert not cache.exists() or not os.listdir(cache)
    with pytest.raises(DownloadError, match='HTTP 404'):
        download_checkpoint(f'{base}/missing-12345678.pth')
    httpd.shutdown()
    httpd.server_close()
    with pytest.raises(DownloadError, match='not in the cache'):
        download_checkpoint(f'{base}/{name}')
