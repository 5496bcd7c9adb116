from .label_cooccurrence_hook import LabelCooccurrenceHook, label_statistics
from .num_class_check_hook import NumClassCheckHook

__all__ = ['LabelCooccurrenceHook', 'NumClassCheckHook', 'label_statistics']
