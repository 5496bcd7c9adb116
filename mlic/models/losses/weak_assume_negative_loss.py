from typing import Optional

import torch

from mlic.registry import MODELS
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .loss_args import check_loss_args


@MODELS.register_module()
class WeakAssumeNegativeLoss(ElementwiseLossWrapper):
    """"Weak assume negative" (WAN), Cole et al., "Multi-Label Learning
    from Single Positive Labels" (CVPR 2021).

    Unknown labels are scored as negatives, as in "assume negative", but
    each with weight γ instead of 1; known positives and known negatives
    keep weight 1. The paper's γ is 1 / (C - 1): with a single positive per
    image, the assumed negatives then weigh as much together as the
    positive.

    Args:
        loss (dict): Base loss. Defaults to ``ReferenceAsymmetricLoss``
            with ``gamma_neg=0`` (binary cross-entropy).
        unknown_weight (float, optional): γ. Defaults to 1 / (C - 1).
    """

    def __init__(self,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0),
                 unknown_weight: Optional[float] = None):
        super().__init__(loss)
        if unknown_weight is not None:
            check_loss_args(type(self).__name__, unknown_weight=unknown_weight)
        self.unknown_weight = unknown_weight

    def per_label_losses(self, cls_score: torch.Tensor,
                         targets: torch.Tensor) -> torch.Tensor:
        gamma = self.unknown_weight
        if gamma is None:
            gamma = 1.0 / max(cls_score.size(1) - 1, 1)
        element_weight = torch.where(targets < 0, gamma, 1.0)
        return self.base.elementwise(cls_score,
                                     targets.clamp(min=0)) * element_weight
