"""The field's partial-label protocols: which labels of a fully labelled
training set to hide, as pure functions of the label matrix and a seed.

Each takes ``states`` (N, C) int8 (1 positive, 0 negative, -1 already
unknown) and a ``numpy.random.Generator`` and returns new states; labels
already unknown stay unknown. Everything is one draw over the whole matrix,
in image order, so a seed gives the same labels on any machine and
whatever the number of workers. :class:`PartialLabelDataset` applies them.

Not found in mmpretrain or mmengine (their datasets assume full labels).
"""
import numpy as np

PROTOCOLS = ('known_proportion', 'single_positive', 'positive_drop')


def keep_known_proportion(states: np.ndarray, proportion: float,
                          rng: np.random.Generator) -> np.ndarray:
    """Durand et al., "Learning a Deep ConvNet for Multi-label
    Classification with Partial Labels" (CVPR 2019): each image keeps
    ``round(proportion * C)`` of its labels, positive and negative alike,
    chosen uniformly at random; the others become unknown (at least one
    label is kept per image).

    Labels that were unknown before count among the hidden ones and are
    never revealed, so an image may keep fewer.
    """
    if not 0 < proportion <= 1:
        raise ValueError(
            f'known_proportion must be in (0, 1], got {proportion!r}')
    num_images, num_classes = states.shape
    keep = max(1, int(round(proportion * num_classes)))
    # rank of each label in a random order per image: the first `keep` stay
    order = rng.random((num_images, num_classes)).argsort(axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(num_classes)[None], axis=1)
    out = states.copy()
    out[ranks >= keep] = -1
    return out


def keep_single_positive(states: np.ndarray,
                         rng: np.random.Generator) -> np.ndarray:
    """Cole et al., "Multi-Label Learning from Single Positive Labels" (CVPR
    2021): each image keeps one of its positives, chosen uniformly; every
    other label becomes unknown. An image without a positive keeps nothing
    (all unknown), so it adds nothing to a loss that ignores unknowns.
    """
    positive = states == 1
    # a uniform draw per label, -1 where not positive: the argmax is a
    # uniformly chosen positive
    draw = np.where(positive, rng.random(states.shape), -1.0)
    chosen = draw.argmax(axis=1)
    out = np.full_like(states, -1)
    has_positive = positive.any(axis=1)
    rows = np.nonzero(has_positive)[0]
    out[rows, chosen[rows]] = 1
    return out


def drop_positives(states: np.ndarray,
                   drop_rate: float,
                   rng: np.random.Generator,
                   unannotated: str = 'unknown') -> np.ndarray:
    """Missing positives (the setting of "Simple and Robust Loss Design for
    Multi-Label Learning with Missing Labels", Zhang et al., 2021): each
    positive is removed independently with probability ``drop_rate``.

    Args:
        unannotated (str): What every label that is not a kept positive
            becomes: ``'unknown'`` (only positives are annotated) or
            ``'negative'`` (the dropped positives turn into false
            negatives, the noisy-label reading of the setting).
    """
    if not 0 <= drop_rate < 1:
        raise ValueError(f'drop_rate must be in [0, 1), got {drop_rate!r}')
    if unannotated not in ('unknown', 'negative'):
        raise ValueError("unannotated must be 'unknown' or 'negative', got "
                         f'{unannotated!r}')
    kept = (states == 1) & (rng.random(states.shape) >= drop_rate)
    fill = -1 if unannotated == 'unknown' else 0
    out = np.where(kept, 1, fill).astype(states.dtype)
    if unannotated == 'negative':
        out[states == -1] = -1  # hidden before: stays hidden
    return out
