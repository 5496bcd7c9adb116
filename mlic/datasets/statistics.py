from typing import Dict, Sequence

import numpy as np


def label_statistics(gt_labels: Sequence[Sequence[int]],
                     num_classes: int) -> Dict[str, np.ndarray]:
    """Label counts and co-occurrence of a multi-label dataset.

    Args:
        gt_labels: per image, its label indices.
        num_classes: C.

    Returns:
        dict: ``targets`` (N, C) 0/1, ``labels_per_image`` (N,),
        ``count_histogram`` (C + 1,) images with k labels,
        ``frequency`` (C,) images holding each label,
        ``cooccurrence`` (C, C) images holding both labels (diagonal:
        ``frequency``) and ``conditional`` (C, C) P(column | row), the
        statistic ML-GCN-style graphs are built from.
    """
    targets = np.zeros((len(gt_labels), num_classes), np.int64)
    rows = np.repeat(
        np.arange(len(gt_labels)), [len(labels) for labels in gt_labels])
    cols = np.fromiter((c for labels in gt_labels for c in labels), np.int64,
                       len(rows))
    targets[rows, cols] = 1
    per_image = targets.sum(1)
    cooccurrence = targets.T @ targets
    frequency = np.diag(cooccurrence).copy()
    conditional = cooccurrence / np.maximum(frequency, 1)[:, None]
    return dict(
        targets=targets,
        labels_per_image=per_image,
        count_histogram=np.bincount(per_image, minlength=num_classes + 1),
        frequency=frequency,
        cooccurrence=cooccurrence,
        conditional=conditional)


def dataset_label_statistics(dataset,
                             num_classes: int) -> Dict[str, np.ndarray]:
    """:func:`label_statistics` of a dataset, from ``get_cat_ids`` (no image
    is read)."""
    return label_statistics(
        [dataset.get_cat_ids(i) for i in range(len(dataset))], num_classes)
