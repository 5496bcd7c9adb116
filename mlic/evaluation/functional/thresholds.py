import json
from typing import List, Optional, Sequence, Union

import numpy as np

from mlic.utils.errors import InputFileError
from .multilabel_metrics import descending_rank_order

#: Thresholds are scores in [0, 1]; the search may write the float just
#: above a label's highest score (a label without positives: never
#: predicted), which is just above 1 when that score saturated at 1.0.
MAX_THRESHOLD = 1 + 1e-6


def best_f1_thresholds(scores: np.ndarray,
                       targets: np.ndarray,
                       ignore: Optional[np.ndarray] = None) -> np.ndarray:
    """Per label, the score threshold (``score >= t``) with the best F1.

    Meant for a validation set; all labels at once: one sort per label, then
    F1 = 2·TP / (predicted + positives) at every distinct score. A label
    without positives gets a threshold just above its highest score (never
    predicted).

    Args:
        scores (ndarray): (N, C) scores.
        targets (ndarray): (N, C) in {0, 1}.
        ignore (ndarray, optional): (N, C) bool, True leaves the image out.

    Returns:
        ndarray: (C,) float32 thresholds.
    """
    scores = np.asarray(scores, dtype=np.float32)
    positive = np.asarray(targets).astype(bool)
    valid = np.ones_like(positive) if ignore is None else ~np.asarray(
        ignore, dtype=bool)
    order = descending_rank_order(scores)  # (C, N)
    ranked = np.take_along_axis(scores.T, order, axis=1)
    hit = np.take_along_axis((positive & valid).T, order, axis=1)
    counted = np.take_along_axis(valid.T, order, axis=1)
    true_pos = np.cumsum(hit, axis=1)
    predicted = np.cumsum(counted, axis=1)
    num_pos = true_pos[:, -1:]
    f1 = 2.0 * true_pos / np.maximum(predicted + num_pos, 1)
    # A threshold can only sit at the last image of a run of equal scores.
    boundary = np.ones_like(hit)
    boundary[:, :-1] = ranked[:, :-1] != ranked[:, 1:]
    f1 = np.where(boundary, f1, -1.0)
    best = np.argmax(f1, axis=1)
    thresholds = ranked[np.arange(len(best)), best]
    never = num_pos[:, 0] == 0
    thresholds[never] = np.nextafter(scores.max(axis=0)[never], np.inf)
    return thresholds.astype(np.float32)


def save_thresholds(path: str, thresholds: np.ndarray,
                    classes: Sequence[str]) -> None:
    """Write per-label thresholds with their label names (JSON, atomic)."""
    from mlic.utils.fileio import atomic_write
    payload = dict(
        classes=list(classes),
        thresholds=np.asarray(thresholds, np.float32).tolist())
    atomic_write(path, lambda f: json.dump(payload, f, indent=1), mode='w')


def load_thresholds(path: str, classes: Sequence[str]) -> np.ndarray:
    """Per-label thresholds saved by :func:`save_thresholds`, (C,) float32.

    Raises:
        InputFileError: (a ``ValueError``) the file is not UTF-8 JSON of
            that form, it was made for other labels than ``classes``, or a
            value is not a score in [0, 1]; the message names the file.
    """
    from mlic.utils.fileio import read_json
    saved = read_json(path)
    try:
        values = np.asarray(saved['thresholds'], dtype=np.float32)
        saved_classes = list(saved.get('classes', []))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputFileError(
            f'{path} is not a thresholds file written by '
            f'eval_metric.py --search-thresholds ({err!r})') from None
    if saved_classes != list(classes):
        raise InputFileError(f'{path} holds thresholds for other labels than '
                             f'these {len(classes)}')
    if values.shape != (len(classes), ):
        raise InputFileError(
            f'{path} holds {values.shape} thresholds, expected '
            f'({len(classes)},)')
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0)
                         | (values > MAX_THRESHOLD))
    if len(bad):
        raise InputFileError(
            f'{path}: the threshold of {classes[bad[0]]!r} is '
            f'{values[bad[0]]}; thresholds are scores in [0, 1]')
    return values


def per_label_thresholds(threshold: Union[float, Sequence[float], str],
                         classes: List[str]) -> np.ndarray:
    """(C,) float32 thresholds from one number, C numbers or a per-label
    thresholds JSON file (the one ``eval_metric.py --search-thresholds``
    writes)."""
    if isinstance(threshold, str):
        return load_thresholds(threshold, classes)
    threshold = np.asarray(threshold, dtype=np.float32)
    if threshold.ndim and threshold.shape != (len(classes), ):
        raise ValueError(f'per-label thresholds must have shape '
                         f'({len(classes)},), got {threshold.shape}')
    if not (np.isfinite(threshold).all() and (threshold >= 0).all() and
            (threshold <= MAX_THRESHOLD).all()):
        raise ValueError(f'thresholds are scores in [0, 1], got '
                         f'{threshold.tolist()}')
    return np.broadcast_to(threshold, (len(classes), ))
