from typing import Optional

import torch
import torch.nn as nn

from mlic.registry import MODELS


class ElementwiseLossWrapper(nn.Module):
    """What the partial-label losses share: a base loss that scores every
    (image, label) for targets in [0, 1] (``elementwise``, as
    :class:`ReferenceAsymmetricLoss` does), reweighed by a strategy for the
    unknown labels and reduced as the base loss reduces its own: the sum
    over the batch over B·C, times the base's ``loss_weight``.

    The base keeps its focusing and scale, so "assume negative", WAN, EPR
    and the large-loss modifications differ from the plain loss only in
    what they do with unknown labels: each implements
    :meth:`per_label_losses` (and EPR a :meth:`penalty`); the call, its
    argument checks and the reduction are here.

    Args:
        loss (dict): The base loss config; its type must have
            ``elementwise(cls_score, targets) -> (B, C)``.
    """

    #: Targets may hold -1 for unknown labels (docs/partial_labels.md).
    accepts_unknown_labels = True

    def __init__(self, loss: dict):
        super().__init__()
        self.base = MODELS.build(loss) if isinstance(loss, dict) else loss
        if not hasattr(self.base, 'elementwise'):
            raise TypeError(
                f'{type(self).__name__}: the base loss '
                f'{type(self.base).__name__} has no elementwise(cls_score, '
                "targets); use type='ReferenceAsymmetricLoss' (gamma_neg=0 "
                'for binary cross-entropy)')

    def per_label_losses(self, cls_score: torch.Tensor,
                         targets: torch.Tensor) -> torch.Tensor:
        """The (B, C) weighted losses for targets in {1, 0, -1}; each
        strategy implements it."""
        raise NotImplementedError

    def penalty(self, cls_score: torch.Tensor) -> torch.Tensor:
        """A batch-level term added after the reduction (before the base's
        ``loss_weight``); none by default."""
        return cls_score.new_zeros(())

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """mmpretrain's loss call: scores and targets (B, C); the strategy
        sets its own element weights, so ``weight`` must be None."""
        self.check_call(weight, reduction_override)
        losses = self.per_label_losses(cls_score, label.float())
        return self.reduce(losses, avg_factor) + \
            self.base.loss_weight * self.penalty(cls_score)

    def check_call(self, weight: Optional[torch.Tensor],
                   reduction_override: Optional[str]) -> None:
        """Refuse the mmpretrain call arguments a strategy cannot honour."""
        name = type(self).__name__
        if weight is not None:
            raise ValueError(f'{name} sets its own element weights; a '
                             'weight tensor is not supported')
        if reduction_override not in (None, 'mean'):
            raise ValueError(f'{name} only reduces by the mean, got '
                             f'reduction_override={reduction_override!r}')

    def reduce(self,
               losses: torch.Tensor,
               avg_factor: Optional[float] = None) -> torch.Tensor:
        """``loss_weight * sum(losses) / (avg_factor * C)``; ``losses``
        (B, C), already weighted; ``avg_factor`` defaults to B."""
        num_samples = losses.size(0) if avg_factor is None else avg_factor
        return self.base.loss_weight * losses.sum() / (
            num_samples * losses.size(1))
