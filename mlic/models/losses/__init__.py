from .cooccurrence_contrastive_loss import (CooccurrenceContrastiveLoss,
                                            cooccurrence_contrastive_loss)
from .multilabel_supcon_loss import (MultiLabelSupConLoss,
                                     multilabel_supcon_loss)
from .reference_asymmetric_loss import (ReferenceAsymmetricLoss,
                                        reference_asymmetric_loss)

__all__ = [
    'CooccurrenceContrastiveLoss', 'cooccurrence_contrastive_loss',
    'MultiLabelSupConLoss', 'multilabel_supcon_loss',
    'ReferenceAsymmetricLoss', 'reference_asymmetric_loss'
]
