"""benchmark_reference_step.py: the reference-style step computes mlic's
losses on the same weights (else the tool refuses to time), and the tool
prints both sides. No speed is asserted."""
import importlib.util
import json
import os.path as osp
import re

import pytest
import torch

from ..test_tools.helpers import REPO_ROOT, run_tool

TOOL = '.dev_scripts/benchmark_reference_step.py'
# ResNet-18 keeps the toy run short; torchvision and mmpretrain name its
# basic blocks alike, so the weight renaming is exercised as for depth 101.
SMALL = ['--cfg-options', 'model.backbone.depth=18']


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('benchmark_reference_step',
                                                  osp.join(REPO_ROOT, TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_pair(tool):
    from mmengine.config import Config

    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/mlic/mlic_coco.py'))
    cfg.merge_from_dict({'model.backbone.depth': 18})
    cfg.model.backbone.pop('init_cfg')
    torch.manual_seed(0)
    ours = MODELS.build(cfg.model)
    return cfg, ours, tool.build_reference(cfg, ours)


def test_reference_step_has_mlic_losses_and_gradients(tool):
    cfg, ours, reference = build_pair(tool)
    gen = torch.Generator().manual_seed(0)
    batch = tool.make_batch(2, (64, 64), 80, gen)
    bce, ctr = tool.check_same_function(cfg, ours, reference, batch)
    assert bce > 0 and ctr > 0

    # gradients too, dropout off, on the renamed parameters
    tool.set_dropout(ours, 0.0)
    tool.set_dropout(reference, 0.0)
    (x, y), data = batch
    processed = ours.data_preprocessor(data, True)
    losses = ours(processed['inputs'], processed['data_samples'], mode='loss')
    (losses['loss'] + losses['loss_contrastive']).backward()
    sum(reference.losses(x, y)).backward()
    theirs = dict(reference.named_parameters())
    for name, param in ours.named_parameters():
        other = theirs[tool.to_reference_name(name)].grad
        scale = other.abs().max().clamp(min=1e-6)
        assert (param.grad - other).abs().max() / scale < 1e-3, name


def test_check_refuses_a_different_function(tool):
    cfg, ours, reference = build_pair(tool)
    with torch.no_grad():
        reference.fc.bias.add_(1.0)
    gen = torch.Generator().manual_seed(0)
    batch = tool.make_batch(2, (64, 64), 80, gen)
    with pytest.raises(SystemExit, match='do not compute the same'):
        tool.check_same_function(cfg, ours, reference, batch)


def test_tool_prints_both_sides(tmp_path):
    out_json = tmp_path / 'figures.json'
    code, out = run_tool([
        TOOL, '--batch-size', '2', '--shape', '64', '64', '--rounds', '1',
        '--iters', '1', '--warmup', '0', '--profile', '3', '--out-json',
        str(out_json)
    ] + SMALL)
    assert code == 0, out
    assert 'losses checked equal first' in out
    rows = dict(re.findall(r'^\| (reference|mlic) \| ([\d.]+) \|', out, re.M))
    assert set(rows) == {'reference', 'mlic'}
    assert 'reference: top 3 operators by self CPU time' in out
    assert 'mlic: top 3 operators by self CPU time' in out
    figures = json.loads(out_json.read_text())
    assert figures['ms_per_step'] == pytest.approx(
        {
            k: float(v)
            for k, v in rows.items()
        }, abs=0.5)
    assert figures['speedup'] == pytest.approx(
        figures['ms_per_step']['reference'] / figures['ms_per_step']['mlic'])
