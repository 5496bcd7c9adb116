"""The reference-checkpoint converter against an independent
re-implementation of docs/method.md §1 laid out like the released
checkpoints (mlic.testing.ReferenceStyleMLIC)."""
import ast
import os.path as osp

import pytest
import torch
import torch.nn as nn

from mlic.apis import init_model
from mlic.testing import ReferenceStyleMLIC
from mlic.utils import safe_torch_load
from ..test_tools.helpers import REPO_ROOT, run_tool

KEYS_FILE = osp.join(REPO_ROOT, 'tests', 'data',
                     'official_checkpoint_keys.txt')


def official_layout():
    layout = {}
    with open(KEYS_FILE) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, shape = line.split(' ', 1)
                # literals like (80, 2048) or (): a tuple of ints, never code
                layout[name] = ast.literal_eval(shape.strip())
                assert isinstance(layout[name], tuple), line
    return layout


@pytest.fixture(scope='module')
def reference_coco(tmp_path_factory):
    torch.manual_seed(0)
    model = ReferenceStyleMLIC(num_classes=80).eval()
    # Non-trivial BatchNorm statistics, as in a trained checkpoint.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    state = {f'module.{k}': v for k, v in model.state_dict().items()}
    path = tmp_path_factory.mktemp('ref') / 'mlic_mscoco_ema.pth'
    torch.save(state, str(path))
    return model, state, path


def test_reference_layout_is_the_released_one(reference_coco):
    _, state, _ = reference_coco
    assert {k: tuple(v.shape) for k, v in state.items()} == official_layout()


def test_converted_model_reproduces_reference_logits(reference_coco, tmp_path):
    model, _, src = reference_coco
    dst = tmp_path / 'mlic_coco_converted.pth'
    code, out = run_tool(
        ['tools/model_converters/official2mlic.py',
         str(src),
         str(dst)])
    assert code == 0, out
    ckpt = safe_torch_load(str(dst))
    assert ckpt['meta']['dataset_meta']['classes'][:3] == [
        'person', 'bicycle', 'car'
    ]
    assert ckpt['meta']['config'] == 'configs/mlic/mlic_coco.py'

    converted = init_model(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_coco.py'), str(dst))
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        expected = model(x)
        got = converted(x, mode='tensor')
    rel = (got - expected).abs().max() / expected.abs().max()
    assert rel <= 1e-4, rel


def test_converter_names_unused_and_missing_keys(reference_coco, tmp_path):
    _, state, _ = reference_coco
    broken = dict(state)
    broken['module.extra.weight'] = torch.zeros(1)
    del broken['module.encoder.fc3_u.weight']
    src = tmp_path / 'broken.pth'
    torch.save(broken, str(src))
    code, out = run_tool([
        'tools/model_converters/official2mlic.py',
        str(src),
        str(tmp_path / 'out.pth')
    ])
    assert code != 0
    assert "source keys not used: ['extra.weight']" in out
    assert 'head.graph_encoder.candidate_state.weight' in out
    assert not (tmp_path / 'out.pth').exists()


@pytest.mark.parametrize('num_classes,dataset,steps,first', [
    (20, 'voc2007', 2, 'aeroplane'),
    (81, 'nuswide', 4, 'concept_0'),
    (500, 'vg500', 2, '0'),
])
def test_converter_other_datasets_and_keys_without_prefix(
        tmp_path, num_classes, dataset, steps, first):
    torch.manual_seed(1)
    model = ReferenceStyleMLIC(
        num_classes=num_classes, depth=50, num_steps=steps).eval()
    src = tmp_path / 'ref.pth'
    torch.save(model.state_dict(), str(src))  # no 'module.' prefix
    dst = tmp_path / 'mlic.pth'
    args = ['tools/model_converters/official2mlic.py', str(src), str(dst)]
    if dataset == 'nuswide':
        names = tmp_path / 'Concepts81.txt'
        names.write_text(''.join(f'concept_{i}\n' for i in range(81)))
        code, out = run_tool(args)
        assert code != 0 and '--label-file' in out
        args += ['--label-file', str(names)]
    code, out = run_tool(args)
    assert code == 0, out
    assert 'model.backbone.depth=50' in out
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', f'mlic_{dataset}.py'))
    cfg.merge_from_dict({'model.backbone.depth': 50})
    assert cfg.model.head.graph_encoder.num_steps == steps
    converted = init_model(cfg, str(dst))
    assert converted.dataset_meta['classes'][0] == first
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected, got = model(x), converted(x, mode='tensor')
    assert (got - expected).abs().max() / expected.abs().max() <= 1e-4
