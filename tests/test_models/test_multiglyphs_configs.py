"""Every MultiGlyphs config (all rows of the benchmark) builds and runs one
training iteration through mmengine's runner, hooks included."""
import glob
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mlic.registry import RUNNERS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*multiglyphs.py'),
        recursive=True) if '_base_' not in p)
TINY = dict(num_train=4, num_test=4, seed=0)


def load_compare_methods():
    spec = importlib.util.spec_from_file_location(
        'compare_methods',
        osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'compare_methods.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_row_has_a_config():
    BENCHMARKS = load_compare_methods().BENCHMARKS
    rows = {osp.join(REPO_ROOT, c) for _, _, c in BENCHMARKS['multiglyphs']}
    assert rows == set(CONFIGS)
    assert len(CONFIGS) == 11


@pytest.mark.parametrize(
    'path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_trains_one_iteration(path, tmp_path_factory):
    data_root = str(tmp_path_factory.getbasetemp() / 'multiglyphs_tiny')
    cfg = Config.fromfile(path)
    assert cfg.model.backbone.strides == (1, 2, 2, 1)
    assert cfg.train_cfg.max_epochs == 10 and cfg.randomness.seed == 0
    cfg.work_dir = str(tmp_path_factory.mktemp('work'))
    # two steps: the one-cycle schedule ends with the run, and a 1-step
    # cycle is its final LR (4e-9), too small to move LayerNorm weights
    cfg.train_cfg = dict(by_epoch=True, max_epochs=2, val_interval=10)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.update(data_root=data_root, **TINY)
        cfg[loader].update(
            batch_size=4, num_workers=0, persistent_workers=False)
    # as the tools build it (QuietRunner: the schedule ends with the run)
    runner = RUNNERS.build(cfg)
    before = {
        n: p.detach().clone()
        for n, p in runner.model.named_parameters()
    }
    runner.train()
    assert runner.iter == 2
    changed = {
        n
        for n, p in runner.model.named_parameters()
        if not torch.equal(before[n], p)
    }
    # The optimiser stepped every head parameter (and the backbone's stem;
    # the residual branches start at zero, mmpretrain's zero_init_residual,
    # so their first gradient is zero).
    head = {n for n in before if n.startswith('head.')}
    assert head and head <= changed, sorted(head - changed)
    assert 'backbone.conv1.weight' in changed
    logits = runner.model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert logits.shape == (2, 30) and torch.isfinite(logits).all()


@pytest.mark.parametrize(
    'path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_model_creates_no_cpu_tensor_on_another_device(path):
    """A model moved to the 'meta' device must run its forward there: a
    tensor made on the CPU inside forward (or inside the label-graph setup
    that LabelCooccurrenceHook calls on the model's device) fails as it
    would on a GPU. The ML-GCN head's self loops once did, and only a GPU
    run found it."""
    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    model_cfg = Config.fromfile(path).model
    num_classes = model_cfg.head.num_classes
    assert num_classes == 30
    model = MODELS.build(model_cfg).to('meta')
    if hasattr(model.head, 'set_label_statistics'):
        counts = torch.arange(1., num_classes + 1)
        model.head.set_label_statistics(
            torch.diag(counts).to('meta'), counts.to('meta'))
    scores = model(torch.randn(2, 3, 64, 64, device='meta'), mode='tensor')
    assert scores.device.type == 'meta'
    assert scores.shape == (2, num_classes)
