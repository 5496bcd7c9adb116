import mmpretrain.datasets  # noqa: F401  (registers the parent registries' types)
from .label_list_dataset import LabelListDataset
from .multi_digits import MultiDigits

__all__ = ['LabelListDataset', 'MultiDigits']
