from typing import Sequence

import torch
from mmpretrain.structures import (DataSample, batch_label_to_onehot,
                                   cat_batch_labels)


def multilabel_targets(data_samples: Sequence[DataSample], num_classes: int,
                       device: torch.device) -> torch.Tensor:
    """Multi-hot targets (B, C) of a batch, float32.

    Uses ``gt_score`` when the data preprocessor made it (``to_onehot``),
    else scatters all ``gt_label`` indices of the batch in one call.
    """
    if 'gt_score' in data_samples[0]:
        targets = torch.stack([s.gt_score for s in data_samples])
    else:
        labels, split = cat_batch_labels([s.gt_label for s in data_samples])
        if labels.numel() and int(labels.max()) >= num_classes:
            raise ValueError(f'a gt_label of {int(labels.max())} is out of '
                             f'range for num_classes={num_classes}')
        targets = batch_label_to_onehot(labels, split, num_classes)
    if targets.size(1) != num_classes:
        raise ValueError(f'targets have {targets.size(1)} labels but the '
                         f'head has num_classes={num_classes}')
    return targets.to(device=device, dtype=torch.float32)
