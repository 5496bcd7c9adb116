from .one_cycle_lr import OneCycleLR
from .one_cycle_momentum import OneCycleMomentum, one_cycle_momentum

__all__ = ['OneCycleLR', 'OneCycleMomentum', 'one_cycle_momentum']
