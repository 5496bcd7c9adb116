from .one_cycle_lr import OneCycleLR
from .one_cycle_momentum import OneCycleMomentum, one_cycle_momentum
from .run_length import FOLLOWS_RUN_LENGTH, fit_schedule_to_run

__all__ = [
    'OneCycleLR', 'OneCycleMomentum', 'one_cycle_momentum',
    'FOLLOWS_RUN_LENGTH', 'fit_schedule_to_run'
]
