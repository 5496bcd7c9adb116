import math
from typing import Optional, Tuple

import torch
from mmengine.logging import MessageHub

from mlic.registry import MODELS
from .elementwise_loss_wrapper import ElementwiseLossWrapper
from .loss_args import check_loss_args


@MODELS.register_module()
class LargeLossModification(ElementwiseLossWrapper):
    """Large-loss rejection (LL-R) and temporary correction (LL-Ct), Kim et
    al., "Large Loss Matters in Weakly Supervised Multi-Label
    Classification" (CVPR 2022).

    Unknown labels are first scored as negatives ("assume negative"). The
    model memorises the false negatives among them late, so their losses
    stay large: at epoch t (counted from 0) the ``ceil(delta_rel * t * B·C)``
    largest losses among the batch's unknown labels (at most all of them)
    are rejected (``mode='reject'``: weight 0) or scored as positives for
    this step (``mode='correct'``). Epoch 0 modifies nothing. As in the
    authors' code the rate is a fraction of the batch's B·C labels.

    The epoch is the one mmengine's runner is training (its
    ``RuntimeInfoHook`` records it in the ``MessageHub``), or the one given
    to :meth:`set_epoch`, which takes precedence; with neither the loss
    refuses to run instead of guessing.

    Args:
        mode (str): ``'reject'`` (LL-R) or ``'correct'`` (LL-Ct).
        delta_rel (float): Growth of the modified fraction per epoch.
            Defaults to 0.002 (0.2 % of the labels per epoch); choose it on
            a validation split.
        loss (dict): Base loss. Defaults to ``ReferenceAsymmetricLoss``
            with ``gamma_neg=0`` (binary cross-entropy, as in the paper).
    """

    def __init__(self,
                 mode: str = 'reject',
                 delta_rel: float = 0.002,
                 loss: dict = dict(
                     type='ReferenceAsymmetricLoss', gamma_neg=0.0)):
        super().__init__(loss)
        if mode not in ('reject', 'correct'):
            raise ValueError(f"{type(self).__name__}: mode must be 'reject' "
                             f"or 'correct', got {mode!r}")
        check_loss_args(type(self).__name__, delta_rel=delta_rel)
        self.mode = mode
        self.delta_rel = delta_rel
        self.epoch: Optional[int] = None

    def set_epoch(self, epoch: int) -> None:
        """Fix the training epoch (counted from 0) instead of reading the
        runner's, e.g. outside a runner."""
        self.epoch = int(epoch)

    def current_epoch(self) -> int:
        if self.epoch is not None:
            return self.epoch
        epoch = MessageHub.get_current_instance().get_info('epoch')
        if epoch is None:
            raise RuntimeError(
                f'{type(self).__name__} needs the training epoch: train it '
                "with mmengine's runner, or call set_epoch(epoch)")
        return int(epoch)

    def modified_count(self, num_labels: int, num_unknown: int) -> int:
        """How many of a batch's ``num_labels`` (B·C) losses at unknown
        labels are modified this epoch."""
        rate = self.delta_rel * self.current_epoch()
        return min(math.ceil(rate * num_labels - 1e-9), num_unknown)

    def per_label_losses(self, cls_score: torch.Tensor,
                         label: torch.Tensor) -> torch.Tensor:
        return self.modified_losses(cls_score, label)[0]

    def modified_losses(
            self, cls_score: torch.Tensor, label: torch.Tensor
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """The (B, C) losses, and the (B, C) bool mask of the unknown labels
        modified this step (None when none is)."""
        unknown = label < 0
        losses = self.base.elementwise(cls_score, label.clamp(min=0))
        count = self.modified_count(losses.numel(), int(unknown.sum()))
        if count == 0:
            return losses, None
        candidates = losses.detach().masked_fill(~unknown, -math.inf)
        chosen = candidates.flatten().topk(count).indices
        large = torch.zeros_like(unknown).flatten()
        large[chosen] = True
        large = large.view_as(unknown)
        if self.mode == 'reject':
            losses = losses.masked_fill(large, 0.0)
        else:
            as_positive = self.base.elementwise(cls_score,
                                                torch.ones_like(label))
            losses = torch.where(large, as_positive, losses)
        return losses, large
