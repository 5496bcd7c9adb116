"""The MLIC reference's multi-label metrics, vectorised.

Rules (docs/method.md §4), all in percent:

- **mAP**: per label, images ranked by score (descending), ignored images
  removed from that label's ranking, AP by the VOC 2012 rule (``'voc12'``:
  precision made monotone from the right, summed over the recall steps) or
  the non-interpolated rule (``'voc07'``: mean precision at each positive).
  Ties (``ties='block'``, the default) are ranked as one block, as
  scikit-learn's ``average_precision_score`` does: every positive of a
  block of equal scores gets the precision at the end of the block, so the
  AP does not depend on the order of the images. ``ties='reference'`` ranks
  them as the reference's ``np.argsort(score)[::-1]`` does with a stable
  sort (equal scores in reverse image order), for exact parity; there a
  constant predictor scores 100 or near 0 depending only on the dataset
  order. On scores without ties both rules agree. A label with no
  positive image gets AP 0 and still counts in the mean (as in the
  reference); ``num_labels_without_positives`` says how many there were.
- **CP, CR, CF1, OP, OR, OF1** at ``score >= threshold``; per label the
  counts of ground truth, predictions and true positives (ignored images
  left out). A zero count is replaced by machine epsilon before dividing,
  so a never-predicted label has precision 1 and a never-present label
  recall 1, as in the reference. C* average per-label ratios, O* pool the
  counts; CF1/OF1 are harmonic means of the averaged precision and recall.
- The ``_top{k}`` variants first keep each image's k highest scores and set
  the others to 0 (ties at the k-th score keep the lower label index).

mmpretrain's ``AveragePrecision``/``MultiLabelMetric`` compute related but
different numbers (no interpolation, different zero handling, no ignore
mask), so they are not reused here.
"""
from typing import Dict, Optional, Union

import numpy as np

ArrayLike = Union[np.ndarray,
                  'torch.Tensor']  # noqa: F821 (no torch import needed)
EPS = np.finfo(np.float64).eps


def _to_numpy(value, name: str, dtype=None) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.ndim != 2:
        raise ValueError(f'{name} must be a 2-D (N, C) array, got shape '
                         f'{array.shape}')
    return array.astype(dtype, copy=False) if dtype is not None else array


def _order_keys(scores_t: np.ndarray) -> np.ndarray:
    """uint32 keys with the same order as the float32 values."""
    bits = scores_t.view(np.uint32)
    if not np.signbit(scores_t).any():
        return bits  # non-negative floats already order as their bits
    negative = np.signbit(scores_t)
    return np.where(negative, ~bits, bits | np.uint32(0x80000000))


def descending_rank_order(scores: np.ndarray) -> np.ndarray:
    """Per label, image indices from highest to lowest score, equal scores
    in reverse image order.

    Each (score, index) pair is packed in one uint64 and the keys are
    sorted by value (``np.sort`` uses SIMD sorting networks), which is
    about twice as fast as a stable ``np.argsort`` of the scores.

    Args:
        scores (ndarray): (N, C) scores.

    Returns:
        ndarray: (C, N) uint32 indices into the N images (a view).
    """
    return _sorted_keys(scores)[0]


def _sorted_keys(scores: np.ndarray):
    """(C, N) image order (see :func:`descending_rank_order`) and, aligned
    with it, (C, N) uint32 keys that order and compare as the scores (equal
    keys = tied scores). Both are views of one sorted array."""
    num, num_classes = scores.shape
    if num >= 2**32:
        raise ValueError('at most 2**32 - 1 images are supported')
    scores_t = np.ascontiguousarray(scores.T, dtype=np.float32)
    scores_t += np.float32(0.0)  # -0.0 -> 0.0, so equal scores share a key
    keys = np.empty((num_classes, num), dtype=np.uint64)
    keys[...] = _order_keys(scores_t)
    keys <<= np.uint64(32)
    keys |= np.arange(num, dtype=np.uint64)
    keys.sort(axis=1)
    # The low 32 bits of each key are the image index, the high 32 bits
    # the score key (numpy's view follows the machine's byte order).
    low_word = 0 if np.little_endian else 1
    words = keys.view(np.uint32).reshape(num_classes, num, 2)[:, ::-1]
    return words[..., low_word], words[..., 1 - low_word]


