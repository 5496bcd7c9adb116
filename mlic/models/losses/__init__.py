from .cooccurrence_contrastive_loss import (CooccurrenceContrastiveLoss,
                                            cooccurrence_contrastive_loss)
from .reference_asymmetric_loss import (ReferenceAsymmetricLoss,
                                        reference_asymmetric_loss)

__all__ = [
    'CooccurrenceContrastiveLoss', 'cooccurrence_contrastive_loss',
    'ReferenceAsymmetricLoss', 'reference_asymmetric_loss'
]
