"""SyncAllBuffersHook on one process: runs before the checkpoint hook and
changes nothing (two processes: tests/test_tools/test_distributed_cpu.py,
where validation equals tools/test.py on the saved checkpoint)."""
from types import SimpleNamespace

import torch

from mlic.engine.hooks import SyncAllBuffersHook
from mlic.engine.hooks.safe_checkpoint_hook import SafeCheckpointHook


def test_single_process_leaves_buffers_alone():
    model = torch.nn.BatchNorm1d(3)
    model.running_mean.fill_(2.0)
    runner = SimpleNamespace(
        model=model,
        hooks=[],
        train_loop=SimpleNamespace(
            __class__=type('IterBasedTrainLoop', (), {})))
    hook = SyncAllBuffersHook()
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    hook.before_save_checkpoint(runner, {})
    assert torch.equal(model.running_mean, torch.full((3, ), 2.0))


def test_runs_before_the_checkpoint_hook():
    from mmengine.runner.priority import get_priority
    assert get_priority(SyncAllBuffersHook.priority) < get_priority(
        SafeCheckpointHook.priority)
