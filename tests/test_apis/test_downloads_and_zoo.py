import functools
import hashlib
import http.server
import os
import os.path as osp
import threading

import numpy as np
import pytest
import torch
import yaml

from mlic.apis import get_model, inference_model, init_model, list_models
from mlic.utils.download import DownloadError, download_checkpoint
from ..test_tools.helpers import REPO_ROOT, run_tool

CONFIG = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multidigits.py')


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; ``/cut/<name>`` announces more bytes than it sends."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path.startswith('/cut/'):
            data = open(osp.join(self.directory, self.path[5:]), 'rb').read()
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / 'served'
    root.mkdir()
    handler = functools.partial(_Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, root, f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    home = tmp_path / 'mlic_home'
    monkeypatch.setenv('MLIC_HOME', str(home))
    return home / 'checkpoints'


def _publish(root, model, stem='mlic_multidigits_20261128'):
    """Save a checkpoint under an OpenMMLab-style hashed name."""
    tmp = root / 'tmp.pth'
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(classes=[str(d) for d in range(10)]))),
        str(tmp))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f'{stem}-{digest[:8]}.pth'
    os.replace(tmp, root / name)
    return name, digest


@pytest.fixture(scope='module')
def tiny_model():
    torch.manual_seed(0)
    return init_model(CONFIG)


def test_download_is_cached_verified_and_offline_afterwards(
        server, cache, tiny_model):
    httpd, root, base = server
    name, digest = _publish(root, tiny_model)
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
    name, digest = _publish(root, tiny_model)
    wrong = name.replace(digest[:8], '0badc0de')
    os.rename(root / name, root / wrong)
    with pytest.raises(
            DownloadError, match=f'expected sha256 0badc0de, got {digest}'):
        download_checkpoint(f'{base}/{wrong}')
    assert not cache.exists() or not os.listdir(cache)


def test_truncated_http_errors_and_offline_are_clear(server, cache,
                                                     tiny_model):
    httpd, root, base = server
    name, _ = _publish(root, tiny_model)
    with pytest.raises(DownloadError, match='cut short'):
        download_checkpoint(f'{base}/cut/{name}')
    assert not cache.exists() or not os.listdir(cache)
    with pytest.raises(DownloadError, match='HTTP 404'):
        download_checkpoint(f'{base}/missing-12345678.pth')
    httpd.shutdown()
    httpd.server_close()
    with pytest.raises(DownloadError, match='not in the cache'):
        download_checkpoint(f'{base}/{name}')


def test_zoo_entry_downloads_from_a_mirror(server, cache, tiny_model, tmp_path,
                                           monkeypatch):
    _, root, base = server
    name, digest = _publish(root, tiny_model)
    zoo = tmp_path / 'zoo'
    zoo.mkdir()
    (zoo / 'model-index.yml').write_text(
        yaml.safe_dump(dict(Import=['metafile.yml'])))
    (zoo / 'metafile.yml').write_text(
        yaml.safe_dump(
            dict(Models=[
                dict(
                    Name='digits_private',
                    Config=CONFIG,
                    Weights=f'https://weights.example.invalid/v1/{name}',
                    Metadata={'Weights SHA256': digest})
            ])))
    monkeypatch.setenv('MLIC_MODEL_INDEX', str(zoo / 'model-index.yml'))
    monkeypatch.setenv('MLIC_MODEL_ZOO_BASE', base)
    assert list_models('digits*') == ['digits_private']
    model = get_model('digits_private')
    for key, value in tiny_model.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)

    # tools/test.py takes a URL checkpoint the same way (cached by now).
    code, out = run_tool(
        [
            'tools/test.py', CONFIG, f'{base}/{name}', '--work-dir',
            str(tmp_path / 't'), '--cfg-options'
        ] + [
            f'test_dataloader.dataset.data_root={tmp_path / "d"}',
            'test_dataloader.dataset.num_train=16',
            'test_dataloader.dataset.num_test=8',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False'
        ],
        env=dict(MLIC_HOME=os.environ['MLIC_HOME']))
    assert code == 0, out[-3000:]
    assert 'multi-label/mAP' in out


def test_repository_zoo_lists_every_config_and_says_when_no_weights():
    names = list_models()
    assert {
        'mlic_coco', 'mlic_voc2007', 'mlic_nuswide', 'mlic_vg500',
        'mlic_multidigits'
    } <= set(names)
    with pytest.raises(ValueError, match='no published weights'):
        get_model('mlic_coco')
    with pytest.raises(KeyError, match='not in the model zoo'):
        get_model('mlic_cocoa')


def test_inference_on_paths_arrays_and_thresholds(tiny_model, tmp_path):
    import cv2
    img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    path = str(tmp_path / 'x.png')
    cv2.imwrite(path, img)
    one = inference_model(tiny_model, path, threshold=0.0)
    assert one['pred_score'].shape == (10, )
    assert one['pred_label'] == sorted(
        range(10), key=lambda i: -one['pred_score'][i])
    assert one['pred_class'] == [str(i) for i in one['pred_label']]
    both = inference_model(tiny_model, [path, img], threshold=1.1)
    np.testing.assert_allclose(
        both[0]['pred_score'], both[1]['pred_score'], rtol=1e-5)
    assert both[0]['pred_label'] == []
    thr = tmp_path / 'thr.json'
    import json
    thr.write_text(
        json.dumps(
            dict(
                classes=[str(d) for d in range(10)],
                thresholds=[0.0] * 5 + [1.1] * 5)))
    per_label = inference_model(tiny_model, img, threshold=str(thr))
    assert sorted(per_label['pred_label']) == [0, 1, 2, 3, 4]
    with pytest.raises(FileNotFoundError, match='nope.png'):
        inference_model(tiny_model, str(tmp_path / 'nope.png'))


def test_image_demo_prints_and_draws(tiny_model, tmp_path):
    ckpt = tmp_path / 'digits.pth'
    torch.save(dict(state_dict=tiny_model.state_dict()), str(ckpt))
    out_file = tmp_path / 'out.png'
    code, out = run_tool([
        'demo/image_demo.py', 'demo/demo.png', CONFIG, '--checkpoint',
        str(ckpt), '--threshold', '0', '--out-file',
        str(out_file)
    ])
    assert code == 0, out
    lines = [
        line for line in out.splitlines() if ': 0.' in line or ': 1.' in line
    ]
    assert len(lines) == 10  # threshold 0: every label, with its score
    import cv2
    assert cv2.imread(str(out_file)).shape == (256, 256, 3)


def test_apis_import_in_one_direction():
    """The zoo looks names up; inference builds models from them."""
    import ast
    import os.path as osp

    import mlic.apis.model_zoo as zoo
    tree = ast.parse(open(zoo.__file__).read())
    imported = {
        node.module or ''
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    }
    assert not any('inference' in m for m in imported), imported
    from mlic.apis import get_model, inference
    assert get_model is inference.get_model
    assert osp.basename(zoo.__file__) == 'model_zoo.py'
