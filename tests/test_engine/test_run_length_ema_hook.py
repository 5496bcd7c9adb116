"""RunLengthEMAHook: the EMA momentum follows the run's length, and a run
with it is the run with EMAHook at that fixed momentum."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner

from mlic import register_all_modules
from mlic.engine.hooks import RunLengthEMAHook
from mlic.engine.runtime_switches import ema_from_config, ema_hook_config
from ..test_tools.helpers import REPO_ROOT


class ToyRegressor(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 1)

    def forward(self, inputs, targets, mode='loss'):
        out = self.linear(inputs)  # default_collate stacked the batch
        if mode == 'loss':
            return dict(loss=((out.squeeze(1) - targets)**2).mean())
        return out


class ToyData(torch.utils.data.Dataset):

    def __init__(self):
        generator = torch.Generator().manual_seed(0)
        self.x = torch.randn(40, 3, generator=generator)
        self.y = self.x.sum(1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


def train(tmp_path, ema_hook, epochs=4):
    """4 epochs of 10 steps (batch 4), seed 0; the runner and its hook."""
    register_all_modules()
    torch.manual_seed(0)  # the model is built before the runner seeds
    runner = Runner(
        model=ToyRegressor(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=ToyData(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=4,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05)),
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        custom_hooks=[ema_hook],
        default_hooks=dict(checkpoint=None, logger=None),
        randomness=dict(seed=0),
        default_scope='mlic')
    runner.train()
    hook = next(h for h in runner.hooks if 'EMAHook' in type(h).__name__)
    return runner, hook


def test_momentum_follows_the_run_and_equals_the_fixed_one(tmp_path):
    _, hook = train(tmp_path / 'share',
                    dict(type='RunLengthEMAHook', horizon_share=1 / 8))
    assert isinstance(hook, RunLengthEMAHook)
    assert hook.ema_model.momentum == 8 / 40  # 1 / (40 / 8)
    _, fixed = train(tmp_path / 'fixed', dict(type='EMAHook', momentum=0.2))
    averaged = hook.ema_model.module.state_dict()
    for name, value in fixed.ema_model.module.state_dict().items():
        assert torch.equal(averaged[name], value), name
    # half the run, half the window in steps: twice the momentum
    _, short = train(tmp_path / 'short',
                     dict(type='RunLengthEMAHook', horizon_share=1 / 8), 2)
    assert short.ema_model.momentum == 8 / 20
    # the quick start's config: the same float as its former 8 / (10 * 79)
    assert (1 / (1 / 8)) / (10 * 79) == 8 / (10 * 79)


def test_a_run_shorter_than_the_window_averages_nothing(tmp_path):
    _, hook = train(tmp_path,
                    dict(type='RunLengthEMAHook', horizon_share=0.01), 1)
    assert hook.ema_model.momentum == 1.0


@pytest.mark.parametrize('kwargs, message', [
    (dict(momentum=0.01), 'give one of them'),
    (dict(horizon_share=0), r'\(0, 1\], got 0'),
    (dict(horizon_share=1.5), r'\(0, 1\], got 1.5'),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RunLengthEMAHook(**kwargs)


def test_runtime_switches_find_it_as_the_config_ema():
    """The benchmarks build the averaged model from the config: a
    RunLengthEMAHook counts as the config's EMA (here the quick start's
    config, whose hooks are GraphDiagnosticsHook and RunLengthEMAHook),
    with the run's momentum when the run's length is given."""
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic',
                 'mlic_singleglyphs-pre_multiglyphs-tuned-10e.py'))
    assert [h['type'] for h in cfg.custom_hooks
            ] == ['GraphDiagnosticsHook', 'RunLengthEMAHook']
    assert ema_hook_config(cfg) is cfg['custom_hooks'][1]
    model = torch.nn.Linear(2, 2)
    assert ema_from_config(cfg, model, max_iters=790).momentum == 8 / 790
    assert ema_from_config(cfg, model).momentum == 0.0002  # the default
    assert ema_hook_config(
        dict(custom_hooks=[dict(type='GraphDiagnosticsHook')])) is None
