"""Crash-safe checkpoints, intact-only auto-resume, exact resume and no
diverged checkpoint, built on mmengine's ``CheckpointHook``."""
import os
import os.path as osp
import random
import re
from contextlib import contextmanager
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mlic.registry import HOOKS
from mlic.utils.checkpoint import checkpoint_damage, safe_torch_load
from mlic.utils.fileio import atomic_write


def capture_rng_state() -> dict:
    """Python, numpy, torch CPU and (if present) CUDA generator states."""
    state = dict(
        python=_python_state_to_lists(random.getstate()),
        numpy=list(np.random.get_state()),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Inverse of :func:`capture_rng_state`."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np.random.set_state(tuple(state['numpy']))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _python_state_to_lists(state):
    # Tuples of ints pickle as plain data; weights_only loading allows them.
    version, internal, gauss = state
    return [version, list(internal), gauss]


class _DeferredRemoval:
    """Wraps a file backend so that ``remove`` can be postponed until the
    checkpoint that replaces a file is safely written."""

    def __init__(self, backend):
        self._backend = backend
        self.pending: Optional[List[str]] = None

    def remove(self, path) -> None:
        if self.pending is None:
            self._backend.remove(path)
        else:
            self.pending.append(path)

    def __getattr__(self, name):
        return getattr(self._backend, name)


#: The temporary files :func:`mlic.utils.fileio.atomic_write` makes for the
#: files this hook writes: ``.<name>.<8 random characters>.tmp``.
INTERRUPTED_SAVE = re.compile(
    r'^\.((epoch|iter)_\d+\.pth|best_[^/]*\.pth|last_checkpoint)'
    r'\.[A-Za-z0-9_]{8}\.tmp$')


def remove_interrupted_saves(work_dir: str) -> list:
    """Delete the temporary files that killed checkpoint saves left in
    ``work_dir`` (only names of the form this hook's atomic writes use; any
    other file is left alone). Returns the removed names."""
    if not osp.isdir(work_dir):
        return []
    removed = []
    for name in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, name)
        if INTERRUPTED_SAVE.match(name) and osp.isfile(path):
            os.remove(path)
            removed.append(name)
    return removed


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` that never loses completed work.

    Same arguments and behaviour as ``CheckpointHook`` (interval,
    ``max_keep_ckpts``, ``save_best``, ...), plus:

    - **Atomic files.** Every checkpoint, ``last_checkpoint`` pointer and
      best checkpoint is written to a temporary file in the same folder,
      flushed, fsynced and renamed (``AtomicLocalBackend``), so a kill or a
      full disk leaves the previous file, never a truncated one under a
      valid name; a failed write names the file. Old checkpoints and the
      previous best are deleted only after their successor and the pointer
      are in place.
    - **Intact auto-resume.** With ``resume=True`` and no path, the file
      named by ``last_checkpoint`` is checked (zip directory and CRCs);
      when it is damaged or missing, the newest intact ``epoch_*.pth`` /
      ``iter_*.pth`` is used instead, with a warning that names what was
      skipped. Resuming from a file without optimiser or scheduler state
      (a best checkpoint, a converted model) is an error that points to
      ``load_from``.
    - **Exact resume.** Checkpoints carry the Python, numpy, torch (and
      CUDA) RNG states as they were after the last training iteration
      (every save until the next iteration carries the same states); they
      are restored before the next training iteration, in resumed and
      uninterrupted runs alike, so RNG draws made in between (validation,
      data-loader start-up) cannot make the two runs differ.
    - **No leftovers.** A save killed part-way leaves its temporary file
      (``.epoch_3.pth.ab12cd34.tmp``); the next run in that work dir
      removes such files before it starts and logs their names. Only names
      of that form are touched.
    - **No diverged checkpoint.** Before anything is written, the weights
      and EMA weights are checked to be finite; if not, training stops with
      ``FloatingPointError`` naming the epoch, iteration and tensors, and
      nothing is saved.

    Reused from mmengine: everything else of ``CheckpointHook`` (naming,
    best-metric logic, publishing). Written as a subclass because mmengine
    offers no option for the order of save and delete.
    """

    def __init__(self, *args, backend_args: Optional[dict] = None, **kwargs):
        if backend_args is None:
            backend_args = dict(backend='mlic_atomic_local')
        super().__init__(*args, backend_args=backend_args, **kwargs)
        # RNG states after the last training iteration: stored by every
        # save until the next iteration, restored before that iteration.
        self._rng_snapshot: Optional[dict] = None

    # Resume ----------------------------------------------------------------

    def before_run(self, runner) -> None:
        if is_main_process():
            removed = remove_interrupted_saves(runner.work_dir)
            if removed:
                runner.logger.warning(
                    f'removed {len(removed)} temporary file(s) of '
                    f'interrupted checkpoint saves: {", ".join(removed)}')
        if not getattr(runner, '_resume', False):
            return
        if runner._load_from is None:
            chosen, skipped = self.find_intact_checkpoint(runner.work_dir)
            for path, reason in skipped:
                runner.logger.warning(f'auto-resume skips {path}: {reason}')
            if chosen is None:
                runner.logger.warning(
                    f'auto-resume found no intact checkpoint in '
                    f'{runner.work_dir}; training starts from scratch')
                return
            runner.logger.info(f'auto-resume uses {chosen}')
            runner._load_from = chosen
        else:
            self.check_resumable(runner._load_from)

    @staticmethod
    def check_resumable(path: str) -> None:
        """Raise unless ``path`` holds what resuming needs."""
        if '://' in path:
            return  # remote: mmengine's loader reports its own errors
        checkpoint = safe_torch_load(path, map_location='cpu')
        missing = [
            key for key in ('optimizer', 'param_schedulers', 'meta')
            if key not in checkpoint
        ]
        if missing:
            raise ValueError(
                f'cannot resume from {path}: it has no '
                f'{" or ".join(missing)} state (best_*.pth and converted '
                'checkpoints hold weights only); to start a new run from '
                f'its weights use load_from={path!r} (tools/train.py: '
                f'--cfg-options load_from={path}) without --resume')

    def find_intact_checkpoint(
            self, work_dir: str) -> Tuple[Optional[str], List[tuple]]:
        """The newest intact resumable checkpoint of a work dir.

        Returns:
            tuple: the path (or None) and ``[(path, reason), ...]`` for the
            candidates that were skipped, newest first.
        """
        candidates: List[str] = []
        pointer = osp.join(work_dir, 'last_checkpoint')
        if osp.isfile(pointer):
            with open(pointer, encoding='utf-8', errors='replace') as f:
                named = f.read().strip()
            if named:
                candidates.append(named)
        folders = {work_dir}
        if self.out_dir is not None and '://' not in str(self.out_dir):
            folders.add(str(self.out_dir))
        numbered = []
        pattern = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
        for folder in folders:
            if not osp.isdir(folder):
                continue
            for name in os.listdir(folder):
                match = pattern.match(name)
                if match:
                    numbered.append(
                        (int(match.group(2)), osp.join(folder, name)))
        candidates += [p for _, p in sorted(numbered, reverse=True)]
        skipped = []
        seen = set()
        for path in candidates:
            if path in seen:
                continue
            seen.add(path)
            if not osp.isfile(path):
                skipped.append((path, 'missing'))
                continue
            reason = checkpoint_damage(path, full=True)
            if reason is not None:
                skipped.append((path, reason))
                continue
            return path, skipped
        return None, skipped

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Only a resume continues the saved run; load_from starts a new one.
        if getattr(runner, '_resume', False):
            self._rng_snapshot = checkpoint.get('rng_state')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        if self._rng_snapshot is not None:
            restore_rng_state(self._rng_snapshot)
            self._rng_snapshot = None

    # Save --------------------------------------------------------------------

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = [
            f'{key}.{name}' for key in ('state_dict', 'ema_state_dict')
            for name, value in checkpoint.get(key, {}).items()
            if torch.is_tensor(value) and value.is_floating_point()
            and not torch.isfinite(value).all()
        ]
        if bad:
            raise FloatingPointError(
                f'non-finite weights at epoch {runner.epoch + 1}, iteration '
                f'{runner.iter}: {", ".join(bad[:5])}'
                f'{" ..." if len(bad) > 5 else ""} ({len(bad)} tensors); '
                'training stopped and nothing was saved, so the last '
                'checkpoint is the newest finite one')
        if self._rng_snapshot is None:
            self._rng_snapshot = capture_rng_state()
        checkpoint['rng_state'] = self._rng_snapshot

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not isinstance(self.file_backend, _DeferredRemoval):
            self.file_backend = _DeferredRemoval(self.file_backend)

    @contextmanager
    def _removal_after_save(self):
        backend = self.file_backend
        if not isinstance(backend, _DeferredRemoval) or \
                backend.pending is not None:
            yield  # already deferring (nested call): the outer one flushes
            return
        backend.pending = []
        try:
            yield
        finally:
            # Only reached when the saves succeeded, or with an exception
            # propagating: then nothing is deleted.
            pending, backend.pending = backend.pending, None
        keep = {self.last_ckpt, getattr(self, 'best_ckpt_path', None)}
        for path in pending:
            if path in keep:
                continue
            if backend.isfile(path):
                backend.remove(path)
            elif backend.isdir(path):
                backend.rmtree(path)

    def _save_checkpoint_with_step(self, runner, step, meta):
        with self._removal_after_save():
            super()._save_checkpoint_with_step(runner, step, meta)
            # mmengine wrote the pointer with a plain open(); write it again
            # atomically so a kill during that write cannot leave it empty
            # (a damaged pointer is also survived by auto-resume).
            if is_main_process():
                atomic_write(
                    osp.join(runner.work_dir, 'last_checkpoint'),
                    lambda f: f.write(str(self.last_ckpt).encode('utf-8')))

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._removal_after_save():
            super()._save_best_checkpoint(runner, metrics)
