import mmpretrain.engine  # noqa: F401  (registers the parent registries' types)
from .hooks import LabelCooccurrenceHook, NumClassCheckHook
from .optimizers import AnyDeviceAmpOptimWrapper
from .schedulers import OneCycleLR, OneCycleMomentum

__all__ = [
    'LabelCooccurrenceHook', 'NumClassCheckHook', 'AnyDeviceAmpOptimWrapper', 'OneCycleLR',
    'OneCycleMomentum'
]
