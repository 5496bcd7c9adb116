from .checkpoint import (SAFE_GLOBALS, UnsafeCheckpointError,
                         patch_mmengine_checkpoints, safe_pickle_load,
                         safe_torch_load)
from .fileio import atomic_write
from .setup_env import register_all_modules, setup_distributed_for_device

__all__ = [
    'SAFE_GLOBALS', 'UnsafeCheckpointError', 'atomic_write',
    'patch_mmengine_checkpoints', 'safe_pickle_load', 'safe_torch_load',
    'register_all_modules', 'setup_distributed_for_device'
]
