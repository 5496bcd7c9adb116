"""Schedules set by their length end with the run: a shortened run gets a
whole one cycle, a stated end that differs from the run is refused."""
import json
import os
import os.path as osp

import pytest
import torch

from mlic.engine.schedulers import fit_schedule_to_run
from mlic.utils.errors import ConfigError
from ..test_tools.helpers import REPO_ROOT, loader_options, run_tool

ONE_CYCLE = [
    dict(
        type='OneCycleLR',
        pct_start=0.2,
        by_epoch=True,
        convert_to_iter_based=True),
    dict(type='OneCycleMomentum', by_epoch=True, convert_to_iter_based=True),
    dict(type='LinearLR', by_epoch=True, begin=0, end=1),
]


def test_missing_end_takes_the_run_length_and_others_are_kept():
    fitted = fit_schedule_to_run(ONE_CYCLE, 7, 7 * 79, epoch_based=True)
    assert [c.get('end') for c in fitted] == [7, 7, 1]
    assert 'end' not in ONE_CYCLE[0]  # the config is not changed in place
    by_iter = [dict(type='OneCycleLR', by_epoch=False)]
    assert fit_schedule_to_run(by_iter, None, 300, False)[0]['end'] == 300
    per_optimizer = dict(generator=ONE_CYCLE[:1], critic=ONE_CYCLE[1:2])
    fitted = fit_schedule_to_run(per_optimizer, 3, 30, True)
    assert fitted['generator'][0]['end'] == fitted['critic'][0]['end'] == 3
    assert fit_schedule_to_run(ONE_CYCLE[0], 5, 50, True)['end'] == 5


def test_a_stated_end_that_is_not_the_run_length_is_refused():
    stated = [dict(ONE_CYCLE[0], end=10)]
    with pytest.raises(
            ConfigError,
            match=r'param_scheduler\[0\] \(OneCycleLR\) ends at 10 epochs '
            r'but the run is 2 epochs long.*param_scheduler.0.end=2'):
        fit_schedule_to_run(stated, 2, 158, True)
    assert fit_schedule_to_run(stated, 10, 790, True)[0]['end'] == 10


def last_lr(work_dir):
    logs = sorted(
        osp.join(root, name) for root, _, names in os.walk(work_dir)
        for name in names if name == 'scalars.json')
    rows = [json.loads(line) for line in open(logs[-1]) if '"lr"' in line]
    return [r['lr'] for r in rows]


def test_a_shortened_multiglyphs_run_ends_its_cycle(tmp_path):
    """``--cfg-options train_cfg.max_epochs=2`` on the 10-epoch config: the
    learning rate peaks at 1e-3 and ends at OneCycle's final value
    (1e-3 / 25 / 1e4 = 4e-9), not at its peak as it used to."""
    config = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multiglyphs.py')
    options = loader_options(
        tmp_path / 'data', num_train=64, num_test=16, batch=16, epochs=2)
    code, out = run_tool([
        'tools/train.py', config, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + options + ['train_cfg.val_interval=2'])
    assert code == 0, out[-3000:]
    lrs = last_lr(str(tmp_path / 'work'))
    assert len(lrs) == 8  # 2 epochs of 4 iterations, logged every one
    assert max(lrs) > 5e-4
    assert lrs[-1] < 1e-6, lrs

    code, out = run_tool([
        'tools/train.py', config, '--work-dir',
        str(tmp_path / 'refused'), '--cfg-options'
    ] + options + ['param_scheduler.0.end=10'])
    assert code == 1
    assert 'error: param_scheduler[0] (OneCycleLR) ends at 10 epochs but ' \
        'the run is 2 epochs long' in out
    assert 'Traceback' not in out


def test_plain_mmengine_runner_is_told_what_to_do():
    """mmengine's Runner.from_cfg does not fill the end in: the scheduler
    says how to build the runner instead of failing on an infinite cycle."""
    from mmengine.optim import OptimWrapper

    from mlic.registry import PARAM_SCHEDULERS
    model = torch.nn.Linear(2, 2)
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    for cfg in ONE_CYCLE[:2]:
        with pytest.raises(
                ConfigError, match=r'has no end: .*RUNNERS.build\(cfg\)'):
            PARAM_SCHEDULERS.build(
                dict(cfg, convert_to_iter_based=False),
                default_args=dict(optimizer=wrapper))
    # a one-step run is one step at the cycle's end, not an error
    one = PARAM_SCHEDULERS.build(
        dict(type='OneCycleMomentum', total_steps=1, by_epoch=False),
        default_args=dict(optimizer=wrapper))
    assert one.total_steps == 1
