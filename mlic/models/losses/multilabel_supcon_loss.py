import torch
import torch.nn as nn
import torch.nn.functional as F

from mlic.registry import MODELS
from .loss_args import check_loss_args


def multilabel_supcon_loss(embeddings: torch.Tensor,
                           targets: torch.Tensor,
                           tau: float = 0.1) -> torch.Tensor:
    """Supervised contrastive loss for multi-label images, positives weighted
    by label overlap (after "Multi-Label Supervised Contrastive Learning",
    Zhang & Wu, AAAI 2024).

    For anchor i with labels Y_i and every other image j of the batch,
    w_ij = |Y_i ∩ Y_j| / |Y_i|; the anchor's loss is
    ``-sum_j w_ij log softmax_j(z_i · z_j / tau) / sum_j w_ij`` over j != i.
    The mean is over anchors with at least one weighted positive. This
    weights positives by overlap in one softmax per anchor instead of
    MulSupCon's one anchor per label; both pull together images that share
    more labels.

    Args:
        embeddings (Tensor): (B, E); L2-normalised here.
        targets (Tensor): (B, C), 1 / 0 / -1 (unknown, counted in no
            overlap).
        tau (float): Temperature. Defaults to 0.1.

    Returns:
        Tensor: Scalar loss, float32 (0 with a graph when no anchor has a
        positive).
    """
    z = F.normalize(embeddings.float(), dim=1)
    # unknown labels (-1) are shared by no pair: overlap counts known
    # positives only
    y = targets.float().clamp(min=0)
    logits = z @ z.t() / tau  # (B, B)
    self_mask = torch.eye(len(z), dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float('-inf'))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    overlap = (y @ y.t()) / y.sum(1, keepdim=True).clamp(min=1)
    overlap = overlap.masked_fill(self_mask, 0)
    mass = overlap.sum(1)
    valid = mass > 0
    if not valid.any():
        return embeddings.sum() * 0.0
    per_anchor = -(overlap * log_prob.masked_fill(self_mask, 0)).sum(1)
    return (per_anchor[valid] / mass[valid]).mean()


@MODELS.register_module()
class MultiLabelSupConLoss(nn.Module):
    """Module form of :func:`multilabel_supcon_loss`.

    Use it beside any head through ``MLICClassifier(embedding_loss=...)``,
    which feeds it projected, pooled backbone features.

    Args:
        tau (float): Temperature. Defaults to 0.1.
        loss_weight (float): Defaults to 1.
    """

    #: Unknown labels (targets -1) count in no overlap.
    accepts_unknown_labels = True

    def __init__(self, tau: float = 0.1, loss_weight: float = 1.0):
        super().__init__()
        check_loss_args(
            type(self).__name__,
            positive=('tau', ),
            tau=tau,
            loss_weight=loss_weight)
        self.tau = tau
        self.loss_weight = loss_weight

    def forward(self, embeddings: torch.Tensor,
                targets: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * multilabel_supcon_loss(
            embeddings, targets, self.tau)
