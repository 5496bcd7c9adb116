"""Helpers shared by mlic's heads, layers, losses and classifiers."""
from .foreach_ema import ForeachExponentialMovingAverage
from .label_slots import gather_rows, present_label_slots
from .position_encoding import sine_position_encoding
from .targets import (accepts_unknown_labels, multilabel_targets,
                      refuse_unknown_labels, sample_index_kwargs)

__all__ = [
    'ForeachExponentialMovingAverage', 'gather_rows', 'present_label_slots',
    'sine_position_encoding', 'multilabel_targets', 'accepts_unknown_labels',
    'refuse_unknown_labels', 'sample_index_kwargs'
]
