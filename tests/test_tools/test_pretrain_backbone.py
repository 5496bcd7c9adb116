"""tools/misc/pretrain_backbone.py: the same small pretraining twice gives
the same checkpoint bytes; the checkpoint loads through init_cfg; the
linear probe separates what is separable; and the shipped SingleGlyphs
checkpoint matches its recorded hash."""
import hashlib
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import torch

from .helpers import REPO_ROOT, run_tool

TOOL = osp.join(REPO_ROOT, 'tools', 'misc', 'pretrain_backbone.py')
SHIPPED = osp.join(REPO_ROOT, 'checkpoints',
                   'resnet18-narrow_singleglyphs.pth')
SHIPPED_SHA256 = \
    '8920231a5284b1411d2fb194727b540cd9bd26f6b6481e05d886fa61dc127430'


def load_tool():
    spec = importlib.util.spec_from_file_location('pretrain_backbone', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def small_options(data_root, epochs=3):
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.dataset.data_root={data_root}',
            f'{loader}.dataset.num_train=192', f'{loader}.dataset.num_test=60'
        ]
    return opts + [
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'param_scheduler.0.end={epochs}', f'param_scheduler.1.end={epochs}'
    ]


def test_pretraining_is_deterministic_and_loads_as_pretrained(tmp_path):
    data = str(tmp_path / 'singleglyphs')
    hashes = []
    for run in ('a', 'b'):
        out = str(tmp_path / f'{run}.pth')
        code, text = run_tool([
            TOOL, '--work-dir',
            str(tmp_path / run), '--out', out, '--no-probe', '--cfg-options'
        ] + small_options(data))
        assert code == 0, text
        assert 'SingleGlyphs test top-1 accuracy' in text
        report = json.loads(open(out + '.json').read())
        with open(out, 'rb') as f:
            assert report['sha256'] == hashlib.sha256(f.read()).hexdigest()
        hashes.append(report['sha256'])
    assert hashes[0] == hashes[1]
    # a second call on a finished work dir reuses the run
    code, text = run_tool([
        TOOL, '--work-dir',
        str(tmp_path / 'a'), '--out',
        str(tmp_path / 'c.pth'), '--no-probe', '--cfg-options'
    ] + small_options(data))
    assert code == 0 and 'training skipped' in text, text

    from mmengine.config import Config

    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic',
                 'mlic_singleglyphs-pre_multiglyphs-val.py'))
    cfg.model.backbone.init_cfg.checkpoint = str(tmp_path / 'a.pth')
    model = MODELS.build(cfg.model)
    model.init_weights()
    saved = torch.load(str(tmp_path / 'a.pth'), weights_only=True)
    assert all(v.dtype != torch.float32 for v in saved['state_dict'].values())
    for name, value in model.backbone.state_dict().items():
        assert torch.equal(value, saved['state_dict'][name].to(value.dtype))


def test_linear_probe_separates_informative_features():
    tool = load_tool()
    rng = np.random.default_rng(0)
    labels = (rng.random((400, 5)) < 0.3).astype(np.float32)
    informative = labels @ rng.normal(size=(5, 16)) + 0.1 * rng.normal(
        size=(400, 16))
    noise = rng.normal(size=(400, 16))
    good = tool.linear_probe((informative[:300], labels[:300]),
                             (informative[300:], labels[300:]))
    bad = tool.linear_probe((noise[:300], labels[:300]),
                            (noise[300:], labels[300:]))
    assert good > 95 and bad < 60


def test_backbone_state_refuses_a_file_without_backbone():
    tool = load_tool()
    with pytest.raises(ValueError, match='no backbone'):
        tool.backbone_state({'head.fc.weight': torch.zeros(2, 2)})
    state = tool.backbone_state({
        'backbone.conv.weight':
        torch.ones(2),
        'backbone.bn.num_batches_tracked':
        torch.tensor(3),
        'head.fc.weight':
        torch.ones(1)
    })
    assert state['conv.weight'].dtype == torch.float16
    assert state['bn.num_batches_tracked'].dtype == torch.int64
    assert set(state) == {'conv.weight', 'bn.num_batches_tracked'}


def test_shipped_checkpoint_matches_its_hash_and_report():
    with open(SHIPPED, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == SHIPPED_SHA256
    with open(SHIPPED + '.json') as f:
        report = json.load(f)
    assert report['sha256'] == SHIPPED_SHA256
    assert osp.getsize(SHIPPED) <= 10 * 2**20
