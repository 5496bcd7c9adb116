import mmpretrain.engine  # noqa: F401  (registers the parent registries' types)
from .hooks import NumClassCheckHook
from .optimizers import AnyDeviceAmpOptimWrapper
from .schedulers import OneCycleLR, OneCycleMomentum

__all__ = [
    'NumClassCheckHook', 'AnyDeviceAmpOptimWrapper', 'OneCycleLR',
    'OneCycleMomentum'
]
