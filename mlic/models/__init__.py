# Registers mmpretrain's types in the parent registries mlic falls back to.
import mmpretrain.models  # noqa: F401

from .backbones import TimmTokenBackbone
from .classifiers import MLICClassifier
from .heads import MLGCNHead, MLICHead, Query2LabelHead
from .layers import (CooccurrencePredictor, ElementwiseLinear,
                     GatedGraphEncoder, LabelQueryTransformer)
from .losses import (CooccurrenceContrastiveLoss, MultiLabelSupConLoss,
                     ReferenceAsymmetricLoss, cooccurrence_contrastive_loss,
                     multilabel_supcon_loss, reference_asymmetric_loss)
from .utils import ForeachExponentialMovingAverage

__all__ = [
    'TimmTokenBackbone', 'MLICClassifier', 'MLICHead', 'MLGCNHead',
    'Query2LabelHead', 'CooccurrencePredictor', 'ElementwiseLinear',
    'GatedGraphEncoder', 'LabelQueryTransformer',
    'CooccurrenceContrastiveLoss', 'MultiLabelSupConLoss',
    'ReferenceAsymmetricLoss', 'cooccurrence_contrastive_loss',
    'multilabel_supcon_loss', 'reference_asymmetric_loss',
    'ForeachExponentialMovingAverage'
]
