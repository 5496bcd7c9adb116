"""SafeCheckpointHook and atomic writes: crash-safe saving, intact-only
auto-resume, exact resume, no diverged checkpoint."""
import errno
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mlic.utils.fileio as fileio
from mlic.engine.hooks import SafeCheckpointHook
from mlic.registry import HOOKS
from mlic.utils import safe_torch_load
from mlic.utils.checkpoint import CheckpointReadError

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multidigits.py')


class SimulatedCrash(RuntimeError):
    pass


@HOOKS.register_module(force=True)
class CrashAfterEpochForTest(Hook):
    """Raises after the given epoch's checkpoint is written (lowest
    priority, so after SafeCheckpointHook.after_train_epoch)."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise SimulatedCrash(f'killed after epoch {self.epoch}')


RANDOM_STEPS = [
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomColorCutout', scale=0.5),
    dict(type='ReferenceRandAugment', num_ops=2, prob=0.5),
]


def tiny_cfg(work_dir, data_root, epochs=3, keep=1, workers=0, augment=None):
    """``augment``: None (MultiDigits' pipeline, nothing random), 'seeded'
    (the benchmark configs' random steps as configs/_base_/datasets/coco.py
    runs them) or 'unseeded' (the same steps under DefaultSampler)."""
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler = [dict(p, end=epochs) for p in cfg.param_scheduler]
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.max_keep_ckpts = keep
    cfg.log_level = 'WARNING'
    # two batches of 16 an epoch: with two workers, one from each
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.update(
            data_root=str(data_root), num_train=32, num_test=16)
        cfg[loader].update(
            batch_size=16, num_workers=workers, persistent_workers=workers > 0)
    if augment is not None:
        steps = RANDOM_STEPS
        if augment == 'seeded':
            steps = [dict(type='SeededRandomTransforms', transforms=steps)]
            cfg.train_dataloader.sampler.type = 'PerSampleSeedSampler'
        load, pack = cfg.train_dataloader.dataset.pipeline
        cfg.train_dataloader.dataset.pipeline = [load, *steps, pack]
    return cfg


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return tmp_path_factory.mktemp('data') / 'multidigits'


def weights(path):
    ckpt = safe_torch_load(path)
    return {
        **ckpt['state_dict'],
        **{
            f'ema.{k}': v
            for k, v in ckpt['ema_state_dict'].items()
        }
    }


# Atomic files -------------------------------------------------------------


def test_failed_save_during_training_keeps_previous_checkpoint(
        tmp_path, data_root, monkeypatch):
    cfg = tiny_cfg(tmp_path / 'work', data_root, epochs=2, keep=1)
    calls = []
    real_write = fileio.atomic_write

    def failing_second_epoch(path, write, mode='wb'):
        if path.endswith('epoch_2.pth'):
            calls.append(path)

            def half(f):
                f.write(b'PK\x03\x04 partial')
                raise OSError(errno.ENOSPC, 'No space left on device')

            return real_write(path, half, mode)
        return real_write(path, write, mode)

    monkeypatch.setattr(fileio, 'atomic_write', failing_second_epoch)
    with pytest.raises(OSError, match='could not write .*epoch_2.pth'):
        Runner.from_cfg(cfg).train()
    assert calls
    work = tmp_path / 'work'
    assert not (work / 'epoch_2.pth').exists()
    assert (work / 'epoch_1.pth').exists()  # not deleted before its successor
    assert (work / 'last_checkpoint').read_text().endswith('epoch_1.pth')
    assert not [n for n in os.listdir(work) if n.endswith('.tmp')]
    safe_torch_load(str(work / 'epoch_1.pth'))  # intact


# Resume -------------------------------------------------------------------


def weights_after_crash_and_resume(tmp_path, data_root, augment):
    """Epoch-2 weights of an uninterrupted run and of a run stopped after
    epoch 1 and resumed, dropout on, two persistent workers."""
    cfg = tiny_cfg(
        tmp_path / 'full', data_root, epochs=2, workers=2, augment=augment)
    assert cfg.model.head.transformer.get('dropout', 0.1) > 0
    Runner.from_cfg(cfg).train()
    uninterrupted = weights(str(tmp_path / 'full' / 'epoch_2.pth'))

    cfg = tiny_cfg(
        tmp_path / 'crash', data_root, epochs=2, workers=2, augment=augment)
    cfg.custom_hooks = cfg.custom_hooks + [
        dict(type='CrashAfterEpochForTest', epoch=1)
    ]
    with pytest.raises(SimulatedCrash):
        Runner.from_cfg(cfg).train()
    cfg = tiny_cfg(
        tmp_path / 'crash', data_root, epochs=2, workers=2, augment=augment)
    cfg.resume = True
    Runner.from_cfg(cfg).train()
    resumed = weights(str(tmp_path / 'crash' / 'epoch_2.pth'))
    assert uninterrupted.keys() == resumed.keys()
    return uninterrupted, resumed


# trains in this process: about a minute on 2 cores
@pytest.mark.slow
@pytest.mark.parametrize('augment', [None, 'seeded'])
def test_resume_is_bitwise_exact_with_dropout(tmp_path, data_root, augment):
    uninterrupted, resumed = weights_after_crash_and_resume(
        tmp_path, data_root, augment)
    different = [
        k for k in uninterrupted
        if not torch.equal(uninterrupted[k], resumed[k])
    ]
    assert not different, different[:5]


# trains in this process: about a minute on 2 cores
@pytest.mark.slow
def test_unseeded_augmentations_break_exact_resume(tmp_path, data_root):
    """The control for the test above: the same random steps without
    PerSampleSeedSampler restart their workers' streams on resume."""
    uninterrupted, resumed = weights_after_crash_and_resume(
        tmp_path, data_root, 'unseeded')
    assert any(not torch.equal(uninterrupted[k], resumed[k])
               for k in uninterrupted)


# trains in this process: about a minute on 2 cores
@pytest.mark.slow
def test_auto_resume_skips_damaged_checkpoints(tmp_path, data_root, capsys):
    work = tmp_path / 'work'
    Runner.from_cfg(tiny_cfg(work, data_root, epochs=2, keep=2)).train()
    newest = work / 'epoch_2.pth'
    newest.write_bytes(newest.read_bytes()[:1000])  # killed mid-copy
    hook = SafeCheckpointHook(interval=1)
    chosen, skipped = hook.find_intact_checkpoint(str(work))
    assert chosen == str(work / 'epoch_1.pth')
    assert skipped[0][0] == str(newest) and 'truncated' in skipped[0][1]

    cfg = tiny_cfg(work, data_root, epochs=2, keep=2)
    cfg.resume = True
    capsys.readouterr()
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 2
    # mmengine's logger prints to the console and does not propagate.
    assert f'auto-resume skips {newest}: not a torch' in capsys.readouterr(
    ).out
    safe_torch_load(str(newest))  # rewritten whole by the resumed run


def test_resume_from_weights_only_file_names_load_from(tmp_path, data_root):
    work = tmp_path / 'work'
    Runner.from_cfg(tiny_cfg(work, data_root, epochs=1)).train()
    best = [n for n in os.listdir(work) if n.startswith('best_')]
    assert best
    cfg = tiny_cfg(tmp_path / 'again', data_root, epochs=2)
    cfg.resume = True
    cfg.load_from = str(work / best[0])
    with pytest.raises(
            ValueError, match='no optimizer or param_schedulers'
            '.*load_from='):
        Runner.from_cfg(cfg).train()


def test_damaged_checkpoints_get_a_clear_error(tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    noise = tmp_path / 'noise.pth'
    noise.write_bytes(os.urandom(4096))
    for path in (empty, noise):
        with pytest.raises(CheckpointReadError) as info:
            safe_torch_load(str(path))
        message = str(info.value)
        assert str(path) in message and 'not a readable checkpoint' in message
        assert 'weights_only' not in message and 'unsafe' not in message


# Divergence ---------------------------------------------------------------


class _FakeRunner:
    epoch, iter = 4, 250


def test_non_finite_weights_are_never_saved():
    hook = SafeCheckpointHook(interval=1)
    checkpoint = dict(
        state_dict={
            'head.w': torch.ones(3),
            'step': torch.tensor(3)
        },
        ema_state_dict={'head.w': torch.tensor([1.0, float('inf'), 2.0])})
    with pytest.raises(
            FloatingPointError,
            match=r'epoch 5, iteration 250: ema_state_dict.head.w'):
        hook.before_save_checkpoint(_FakeRunner(), checkpoint)
    checkpoint['ema_state_dict']['head.w'] = torch.ones(3)
    hook.before_save_checkpoint(_FakeRunner(), checkpoint)
    assert 'rng_state' in checkpoint


def test_next_run_removes_temporaries_of_killed_saves(tmp_path, data_root,
                                                      capsys):
    """A save killed part-way leaves .epoch_N.pth.XXXXXXXX.tmp; the next run
    in that work dir removes those (and only those) and logs their names."""
    from mlic.engine.hooks.safe_checkpoint_hook import remove_interrupted_saves
    work = tmp_path / 'work'
    work.mkdir()
    leftovers = [
        '.epoch_2.pth.ab12_d34.tmp', '.last_checkpoint.x9y8z7w6.tmp',
        '.best_multi-label_mAP_epoch_1.pth.q1w2e3r4.tmp'
    ]
    kept = [
        'notes.tmp', '.epoch_2.pth.tmp', 'epoch_2.pth.ab12cd34.tmp',
        '.mydata.pth.ab12cd34.tmp'
    ]
    for name in leftovers + kept:
        (work / name).write_bytes(b'\0' * 100)
    capsys.readouterr()
    Runner.from_cfg(tiny_cfg(work, data_root, epochs=1)).train()
    remaining = sorted(os.listdir(work))
    assert not set(leftovers) & set(remaining)
    assert set(kept) <= set(remaining)
    out = capsys.readouterr().out
    assert 'removed 3 temporary file(s) of interrupted checkpoint saves' \
        in out
    assert all(name in out for name in leftovers)
    assert remove_interrupted_saves(str(tmp_path / 'nowhere')) == []


def test_atomic_write_names_the_path_when_it_cannot_start(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    target = blocker / 'out.pkl'  # a file where the folder should be
    with pytest.raises(OSError, match=f'could not write {target}'):
        fileio.atomic_write(str(target), lambda f: f.write(b'1'))
