"""Label encodings shared by the datasets, the models and the metrics.

A ``data_info`` / ``DataSample`` lists an image's unknown labels under
``gt_label_unknown`` (docs/partial_labels.md): the datasets write it, the
models read it, the metrics refuse it.
"""
from typing import Sequence

import numpy as np

UNKNOWN_KEY = 'gt_label_unknown'


def index_lists_to_mask(index_lists: Sequence[Sequence[int]],
                        num_classes: int) -> np.ndarray:
    """(N, C) bool from per-row label indices, in one scatter.

    Raises:
        ValueError: an index outside [0, C).
    """
    dense = np.zeros((len(index_lists), num_classes), dtype=bool)
    lengths = np.fromiter((len(i) for i in index_lists),
                          dtype=np.int64,
                          count=len(index_lists))
    if lengths.sum():
        rows = np.repeat(np.arange(len(index_lists)), lengths)
        cols = np.concatenate(
            [np.asarray(i, dtype=np.int64).ravel() for i in index_lists])
        if cols.max() >= num_classes or cols.min() < 0:
            raise ValueError(f'a label index {int(cols.max())} is out of '
                             f'range for {num_classes} classes')
        dense[rows, cols] = True
    return dense
