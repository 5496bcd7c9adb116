import torch
from mmengine.dist import all_reduce, broadcast, get_world_size
from mmengine.hooks import EMAHook, Hook

from mlic.registry import HOOKS
from mlic.utils.distributed import unwrap_model


@HOOKS.register_module()
class SyncAllBuffersHook(Hook):
    """Make every rank's buffers, and its EMA model's buffers, identical
    before each validation and each checkpoint.

    In DDP without ``broadcast_buffers`` (mmengine's default wrapper) and
    without SyncBatchNorm (none on CPU), each rank keeps its own BatchNorm
    statistics, and ``EMAHook`` averages each rank's own buffers. Validation
    then runs every rank on different weights while the checkpoint holds
    rank 0's, so the mAP that picks the best checkpoint is not the mAP of
    that checkpoint. Here floating-point buffers are averaged over the ranks
    and integer ones (``num_batches_tracked``) taken from rank 0, in the
    raw model and in the EMA model, after every training epoch (or every
    ``val_interval`` iterations in iteration-based loops, before validation)
    and before the checkpoint hook runs. One process: nothing happens.

    mmengine's ``SyncBuffersHook`` is not used because it averages only the
    raw model's buffers, after the epoch's checkpoint (same priority order
    issue), and passes integer buffers to a mean.
    """
    # Before CheckpointHook (VERY_LOW) and validation, after EMAHook's
    # update of the epoch (ABOVE_NORMAL in mlic's configs).
    priority = 'LOW'

    def after_train_epoch(self, runner) -> None:
        self._sync(runner)

    def before_val_epoch(self, runner) -> None:
        # Iteration-based loops validate without an epoch end.
        if not runner.train_loop.__class__.__name__.startswith('Epoch'):
            self._sync(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.train_loop.__class__.__name__.startswith('Epoch'):
            self._sync(runner)

    @staticmethod
    def _sync(runner) -> None:
        if get_world_size() == 1:
            return
        model = unwrap_model(runner.model)
        modules = [model]
        for hook in runner.hooks:
            if isinstance(hook, EMAHook) and hasattr(hook, 'ema_model'):
                modules.append(hook.ema_model)
        with torch.no_grad():
            for module in modules:
                for buffer in module.buffers():
                    if buffer.is_floating_point():
                        all_reduce(buffer, op='mean')
                    else:
                        broadcast(buffer, src=0)
