# Registers mmpretrain's types in the parent registries mlic falls back to.
import mmpretrain.evaluation  # noqa: F401

from .functional import average_precision_per_label, multilabel_metrics
from .metrics import DumpMultiLabelPredictions, ReferenceMultiLabelMetric

__all__ = [
    'average_precision_per_label', 'multilabel_metrics',
    'DumpMultiLabelPredictions', 'ReferenceMultiLabelMetric'
]
