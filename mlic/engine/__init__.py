# Registers mmpretrain's types in the parent registries mlic falls back to.
import mmpretrain.engine  # noqa: F401

from .hooks import LabelCooccurrenceHook, NumClassCheckHook
from .optimizers import AnyDeviceAmpOptimWrapper
from .runner import QuietRunner
from .schedulers import OneCycleLR, OneCycleMomentum

__all__ = [
    'LabelCooccurrenceHook', 'NumClassCheckHook', 'AnyDeviceAmpOptimWrapper',
    'OneCycleLR', 'OneCycleMomentum', 'QuietRunner'
]
