from .multilabel_metrics import (average_precision_per_label,
                                 descending_rank_order, multilabel_metrics)
from .prediction_dump import load_prediction_dump
from .thresholds import (best_f1_thresholds, load_thresholds,
                         per_label_thresholds, save_thresholds)

__all__ = [
    'average_precision_per_label', 'best_f1_thresholds',
    'descending_rank_order', 'load_prediction_dump', 'load_thresholds',
    'multilabel_metrics', 'per_label_thresholds', 'save_thresholds'
]
