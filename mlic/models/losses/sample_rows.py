"""What the losses that keep a row per training image share (ROLE's label
estimates, LL-Cp's corrected labels): checking the batch's dataset indices
against the table, and sharing the rows a step changed with the other
ranks so that every replica holds the same table.

Not reused from mmengine or mmpretrain: neither has per-sample state in a
loss; :func:`mmengine.dist.all_gather_object` does the exchange.
"""
from typing import List, Optional, Tuple

import torch
from mmengine.dist import all_gather_object, get_world_size

from .loss_args import check_loss_args


def table_size(name: str, num_samples: int,
               num_classes: int) -> Tuple[int, int]:
    """``(N, C)`` of a per-image table as ints, refused unless both are
    positive whole numbers.

    Raises:
        ValueError: the message names the loss and the value at fault.
    """
    check_loss_args(
        name,
        positive=('num_samples', 'num_classes'),
        num_samples=num_samples,
        num_classes=num_classes)
    if int(num_samples) != num_samples or int(num_classes) != num_classes:
        raise ValueError(f'{name}: num_samples and num_classes must be whole '
                         f'numbers, got {num_samples!r} and {num_classes!r}')
    return int(num_samples), int(num_classes)


def check_sample_indices(name: str, sample_idx: Optional[torch.Tensor],
                         label: torch.Tensor,
                         table: torch.Tensor) -> torch.Tensor:
    """The batch's dataset indices as a (B, ) long tensor on the table's
    device.

    Args:
        name (str): The loss, for the messages.
        sample_idx: What the head passed (``sample_idx`` of the data
            samples' metainfo), or None.
        label (Tensor): The batch's targets (B, C).
        table (Tensor): The loss's per-image table, (N, C).

    Raises:
        ValueError: targets of another width than the table, no indices,
            not one per image, or one outside the table.
    """
    num_samples, num_classes = table.shape[:2]
    if label.size(1) != num_classes:
        raise ValueError(f'{name}: targets have {label.size(1)} labels but '
                         f'num_classes={num_classes}')
    if sample_idx is None:
        raise ValueError(
            f'{name} needs the dataset index of each training image '
            "(sample_idx); the heads of mlic pass it from the data samples' "
            'metainfo')
    sample_idx = torch.as_tensor(
        sample_idx, device=table.device).long().flatten()
    if sample_idx.numel() != label.size(0):
        raise ValueError(f'{name}: {sample_idx.numel()} sample indices for a '
                         f'batch of {label.size(0)}')
    outside = (sample_idx < 0) | (sample_idx >= num_samples)
    if outside.any():
        raise ValueError(
            f'{name}: sample_idx {int(sample_idx[outside][0])} is outside '
            f'the table of num_samples={num_samples}; set num_samples to the '
            "training set's length (one dataset: a ConcatDataset's parts "
            'would share rows)')
    return sample_idx


def gather_from_ranks(*tensors: torch.Tensor) -> List[torch.Tensor]:
    """Each tensor concatenated (along dim 0) over the ranks, on its own
    device; the tensors themselves with one process."""
    if get_world_size() == 1:
        return list(tensors)
    gathered = all_gather_object(tuple(t.cpu() for t in tensors))
    return [
        torch.cat([part[i] for part in gathered]).to(t.device)
        for i, t in enumerate(tensors)
    ]
