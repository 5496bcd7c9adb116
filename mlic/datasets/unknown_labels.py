"""Unknown labels: the dataset side of mlic's partial-label encoding.

Every label of every training image is positive, negative or unknown
(docs/partial_labels.md). A dataset's ``data_info`` carries the positives
in ``gt_label`` (as everywhere in mmpretrain) and the unknown labels in
``gt_label_unknown``; every label in neither is negative. The key is packed
into the ``DataSample`` by ``PackInputs(algorithm_keys=('gt_label_unknown',
))`` and turned into -1 targets by :func:`mlic.models.utils.
multilabel_targets`, the one place the models read labels from.

A dataset class says how many unknown labels it holds through
``num_unknown_labels`` (``LabelListDataset`` counts them from its file, the
datasets read from an official layout declare 0, ``PartialLabelDataset``
counts what its protocol hid). ``UnknownLabelCheckHook`` reads it to refuse
unknowns where they cannot be honoured.
"""
from typing import Sequence

import numpy as np

from mlic.utils.label_encoding import UNKNOWN_KEY, index_lists_to_mask


def count_unknown_labels(dataset) -> int:
    """How many (image, label) pairs of ``dataset`` are unknown.

    Follows mmengine's dataset wrappers (``dataset``/``datasets``
    attributes). A dataset class that declares no ``num_unknown_labels``
    is scanned through ``get_data_info`` once (no image is read); one
    without ``get_data_info`` has no ``data_info`` to hold unknown labels.
    """
    declared = getattr(dataset, 'num_unknown_labels', None)
    if declared is not None:
        return int(declared)
    if hasattr(dataset, 'datasets'):  # ConcatDataset
        return sum(count_unknown_labels(d) for d in dataset.datasets)
    if hasattr(dataset, 'dataset'):  # RepeatDataset, ClassBalancedDataset
        times = getattr(dataset, 'times', 1)
        return times * count_unknown_labels(dataset.dataset)
    if not hasattr(dataset, 'get_data_info'):
        return 0  # no data_info to hold unknown labels (a labels-only view)
    return sum(
        len(dataset.get_data_info(i).get(UNKNOWN_KEY, ()))
        for i in range(len(dataset)))


def check_label_sets(positives: Sequence[int], unknowns: Sequence[int],
                     where: str, classes: Sequence[str]) -> None:
    """Refuse a label that is both positive and unknown.

    Args:
        positives, unknowns: Label indices of one image.
        where (str): The file and line (or image) named in the message.
        classes: Label names, for the message.

    Raises:
        ValueError: naming ``where`` and the label.
    """
    both = sorted(set(positives) & set(unknowns))
    if both:
        names = ', '.join(repr(classes[i]) for i in both)
        raise ValueError(f'{where}: label(s) {names} are marked both '
                         'positive and unknown')


def check_packed(results: dict, num_unknown: int, dataset_name: str) -> dict:
    """``results`` of a pipeline, after checking that an image's unknown
    labels reached its ``DataSample`` (or, without ``PackInputs``, are still
    in the results).

    A pipeline whose ``PackInputs`` does not list ``gt_label_unknown`` in
    ``algorithm_keys`` would drop them, and every loss would then read the
    unknown labels as negatives without a word.

    Raises:
        ValueError: naming the dataset and the config key to set.
    """
    if num_unknown and isinstance(results, dict):
        # packed: the DataSample must carry them; not packed (a pipeline
        # without PackInputs, as browse_dataset.py runs it): the results
        # still hold the data_info's key
        sample = results.get('data_samples', results)
        if UNKNOWN_KEY not in sample:
            raise ValueError(
                f'{dataset_name}: this image has {num_unknown} unknown '
                'label(s) but the pipeline did not pack them, so they would '
                'be read as negatives; end the pipeline with '
                "dict(type='PackInputs', algorithm_keys=('gt_label_unknown', "
                '))')
    return results


def dense_label_states(positives: Sequence[Sequence[int]],
                       unknowns: Sequence[Sequence[int]],
                       num_classes: int) -> np.ndarray:
    """(N, C) int8 label states, 1 positive, 0 negative, -1 unknown, from
    per-image index lists (:func:`index_lists_to_mask` for each)."""
    states = index_lists_to_mask(positives, num_classes).astype(np.int8)
    states[index_lists_to_mask(unknowns, num_classes)] = -1
    return states
