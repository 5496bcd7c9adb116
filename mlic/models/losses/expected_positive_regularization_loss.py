import torch

from mlic.registry import MODELS
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .loss_args import check_loss_args


def expected_positive_penalty(logits: torch.Tensor, expected_positives: float,
                              reg_weight: float) -> torch.Tensor:
    """EPR's penalty ``reg_weight * ((k̂ - k) / C)²`` of logits (B, C), with
    k̂ the batch's mean over images of the summed sigmoid scores; shared by
    EPR and ROLE."""
    expected = torch.sigmoid(logits.float()).sum(dim=1).mean()
    return reg_weight * ((expected - expected_positives) / logits.size(1))**2


@MODELS.register_module()
class ExpectedPositiveRegularizationLoss(ElementwiseLossWrapper):
    """Expected positive regularisation (EPR), Cole et al., "Multi-Label
    Learning from Single Positive Labels" (CVPR 2021).

    Only known labels are scored (unknown labels are ignored, not assumed
    negative); what keeps the model from calling everything positive is a
    penalty on the batch's expected number of positives per image,
    k̂ = mean over images of the sum over labels of sigmoid(score), against
    the number ``expected_positives`` k the user knows (for example the
    mean labels per image of a fully labelled sample):
    ``R = ((k̂ - k) / C)²``. The loss is the base loss over known labels
    (summed, over B·C) plus ``reg_weight * R``, both times the base's
    ``loss_weight``.

    Args:
        expected_positives (float): k, the positives an image has on
            average. Required: the data does not say it once labels are
            hidden.
        loss (dict): Base loss. Defaults to ``ReferenceAsymmetricLoss``
            with ``gamma_neg=0`` (binary cross-entropy).
        reg_weight (float): Weight of R. Defaults to 1.
    """

    def __init__(self,
                 expected_positives: float,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0),
                 reg_weight: float = 1.0):
        super().__init__(loss)
        check_loss_args(
            type(self).__name__,
            positive=('expected_positives', ),
            expected_positives=expected_positives,
            reg_weight=reg_weight)
        self.expected_positives = float(expected_positives)
        self.reg_weight = reg_weight

    def per_label_losses(self, cls_score: torch.Tensor,
                         targets: torch.Tensor) -> torch.Tensor:
        known = targets >= 0
        return self.base.elementwise(cls_score, targets.clamp(min=0)) * known

    def penalty(self, cls_score: torch.Tensor) -> torch.Tensor:
        """``reg_weight * ((k̂ - k) / C)²``."""
        return expected_positive_penalty(cls_score, self.expected_positives,
                                         self.reg_weight)
