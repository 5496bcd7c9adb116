from typing import Optional, Tuple

import torch
import torch.nn as nn

from mlic.registry import MODELS
from ..utils import gather_rows, present_label_slots
from .loss_args import check_loss_args


def cooccurrence_contrastive_loss(
        anchor: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        targets: torch.Tensor,
        tau: float = 1.0,
        normalize: bool = False,
        slots: Optional[Tuple[torch.Tensor,
                              torch.Tensor]] = None) -> torch.Tensor:
    """Contrastive co-occurrence loss of MLIC (docs/method.md §2.2), batched.

    For image b and each present label i, with a = anchor[b, i]:
    ``l_i = -log(exp(s+) / (exp(s+) + exp(s-) + sum_j exp(s_j)))`` where
    s+ = a·positive[b, i]/tau, s- = a·negative[b, i]/tau and j runs over the
    image's other present labels (s_j = a·anchor[b, j]/tau). Per image the
    mean over present labels; the batch value is the sum over images divided
    by B. An image without present labels contributes 0 (the reference gives
    NaN there); one with a single present label has only s+ and s-.

    The whole batch is one masked log-sum-exp over (B, K, K + 2) similarity
    logits, K being the largest number of present labels in an image,
    instead of the reference's Python loop with boolean indexing.
    ``positive`` and ``negative`` are treated as constants (stop-gradient).

    Args:
        anchor (Tensor): H^T, (B, C, D), with gradient.
        positive (Tensor): H+, (B, C, D); with ``slots``, only its rows at
            the slots, (B, K, D).
        negative (Tensor): H-, like ``positive``.
        targets (Tensor): (B, C) in {0, 1}.
        tau (float): Temperature. Defaults to 1.
        normalize (bool): Compare L2-normalised rows (cosine similarities
            over ``tau``) instead of the paper's raw dot products; an
            opt-in variant (docs/method.md, "The graph collapse"). Defaults
            to False.
        slots (tuple[Tensor], optional): ``(rows, valid)`` of
            :func:`~mlic.models.utils.present_label_slots` for ``targets``,
            when ``positive`` and ``negative`` were computed at those rows
            only (``MLICHead``'s fast path): they are used as given, with
            no scatter into (B, C, D) and gather back.

    Returns:
        Tensor: Scalar loss, float32.
    """
    anchor = anchor.float()
    positive = positive.detach().float()
    negative = negative.detach().float()
    # Only present labels enter the loss, so gather them into K slots per
    # image (K = the most labels any image has, a few on COCO versus C = 80)
    # instead of scoring all C x C pairs; ``valid`` marks the real slots.
    if slots is None:
        order, valid = present_label_slots(targets)  # (B, K)
        positive, negative = (
            gather_rows(t, order) for t in (positive, negative))
    else:
        order, valid = slots
    num_slots = order.size(1)
    if num_slots == 0:
        # No image has a present label: the loss is 0, with a graph.
        return anchor.sum() * 0.0
    anchor = gather_rows(anchor, order)  # (B, K, D)
    if normalize:
        anchor, positive, negative = (
            nn.functional.normalize(t, dim=-1)
            for t in (anchor, positive, negative))

    pos_logits = torch.linalg.vecdot(anchor, positive) / tau  # (B, K)
    neg_logits = torch.linalg.vecdot(anchor, negative) / tau  # (B, K)
    pair_logits = torch.bmm(anchor, anchor.transpose(1, 2)) / tau  # (B,K,K)
    # Column j takes part in row i's denominator when j is a real slot and
    # j != i.
    not_self = ~torch.eye(num_slots, dtype=torch.bool, device=anchor.device)
    pair_valid = valid.unsqueeze(1) & not_self
    pair_logits = pair_logits.masked_fill(~pair_valid, float('-inf'))

    logits = torch.cat(
        [pos_logits.unsqueeze(-1),
         neg_logits.unsqueeze(-1), pair_logits],
        dim=-1)
    per_label = torch.logsumexp(logits, dim=-1) - pos_logits  # (B, K)

    weights = valid.to(per_label.dtype)
    num_present = weights.sum(dim=1)
    per_image = (per_label * weights).sum(dim=1) / num_present.clamp(min=1)
    return per_image.sum() / targets.size(0)


@MODELS.register_module()
class CooccurrenceContrastiveLoss(nn.Module):
    """Module form of :func:`cooccurrence_contrastive_loss`.

    Called as ``loss(anchor, positive, negative, targets)`` with three
    (B, C, D) tensors and (B, C) targets in {0, 1}, or with ``slots=(rows,
    valid)`` and the views at those rows only, (B, K, D).

    Args:
        tau (float): Temperature. Defaults to 1.
        loss_weight (float): The λ of docs/method.md §2. Defaults to 1.
        normalize (bool): Cosine similarities instead of raw dot products
            (a variant, not the paper's loss). Defaults to False.
    """

    def __init__(self,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 normalize: bool = False):
        super().__init__()
        check_loss_args(
            type(self).__name__,
            positive=('tau', ),
            tau=tau,
            loss_weight=loss_weight)
        self.tau = tau
        self.loss_weight = loss_weight
        self.normalize = bool(normalize)

    def forward(
        self,
        anchor: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        targets: torch.Tensor,
        slots: Optional[Tuple[torch.Tensor,
                              torch.Tensor]] = None) -> torch.Tensor:
        rows = anchor.shape if slots is None else (anchor.size(0),
                                                   slots[0].size(1),
                                                   anchor.size(2))
        if not (positive.shape == negative.shape == rows):
            raise ValueError(
                'positive and negative must be (B, C, D) like the anchor, or '
                f'(B, K, D) at the K slots given, expected {tuple(rows)}, '
                f'got {tuple(positive.shape)}, {tuple(negative.shape)}')
        if targets.shape != anchor.shape[:2]:
            raise ValueError(f'targets must be (B, C) = '
                             f'{tuple(anchor.shape[:2])}, got '
                             f'{tuple(targets.shape)}')
        return self.loss_weight * cooccurrence_contrastive_loss(
            anchor,
            positive,
            negative,
            targets,
            tau=self.tau,
            normalize=self.normalize,
            slots=slots)