def average_precision_per_label(scores: np.ndarray,
                                targets: np.ndarray,
                                ignore: Optional[np.ndarray] = None,
                                mode: str = 'voc12',
                                ties: str = 'block') -> np.ndarray:
    """AP of each label as a fraction, (C,); see the module docstring.

    Only the positives' ranks are needed: precision rises only at a
    positive, so its maximum over any tail of the ranking sits at a positive
    and both AP rules reduce to sums over the (few) positives.

    Args:
        scores (ndarray): (N, C) scores.
        targets (ndarray): (N, C) in {0, 1}.
        ignore (ndarray, optional): (N, C) bool, True leaves the image out
            of that label's ranking.
        mode (str): ``'voc12'`` (interpolated) or ``'voc07'``.
        ties (str): ``'block'`` (order-independent) or ``'reference'``.
    """
    if mode not in ('voc12', 'voc07'):
        raise ValueError(f"ap must be 'voc12' or 'voc07', got {mode!r}")
    if ties not in ('block', 'reference'):
        raise ValueError(f"ties must be 'block' or 'reference', got {ties!r}")
    num_classes = scores.shape[1]
    order, ranked_keys = _sorted_keys(scores)  # (C, N) each
    positive = np.asarray(targets).astype(bool)
    if ignore is not None:
        positive = positive & ~ignore
    ranked_pos = np.take_along_axis(positive.T, order, axis=1)
    rows, cols = np.nonzero(ranked_pos)  # positives, by label then rank
    if ignore is None:
        rank = cols + 1.0  # 1-based rank among all images
    else:
        ranked_valid = np.take_along_axis(~ignore.T, order, axis=1)
        rank = np.cumsum(ranked_valid, axis=1, dtype=np.int64)[rows, cols]
        rank = rank.astype(np.float64)
    num_pos = np.bincount(rows, minlength=num_classes)
    first = np.concatenate(([0], np.cumsum(num_pos)[:-1]))
    hits = np.arange(len(rows)) - first[rows] + 1.0  # positives so far
    if ties == 'block' and len(rows):
        is_end = np.ones(ranked_keys.shape, bool)
        np.not_equal(
            ranked_keys[:, :-1], ranked_keys[:, 1:], out=is_end[:, :-1])
        if not is_end.all():  # without ties both rules agree
            rank, hits = _at_block_ends(is_end, order, ranked_pos, ignore,
                                        rows, cols)
    precision = hits / rank
    if mode == 'voc12' and len(rows):
        # Max from the right within each label: labels are offset so a
        # later (lower) label always exceeds the running max of the one
        # before it in the reversed pass; precision is in [0, 1].
        offset = 2.0 * (num_classes - rows)
        tail_max = np.maximum.accumulate((precision + offset)[::-1])[::-1]
        precision = tail_max - offset
    sums = np.bincount(rows, weights=precision, minlength=num_classes)
    return sums / np.maximum(num_pos, EPS)


def _at_block_ends(is_end, order, ranked_pos, ignore, rows, cols):
    """Rank and positives-so-far at the end of each positive's block of
    equal scores: both (P,) float for the P positives ``(rows, cols)``.

    Args:
        is_end (ndarray): (C, N) bool, the ranked position ends a block.
    """
    num = is_end.shape[1]
    # Block end of each position: the nearest end at or after it.
    ends = np.where(is_end, np.arange(num), num)
    ends = np.minimum.accumulate(ends[:, ::-1], axis=1)[:, ::-1]
    block_end = ends[rows, cols]
    hits = np.cumsum(ranked_pos, axis=1, dtype=np.int64)[rows, block_end]
    if ignore is None:
        rank = block_end + 1.0
    else:
        ranked_valid = np.take_along_axis(~ignore.T, order, axis=1)
        rank = np.cumsum(ranked_valid, axis=1, dtype=np.int64)[rows, block_end]
    return rank.astype(np.float64), hits.astype(np.float64)


def _keep_topk(scores: np.ndarray, k: int) -> np.ndarray:
    """Scores with all but each row's k highest set to 0, (N, C)."""
    num_classes = scores.shape[1]
    if k >= num_classes:
        return scores.copy()
    kth = np.partition(
        scores, num_classes - k, axis=1)[:, num_classes - k, None]  # (N, 1)
    keep = scores > kth
    at_kth = scores == kth
    room = k - keep.sum(axis=1)
    ties = at_kth.sum(axis=1) > room
    keep |= at_kth & ~ties[:, None]
    if ties.any():
        # Equal scores at the k-th place: the lower label indices stay.
        tied = np.cumsum(at_kth[ties], axis=1) <= room[ties, None]
        keep[ties] |= at_kth[ties] & tied
    return np.where(keep, scores, 0.0)


