from typing import Dict, Optional, Sequence

import numpy as np

from mlic.utils.label_encoding import UNKNOWN_KEY
from .unknown_labels import count_unknown_labels, dense_label_states


def label_statistics(
    gt_labels: Sequence[Sequence[int]],
    num_classes: int,
    unknown_labels: Optional[Sequence[Sequence[int]]] = None
) -> Dict[str, np.ndarray]:
    """Label counts and co-occurrence of a multi-label dataset.

    With unknown labels (docs/partial_labels.md) every statistic counts
    known labels only: P(j | i) is the fraction of the images where i is
    positive *and j is known* that have j, so hiding labels at random does
    not bias it towards 0.

    Args:
        gt_labels: per image, its (positive) label indices.
        num_classes: C.
        unknown_labels: per image, its unknown label indices, if any.

    Returns:
        dict: ``targets`` (N, C) 1 / 0 / -1 (unknown), ``labels_per_image``
        (N,) positives, ``count_histogram`` (C + 1,) images with k
        positives, ``frequency`` (C,) images holding each label,
        ``unknown`` (C,) images where each label is unknown,
        ``cooccurrence`` (C, C) images holding both labels (diagonal:
        ``frequency``), ``known_pairs`` (C, C) images holding label i whose
        label j is known (every row equals ``frequency`` with full labels)
        and ``conditional`` (C, C) P(column | row), the statistic
        ML-GCN-style graphs are built from.
    """
    if unknown_labels is None:
        unknown_labels = [()] * len(gt_labels)
    states = dense_label_states(gt_labels, unknown_labels,
                                num_classes).astype(np.int64)
    positive = (states == 1).astype(np.int64)
    known = (states >= 0).astype(np.int64)
    per_image = positive.sum(1)
    cooccurrence = positive.T @ positive
    known_pairs = positive.T @ known
    frequency = np.diag(cooccurrence).copy()
    conditional = cooccurrence / np.maximum(known_pairs, 1)
    return dict(
        targets=states,
        labels_per_image=per_image,
        count_histogram=np.bincount(per_image, minlength=num_classes + 1),
        frequency=frequency,
        unknown=(states == -1).sum(0),
        cooccurrence=cooccurrence,
        known_pairs=known_pairs,
        conditional=conditional)


def dataset_label_statistics(dataset,
                             num_classes: int) -> Dict[str, np.ndarray]:
    """:func:`label_statistics` of a dataset, from ``get_cat_ids`` and,
    when it has unknown labels, ``get_data_info`` (no image is read)."""
    positives = [dataset.get_cat_ids(i) for i in range(len(dataset))]
    unknowns = None
    if count_unknown_labels(dataset):
        unknowns = [
            dataset.get_data_info(i).get(UNKNOWN_KEY, ())
            for i in range(len(dataset))
        ]
    return label_statistics(positives, num_classes, unknowns)
