import mmpretrain.evaluation  # noqa: F401  (registers the parent registries' types)
from .functional import average_precision_per_label, multilabel_metrics
from .metrics import DumpMultiLabelPredictions, ReferenceMultiLabelMetric

__all__ = [
    'average_precision_per_label', 'multilabel_metrics',
    'DumpMultiLabelPredictions', 'ReferenceMultiLabelMetric'
]
