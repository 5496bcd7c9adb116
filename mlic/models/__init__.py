import mmpretrain.models  # noqa: F401  (registers the parent registries' types)
from .backbones import TimmTokenBackbone
from .classifiers import MLICClassifier
from .heads import MLICHead
from .layers import (CooccurrencePredictor, ElementwiseLinear,
                     GatedGraphEncoder, LabelQueryTransformer)
from .losses import (CooccurrenceContrastiveLoss, ReferenceAsymmetricLoss,
                     cooccurrence_contrastive_loss, reference_asymmetric_loss)

__all__ = [
    'TimmTokenBackbone', 'MLICClassifier', 'MLICHead', 'CooccurrencePredictor',
    'ElementwiseLinear', 'GatedGraphEncoder', 'LabelQueryTransformer',
    'CooccurrenceContrastiveLoss', 'ReferenceAsymmetricLoss',
    'cooccurrence_contrastive_loss', 'reference_asymmetric_loss'
]
