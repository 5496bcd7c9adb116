from .checkpoint import (SAFE_GLOBALS, CheckpointMismatchError,
                         UnsafeCheckpointError, check_checkpoint_fits,
                         patch_mmengine_checkpoints, safe_pickle_load,
                         safe_torch_load)
from .distributed import setup_distributed_for_device, unwrap_model
from .ema_window import momentum_for_run_share
from .fileio import atomic_write, read_marked_section, replace_marked_section
from .resumable_run import run_resumable_training
from .seed_statistics import mean_std, paired_interval
from .training_log import (GRAPH_KEYS, epoch_means, last_epoch_mean, loss_rise,
                           train_records)

__all__ = [
    'CheckpointMismatchError', 'GRAPH_KEYS', 'SAFE_GLOBALS',
    'UnsafeCheckpointError', 'atomic_write', 'check_checkpoint_fits',
    'epoch_means', 'last_epoch_mean', 'loss_rise', 'mean_std',
    'momentum_for_run_share', 'paired_interval', 'patch_mmengine_checkpoints',
    'read_marked_section', 'replace_marked_section', 'run_resumable_training',
    'safe_pickle_load', 'safe_torch_load', 'setup_distributed_for_device',
    'train_records', 'unwrap_model'
]


def __getattr__(name):
    # mmpretrain keeps it in ``mmpretrain.utils``; mlic keeps ``utils`` free
    # of imports from the packages above it, so it moved to the root.
    if name == 'register_all_modules':
        raise ImportError('register_all_modules moved to the package root: '
                          '`from mlic import register_all_modules`')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