def _counting_metrics(predicted: np.ndarray, positive: np.ndarray,
                      valid: np.ndarray) -> Dict[str, float]:
    gt = (positive & valid).sum(axis=0).astype(np.float64)
    pd = (predicted & valid).sum(axis=0).astype(np.float64)
    tp = (predicted & positive & valid).sum(axis=0).astype(np.float64)
    cp = np.mean(np.maximum(tp, EPS) / np.maximum(pd, EPS))
    cr = np.mean(np.maximum(tp, EPS) / np.maximum(gt, EPS))
    op = max(tp.sum(), EPS) / max(pd.sum(), EPS)
    orec = max(tp.sum(), EPS) / max(gt.sum(), EPS)

    def f1(p, r):
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    return dict(
        CP=100 * cp,
        CR=100 * cr,
        CF1=100 * f1(cp, cr),
        OP=100 * op,
        OR=100 * orec,
        OF1=100 * f1(op, orec))


def multilabel_metrics(scores: ArrayLike,
                       targets: ArrayLike,
                       ignore: Optional[ArrayLike] = None,
                       threshold: Union[float, np.ndarray] = 0.5,
                       topk: int = 3,
                       ap: str = 'voc12',
                       ties: str = 'block') -> Dict[str, object]:
    """The reference's multi-label metrics for a whole test set.

    Args:
        scores (ndarray | Tensor): (N, C) scores (probabilities).
        targets (ndarray | Tensor): (N, C) in {0, 1}.
        ignore (ndarray | Tensor, optional): (N, C) bool; True leaves the
            image out of that label's AP and counts.
        threshold (float | ndarray): Score threshold of the counting
            metrics, or one per label, (C,) (e.g. from
            :func:`best_f1_thresholds`).
        topk (int): k of the ``_top{k}`` metrics.
        ap (str): ``'voc12'`` (the reference's) or ``'voc07'``.
        ties (str): How equal scores rank in the AP: ``'block'`` (one
            block, order-independent, the default) or ``'reference'``.

    Returns:
        dict: ``mAP``, ``CP``, ``CR``, ``CF1``, ``OP``, ``OR``, ``OF1``, the
        same six with ``_top{k}``, all in percent; ``AP_classwise`` (list,
        percent) and ``num_labels_without_positives`` (int).
    """
    scores = _to_numpy(scores, 'scores', np.float32)
    if scores.shape[0] == 0:
        raise ValueError('there are no predictions to evaluate (the test '
                         'set or the prediction dump is empty)')
    targets = _to_numpy(targets, 'targets')
    if targets.shape != scores.shape:
        raise ValueError(f'targets shape {targets.shape} differs from scores '
                         f'shape {scores.shape}')
    if targets.dtype != bool and not ((targets == 0) | (targets == 1)).all():
        raise ValueError('targets must contain only 0 and 1')
    bad = ~np.isfinite(scores)
    if bad.any():
        raise FloatingPointError(
            f'{int(bad.sum())} of {scores.size} scores are not finite '
            f'(NaN or inf, in {int(bad.any(1).sum())} images); the model '
            'diverged or its input was broken')
    positive = targets.astype(bool)
    if ignore is None:
        valid = np.ones_like(positive)
        ignore_mask = None
    else:
        ignore_mask = _to_numpy(ignore, 'ignore').astype(bool)
        if ignore_mask.shape != scores.shape:
            raise ValueError(f'ignore shape {ignore_mask.shape} differs from '
                             f'scores shape {scores.shape}')
        valid = ~ignore_mask
    if topk < 1:
        raise ValueError(f'topk must be >= 1, got {topk}')
    threshold = np.asarray(threshold, dtype=np.float32)
    if threshold.ndim and threshold.shape != (scores.shape[1], ):
        raise ValueError(f'per-label thresholds must have shape '
                         f'({scores.shape[1]},), got {threshold.shape}')

    ap_per_label = average_precision_per_label(scores, positive, ignore_mask,
                                               ap, ties)
    results: Dict[str, object] = dict(mAP=100 * float(ap_per_label.mean()))
    results.update(_counting_metrics(scores >= threshold, positive, valid))
    top = _counting_metrics(
        _keep_topk(scores, topk) >= threshold, positive, valid)
    results.update({f'{key}_top{topk}': value for key, value in top.items()})
    results['AP_classwise'] = (100 * ap_per_label).tolist()
    results['num_labels_without_positives'] = int(
        ((positive & valid).sum(axis=0) == 0).sum())
    return results
