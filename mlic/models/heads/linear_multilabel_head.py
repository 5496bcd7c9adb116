from typing import Optional, Tuple

import torch
import torch.nn as nn

from mlic.registry import MODELS
from .base_multilabel_head import BaseMultiLabelHead


@MODELS.register_module()
class LinearMultiLabelHead(BaseMultiLabelHead):
    """One linear layer on pooled features (B, D) -> logits (B, C): the
    plain classifier every co-occurrence head is compared against.

    The layer, its initialisation (normal, std 0.01) and its parameter names
    (``fc.weight``, ``fc.bias``) are those of mmpretrain's
    ``MultiLabelLinearClsHead``, so a seed gives the same model and the
    checkpoints load in either. It is not reused as is because mmpretrain's
    head builds its targets from ``gt_label``/``gt_score`` alone and would
    read unknown labels (docs/partial_labels.md) as negatives; this one
    takes them from :func:`mlic.models.utils.multilabel_targets` like every
    mlic head, and refuses a loss that cannot honour them.

    Args:
        num_classes (int): C.
        in_channels (int): D, the pooled feature width.
        loss (dict): Classification loss. Defaults to the reference's
            asymmetric loss.
        thr, topk: As in :class:`BaseMultiLabelHead`.
        init_cfg (dict, optional): Defaults to normal init, std 0.01.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss: dict = dict(type='ReferenceAsymmetricLoss'),
                 thr: Optional[float] = 0.5,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)):
        super().__init__(num_classes, in_channels, loss, thr, topk, init_cfg)
        self.fc = nn.Linear(in_channels, num_classes)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """The last stage's pooled features, (B, D)."""
        return feats[-1]

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Logits, (B, C)."""
        return self.fc(self.pre_logits(feats))
