"""Present labels gathered into slots: the rows of per-label tensors that
only present labels need (MLIC's contrastive loss and graph views, the
gated graph encoder's state of present labels)."""
from typing import Tuple

import torch


def present_label_slots(
        targets: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Each image's present labels gathered into K slots, K being the most
    present labels any image of the batch has.

    Used where only present labels count (the contrastive co-occurrence
    loss, and the graph views it reads), so work scales with K instead of
    C. Slots past an image's own count hold absent labels, in label order,
    and are marked invalid.

    Args:
        targets (Tensor): (B, C), a label is present where > 0.5.

    Returns:
        tuple[Tensor]: ``rows`` (B, K) label indices, present ones first,
        each in label order; ``valid`` (B, K) bool, True for present.
    """
    present = targets > 0.5
    num_slots = int(present.sum(dim=1).max()) if present.numel() else 0
    rows = torch.argsort(
        present.to(torch.uint8), dim=1, descending=True,
        stable=True)[:, :num_slots]
    return rows, torch.gather(present, 1, rows)


def gather_rows(tensor: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """``tensor[b, rows[b]]`` for every b: (B, C, X), (B, K) -> (B, K, X);
    with :func:`present_label_slots`' rows, the present labels' rows."""
    return tensor.gather(1, rows.unsqueeze(-1).expand(-1, -1, tensor.size(-1)))
