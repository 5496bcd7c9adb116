from .dump_multilabel_predictions import DumpMultiLabelPredictions
from .reference_multilabel_metric import ReferenceMultiLabelMetric

__all__ = ['DumpMultiLabelPredictions', 'ReferenceMultiLabelMetric']
