"""OneCycleLR: weights-only-safe state, peak from the optimiser lr, and
--auto-scale-lr's base batch size."""
import io

import pytest
import torch
from mmengine.optim import OptimWrapper

from mlic.registry import PARAM_SCHEDULERS
from mlic.utils import safe_torch_load


def _optimizer():
    model = torch.nn.Linear(2, 2)
    return torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999))


def test_one_cycle_state_is_weights_only_safe():
    wrapper = OptimWrapper(_optimizer())
    sched = PARAM_SCHEDULERS.build(
        dict(
            type='OneCycleLR',
            eta_max=1e-4,
            total_steps=10,
            anneal_strategy='linear',
            by_epoch=False),
        default_args=dict(optimizer=wrapper))
    for _ in range(3):
        sched.step()
    buffer = io.BytesIO()
    torch.save(sched.state_dict(), buffer)
    buffer.seek(0)
    state = safe_torch_load(buffer)

    other = PARAM_SCHEDULERS.build(
        dict(type='OneCycleLR', eta_max=1e-4, total_steps=10, by_epoch=False),
        default_args=dict(optimizer=OptimWrapper(_optimizer())))
    other.load_state_dict(state)
    assert other.anneal_func == other._annealing_linear
    assert other.last_step == sched.last_step


def test_one_cycle_peak_follows_the_optimizer_lr(monkeypatch):
    import mlic.engine.schedulers.one_cycle_lr as module
    logged = []
    monkeypatch.setattr(module, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    opt = torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=3e-4)
    sched = PARAM_SCHEDULERS.build(
        dict(type='OneCycleLR', total_steps=10, pct_start=0.2, by_epoch=False),
        default_args=dict(optimizer=OptimWrapper(opt)))
    assert opt.param_groups[0]['max_lr'] == pytest.approx(3e-4)
    peaks = []
    for _ in range(9):
        peaks.append(opt.param_groups[0]['lr'])
        sched.step()
    assert max(peaks) == pytest.approx(3e-4)
    assert not logged

    # An explicit eta_max that disagrees with the optimizer wins, loudly.
    opt = torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=3e-4)
    PARAM_SCHEDULERS.build(
        dict(type='OneCycleLR', eta_max=1e-4, total_steps=10, by_epoch=False),
        default_args=dict(optimizer=OptimWrapper(opt)))
    assert opt.param_groups[0]['max_lr'] == pytest.approx(1e-4)
    assert len(logged) == 1
    assert 'OneCycleLR(eta_max=0.0001)' in logged[0]
    assert 'lr=0.0003 is ignored' in logged[0]


def test_auto_scale_lr_needs_a_base_batch_size(tmp_path, monkeypatch):
    import importlib.util
    import os.path as osp
    import sys

    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(root, 'tools', 'train.py'))
    train_tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_tool)
    # the tool's own parser, so new options get their defaults
    monkeypatch.setattr(sys, 'argv', [
        'train.py', 'my_config.py', '--work-dir',
        str(tmp_path), '--auto-scale-lr'
    ])
    args = train_tool.parse_args()
    bare = Config(dict(optim_wrapper=dict(optimizer=dict(lr=0.1))))
    with pytest.raises(
            ValueError,
            match='my_config.py has no auto_scale_lr.base_batch_'
            'size.*auto_scale_lr = dict'):
        train_tool.merge_args(bare, args)
    cfg = Config.fromfile(
        osp.join(root, 'configs', 'mlic', 'mlic_multidigits.py'))
    assert train_tool.merge_args(cfg, args).auto_scale_lr == dict(
        base_batch_size=64, enable=True)
