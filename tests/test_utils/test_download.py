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
    with pytest.raises(DownloadError, match='not in the cache') as error:
        download_checkpoint(f'{base}/{name}')
    # the exact URL, the file name and where to put it
    assert f'{base}/{name}' in str(error.value)
    assert f'put it at {cache / name}' in str(error.value)


def test_a_copy_in_torch_hub_cache_is_used_when_its_hash_matches(
        server, cache, tiny_model, tmp_path, monkeypatch):
    import shutil
    httpd, root, base = server
    name, _ = publish(root, tiny_model)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    hub = tmp_path / 'torch_home' / 'hub' / 'checkpoints'
    hub.mkdir(parents=True)
    shutil.copy(root / name, hub / name)
    assert download_checkpoint(f'{base}/{name}') == str(hub / name)
    assert httpd.hits == []  # nothing fetched
    # a different file under that name is not trusted: fetched, verified
    (hub / name).write_bytes(b'something else')
    assert download_checkpoint(f'{base}/{name}') == str(cache / name)
    assert len(httpd.hits) == 1 and (hub / name).read_bytes() == \
        b'something else'  # torch hub's file is left alone
