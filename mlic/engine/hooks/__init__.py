from .label_cooccurrence_hook import (LabelCooccurrenceHook,
                                      dataset_cooccurrence)
from .num_class_check_hook import NumClassCheckHook

__all__ = [
    'LabelCooccurrenceHook', 'NumClassCheckHook', 'dataset_cooccurrence'
]
