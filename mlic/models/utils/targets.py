from typing import Sequence

import torch
import torch.nn as nn
from mmpretrain.structures import (DataSample, batch_label_to_onehot,
                                   cat_batch_labels)
from mmpretrain.structures.data_sample import format_label

from mlic.utils.label_encoding import UNKNOWN_KEY


def multilabel_targets(data_samples: Sequence[DataSample], num_classes: int,
                       device: torch.device) -> torch.Tensor:
    """Targets (B, C) of a batch, float32: 1 positive, 0 negative, -1
    unknown (docs/partial_labels.md).

    The one place mlic's heads and losses read labels from. Positives come
    from ``gt_score`` when the data preprocessor made it (``to_onehot``),
    else from all ``gt_label`` indices of the batch in one scatter; the
    ``gt_label_unknown`` indices of the samples that have them are set to
    -1 in one more scatter. Without unknown labels the result is the plain
    multi-hot matrix.

    Raises:
        ValueError: a label index out of range, a label both positive and
            unknown, or targets of the wrong width.
    """
    if 'gt_score' in data_samples[0]:
        targets = torch.stack([s.gt_score for s in data_samples])
    else:
        targets = _onehot([s.gt_label for s in data_samples], num_classes,
                          'gt_label')
    if targets.size(1) != num_classes:
        raise ValueError(f'targets have {targets.size(1)} labels but the '
                         f'head has num_classes={num_classes}')
    targets = targets.to(dtype=torch.float32)
    if any(UNKNOWN_KEY in s for s in data_samples):
        unknown = _onehot(
            [format_label(s.get(UNKNOWN_KEY, [])) for s in data_samples],
            num_classes, UNKNOWN_KEY).bool()
        clash = unknown & (targets > 0)
        if clash.any():
            image, label = (int(i) for i in clash.nonzero()[0])
            raise ValueError(f'label {label} of image {image} in the batch '
                             'is both positive and unknown')
        targets = targets.masked_fill(unknown, -1.0)
    return targets.to(device=device)


def _onehot(labels, num_classes: int, key: str) -> torch.Tensor:
    labels, split = cat_batch_labels(labels)
    if labels.numel() and int(labels.max()) >= num_classes:
        raise ValueError(f'a {key} of {int(labels.max())} is out of range '
                         f'for num_classes={num_classes}')
    return batch_label_to_onehot(labels, split, num_classes)


def accepts_unknown_labels(loss: nn.Module) -> bool:
    """Whether a loss module declares that it honours unknown labels
    (targets -1), by a true ``accepts_unknown_labels`` attribute."""
    return bool(getattr(loss, 'accepts_unknown_labels', False))


def refuse_unknown_labels(loss: nn.Module, targets: torch.Tensor,
                          where: str) -> None:
    """Raise when ``targets`` (B, C) hold unknown labels (-1) and ``loss``
    does not honour them: mmpretrain's losses would read -1 as a target
    value and train on it without a word.

    Raises:
        ValueError: naming the loss and the losses that would serve.
    """
    if not accepts_unknown_labels(loss) and bool((targets < 0).any()):
        raise ValueError(
            f'{where}: the batch has unknown labels but '
            f'{type(loss).__name__} does not honour them (it would train '
            'on -1 as a target); use a loss of docs/partial_labels.md, '
            "e.g. dict(type='ReferenceAsymmetricLoss', "
            "unknown_labels='ignore') or dict(type='AssumeNegativeLoss')")


def sample_index_kwargs(loss: nn.Module, data_samples: Sequence[DataSample],
                        device: torch.device) -> dict:
    """``dict(sample_idx=(B, ) long)`` for a loss that declares
    ``needs_sample_indices`` (ROLE keeps a row per training image), else
    ``{}``. The indices are the ``sample_idx`` metainfo that mmengine's
    ``BaseDataset`` sets and mmpretrain's ``PackInputs`` packs.

    Raises:
        ValueError: a data sample without ``sample_idx``.
    """
    if not getattr(loss, 'needs_sample_indices', False):
        return {}
    indices = [s.metainfo.get('sample_idx') for s in data_samples]
    if None in indices:
        raise ValueError(
            f'{type(loss).__name__} needs the dataset index of each '
            f'training image, but sample {indices.index(None)} of the '
            "batch has no sample_idx in its metainfo (keep 'sample_idx' in "
            "PackInputs' meta_keys)")
    return dict(
        sample_idx=torch.tensor([int(i) for i in indices], device=device))
