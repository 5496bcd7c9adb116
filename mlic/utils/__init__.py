from .checkpoint import (SAFE_GLOBALS, CheckpointMismatchError,
                         UnsafeCheckpointError, check_checkpoint_fits,
                         patch_mmengine_checkpoints, safe_pickle_load,
                         safe_torch_load)
from .fileio import atomic_write
from .setup_env import register_all_modules, setup_distributed_for_device

__all__ = [
    'SAFE_GLOBALS', 'CheckpointMismatchError', 'UnsafeCheckpointError',
    'atomic_write', 'check_checkpoint_fits', 'patch_mmengine_checkpoints',
    'safe_pickle_load', 'safe_torch_load', 'register_all_modules',
    'setup_distributed_for_device'
]
