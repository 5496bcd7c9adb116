from .assume_negative_loss import AssumeNegativeLoss
from .cooccurrence_contrastive_loss import (CooccurrenceContrastiveLoss,
                                            cooccurrence_contrastive_loss)
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .expected_positive_regularization_loss import \
    ExpectedPositiveRegularizationLoss
from .large_loss_modification import LargeLossModification
from .large_loss_permanent_correction import LargeLossPermanentCorrection
from .multilabel_supcon_loss import (MultiLabelSupConLoss,
                                     multilabel_supcon_loss)
from .online_label_estimation_loss import RegularizedOnlineLabelEstimationLoss
from .reference_asymmetric_loss import (ReferenceAsymmetricLoss,
                                        reference_asymmetric_loss,
                                        reference_asymmetric_loss_matrix)
from .weak_assume_negative_loss import WeakAssumeNegativeLoss

__all__ = [
    'AssumeNegativeLoss', 'CooccurrenceContrastiveLoss',
    'cooccurrence_contrastive_loss', 'ElementwiseLossWrapper',
    'ExpectedPositiveRegularizationLoss', 'LargeLossModification',
    'LargeLossPermanentCorrection', 'MultiLabelSupConLoss',
    'multilabel_supcon_loss', 'ReferenceAsymmetricLoss',
    'reference_asymmetric_loss', 'reference_asymmetric_loss_matrix',
    'RegularizedOnlineLabelEstimationLoss', 'WeakAssumeNegativeLoss'
]
