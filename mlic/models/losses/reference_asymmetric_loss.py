from typing import Optional

import torch
import torch.nn as nn

from mlic.registry import MODELS
from .loss_args import check_loss_args


def reference_asymmetric_loss_matrix(logits: torch.Tensor,
                                     targets: torch.Tensor,
                                     gamma_neg: float = 2.0,
                                     gamma_pos: float = 0.0,
                                     eps: float = 1e-5) -> torch.Tensor:
    """The reference's asymmetric loss of every (image, label) before any
    weighting or reduction, (B, C) float32, >= 0.

    With p = sigmoid(logits) and targets y in [0, 1]:
    ``-(y log(max(p, eps)) + (1-y) log(max(1-p, eps))) * w``, the focal
    weight ``w = (1 - p_t) ** (gamma_pos y + gamma_neg (1-y))`` computed
    without gradient. The partial-label losses
    (:mod:`mlic.models.losses.partial_label_losses`) reweigh and reduce it.
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
    return -log_likelihood


def reference_asymmetric_loss(logits: torch.Tensor,
                              targets: torch.Tensor,
                              gamma_neg: float = 2.0,
                              gamma_pos: float = 0.0,
                              eps: float = 1e-5,
                              weight: Optional[torch.Tensor] = None,
                              avg_factor: Optional[float] = None,
                              unknown_labels: str = 'ignore') -> torch.Tensor:
    """Asymmetric loss as the MLIC reference computes it (docs/method.md §2.1).

    The sum of :func:`reference_asymmetric_loss_matrix` over the batch
    divided by ``avg_factor * C``.

    mmpretrain's ``asymmetric_loss`` differs in two ways that change the
    numbers: its focal weight carries gradient and it averages per sample, so
    it is not reused here.

    Unknown labels (targets -1, docs/partial_labels.md) are left out with
    ``unknown_labels='ignore'``: the sum runs over known labels and is
    divided by ``avg_factor * C`` times the fraction of the batch's labels
    that are known (so the loss stays a mean per known label, and equals the
    plain loss when every label is known). ``'negative'`` reads them as
    negatives ("assume negative", AN).

    Args:
        logits (Tensor): (B, C) raw scores; computed in float32.
        targets (Tensor): (B, C), 1 positive, 0 negative, -1 unknown (soft
            targets in [0, 1] are allowed).
        gamma_neg (float): Focusing power of negatives. Defaults to 2.
        gamma_pos (float): Focusing power of positives. Defaults to 0.
        eps (float): Floor of the probabilities inside the log.
        weight (Tensor, optional): (B, C) element weights, e.g. 0 to ignore.
        avg_factor (float, optional): Number of samples to divide by;
            defaults to B.
        unknown_labels (str): ``'ignore'`` or ``'negative'``.

    Returns:
        Tensor: Scalar loss (before any ``loss_weight``).
    """
    known = targets >= 0
    losses = reference_asymmetric_loss_matrix(logits, targets.clamp(min=0),
                                              gamma_neg, gamma_pos, eps)
    num_samples = logits.size(0) if avg_factor is None else avg_factor
    denominator = num_samples * logits.size(1)
    if unknown_labels == 'ignore' and not bool(known.all()):
        losses = losses * known
        denominator = denominator * known.float().mean().clamp(min=1 /
                                                               known.numel())
    if weight is not None:
        losses = losses * weight
    return losses.sum() / denominator


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
        unknown_labels (str): What an unknown label (target -1) does:
            ``'ignore'`` (default; left out of the loss, the mean is over
            known labels) or ``'negative'`` ("assume negative", AN).
    """

    #: Targets may hold -1 for unknown labels (docs/partial_labels.md).
    accepts_unknown_labels = True

    def __init__(self,
                 gamma_neg: float = 2.0,
                 gamma_pos: float = 0.0,
                 eps: float = 1e-5,
                 loss_weight: float = 1000.0,
                 unknown_labels: str = 'ignore'):
        super().__init__()
        if unknown_labels not in ('ignore', 'negative'):
            raise ValueError(
                f"{type(self).__name__}: unknown_labels must be 'ignore' or "
                f"'negative', got {unknown_labels!r}")
        self.unknown_labels = unknown_labels
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
            avg_factor=avg_factor,
            unknown_labels=self.unknown_labels)

    def elementwise(self, cls_score: torch.Tensor,
                    targets: torch.Tensor) -> torch.Tensor:
        """(B, C) loss of each label for targets in [0, 1], unweighted and
        unreduced (:func:`reference_asymmetric_loss_matrix`); the base of
        the partial-label losses."""
        return reference_asymmetric_loss_matrix(cls_score, targets,
                                                self.gamma_neg, self.gamma_pos,
                                                self.eps)
