from typing import Optional

import torch
import torch.nn as nn

from mlic.registry import MODELS
from .loss_args import check_loss_args


def reference_asymmetric_loss(
        logits: torch.Tensor,
        targets: torch.Tensor,
        gamma_neg: float = 2.0,
        gamma_pos: float = 0.0,
        eps: float = 1e-5,
        weight: Optional[torch.Tensor] = None,
        avg_factor: Optional[float] = None) -> torch.Tensor:
    """Asymmetric loss as the MLIC reference computes it (docs/method.md §2.1).

    With p = sigmoid(logits):
    ``l = y log(max(p, eps)) + (1-y) log(max(1-p, eps))``,
    ``w = (1 - p_t) ** (gamma_pos y + gamma_neg (1-y))`` computed without
    gradient, and the result is ``-sum(l * w) / (avg_factor * C)``.

    mmpretrain's ``asymmetric_loss`` differs in two ways that change the
    numbers: its focal weight carries gradient and it averages per sample, so
    it is not reused here.

    Args:
        logits (Tensor): (B, C) raw scores; computed in float32.
        targets (Tensor): (B, C) in {0, 1}.
        gamma_neg (float): Focusing power of negatives. Defaults to 2.
        gamma_pos (float): Focusing power of positives. Defaults to 0.
        eps (float): Floor of the probabilities inside the log.
        weight (Tensor, optional): (B, C) element weights, e.g. 0 to ignore.
        avg_factor (float, optional): Number of samples to divide by;
            defaults to B.

    Returns:
        Tensor: Scalar loss (before any ``loss_weight``).
    """
    logits = logits.float()
    targets = targets.to(logits.dtype)
    probs = torch.sigmoid(logits)
    log_likelihood = (
        targets * torch.log(probs.clamp(min=eps)) + (1 - targets) * torch.log(
            (1 - probs).clamp(min=eps)))
    if gamma_neg > 0 or gamma_pos > 0:
        with torch.no_grad():
            p_t = probs * targets + (1 - probs) * (1 - targets)
            gamma = gamma_pos * targets + gamma_neg * (1 - targets)
            focal = torch.pow(1 - p_t, gamma)
        log_likelihood = log_likelihood * focal
    if weight is not None:
        log_likelihood = log_likelihood * weight
    num_samples = logits.size(0) if avg_factor is None else avg_factor
    return -log_likelihood.sum() / (num_samples * logits.size(1))


@MODELS.register_module()
class ReferenceAsymmetricLoss(nn.Module):
    """Module form of :func:`reference_asymmetric_loss`.

    The call signature follows mmpretrain's losses
    (``cls_score, label, weight, avg_factor``) so the loss can also serve
    mmpretrain heads such as ``MultiLabelLinearClsHead``.

    Args:
        gamma_neg (float): Defaults to 2 (VG-500); 1 for COCO/NUS-WIDE, 0 for
            VOC 2007.
        gamma_pos (float): Defaults to 0.
        eps (float): Defaults to 1e-5.
        loss_weight (float): Multiplier; the reference's loss is the mean
            times 1000, hence the default.
    """

    def __init__(self,
                 gamma_neg: float = 2.0,
                 gamma_pos: float = 0.0,
                 eps: float = 1e-5,
                 loss_weight: float = 1000.0):
        super().__init__()
        check_loss_args(
            type(self).__name__,
            positive=('eps', ),
            gamma_neg=gamma_neg,
            gamma_pos=gamma_pos,
            eps=eps,
            loss_weight=loss_weight)
        self.gamma_neg = gamma_neg
        self.gamma_pos = gamma_pos
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        if reduction_override not in (None, 'mean'):
            raise ValueError('ReferenceAsymmetricLoss only reduces by the '
                             f'mean, got reduction_override='
                             f'{reduction_override!r}')
        return self.loss_weight * reference_asymmetric_loss(
            cls_score,
            label,
            gamma_neg=self.gamma_neg,
            gamma_pos=self.gamma_pos,
            eps=self.eps,
            weight=weight,
            avg_factor=avg_factor)
