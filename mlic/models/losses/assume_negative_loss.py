import torch

from mlic.registry import MODELS
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .loss_args import check_loss_args


@MODELS.register_module()
class AssumeNegativeLoss(ElementwiseLossWrapper):
    """"Assume negative" (AN) and its label-smoothed variant (AN-LS), the
    baselines of Cole et al., "Multi-Label Learning from Single Positive
    Labels" (CVPR 2021).

    Every unknown label is scored as a negative. With ``label_smoothing``
    ε > 0 every target y (after that) becomes y (1 - ε) + (1 - y) ε, which
    softens the false negatives AN makes among the unknown labels (and the
    true labels alike). The base loss scores and reduces as usual
    (:class:`ElementwiseLossWrapper`).

    Args:
        loss (dict): Base loss. Defaults to ``ReferenceAsymmetricLoss``
            with ``gamma_neg=0`` (binary cross-entropy, as in the paper,
            times the reference's scale of 1000).
        label_smoothing (float): ε in [0, 0.5). Defaults to 0 (AN).
    """

    def __init__(self,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0),
                 label_smoothing: float = 0.0):
        super().__init__(loss)
        check_loss_args(type(self).__name__, label_smoothing=label_smoothing)
        if label_smoothing >= 0.5:
            raise ValueError(f'{type(self).__name__}: label_smoothing must '
                             f'be < 0.5, got {label_smoothing!r}')
        self.label_smoothing = label_smoothing

    def per_label_losses(self, cls_score: torch.Tensor,
                         targets: torch.Tensor) -> torch.Tensor:
        targets = targets.clamp(min=0)
        if self.label_smoothing:
            eps = self.label_smoothing
            targets = targets * (1 - eps) + (1 - targets) * eps
        return self.base.elementwise(cls_score, targets)
