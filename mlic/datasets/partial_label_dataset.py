import copy
from typing import List, Optional, Union

import numpy as np
from mmengine.dist import is_main_process

from mlic.registry import DATASETS
from mlic.utils.fileio import atomic_write
from .partial_label_protocols import (PROTOCOLS, drop_positives,
                                      keep_known_proportion,
                                      keep_single_positive)
from .unknown_labels import (UNKNOWN_KEY, check_label_sets, check_packed,
                             dense_label_states)


@DATASETS.register_module()
class PartialLabelDataset:
    """A training set with labels hidden by one of the field's partial-label
    protocols (:mod:`mlic.datasets.partial_label_protocols`), seeded.

    Wraps any multi-label dataset the way mmengine's ``ClassBalancedDataset``
    does (``dataset=dict(...)``, ``lazy_init``, ``metainfo``,
    ``get_data_info``, ``get_cat_ids``); what it changes is each image's
    ``gt_label`` (the positives it keeps) and ``gt_label_unknown``
    (docs/partial_labels.md). Labels are drawn once, at ``full_init``, from
    the labels read through ``get_data_info`` (no image is read). It serves
    training only: a dataset in ``test_mode`` is refused, and evaluation
    needs full labels.

    Args:
        dataset (dict | BaseDataset): The fully (or already partially)
            labelled training set.
        protocol (str): ``'known_proportion'`` (needs ``known_proportion``),
            ``'single_positive'`` or ``'positive_drop'`` (needs
            ``drop_rate``; ``unannotated`` says what the rest becomes).
        known_proportion (float, optional): Fraction of each image's labels
            kept, in (0, 1].
        drop_rate (float, optional): Probability of removing a positive.
        unannotated (str): ``'unknown'`` or ``'negative'``, for
            ``'positive_drop'``. Defaults to ``'unknown'``.
        seed (int): Seed of the draw. Defaults to 0.
        record_file (str, optional): Where to write the labels drawn, in
            ``LabelListDataset``'s list format (``?name`` unknown), by the
            main process, atomically; reading it back with
            ``LabelListDataset`` gives the same training labels.
        lazy_init (bool): Defer the draw to the first use.
    """

    def __init__(self,
                 dataset: Union[dict, object],
                 protocol: str,
                 known_proportion: Optional[float] = None,
                 drop_rate: Optional[float] = None,
                 unannotated: str = 'unknown',
                 seed: int = 0,
                 record_file: Optional[str] = None,
                 lazy_init: bool = False):
        if protocol not in PROTOCOLS:
            raise ValueError(f'PartialLabelDataset: protocol must be one of '
                             f'{PROTOCOLS}, got {protocol!r}')
        needs = dict(
            known_proportion=known_proportion,
            positive_drop=drop_rate).get(protocol, 'unused')
        if needs is None:
            key = ('known_proportion'
                   if protocol == 'known_proportion' else 'drop_rate')
            raise ValueError(f'PartialLabelDataset: protocol {protocol!r} '
                             f'needs {key}')
        self.dataset = (
            DATASETS.build(dataset) if isinstance(dataset, dict) else dataset)
        self.protocol = protocol
        self.known_proportion = known_proportion
        self.drop_rate = drop_rate
        self.unannotated = unannotated
        self.seed = int(seed)
        self.record_file = record_file
        self._metainfo = self.dataset.metainfo
        self._states: Optional[np.ndarray] = None
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self._metainfo)

    @property
    def num_unknown_labels(self) -> int:
        self.full_init()
        return int((self._states == -1).sum())

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.dataset.full_init()
        if getattr(self.dataset, 'test_mode', False):
            raise ValueError(
                'PartialLabelDataset hides training labels; its dataset is '
                'in test_mode, and evaluation needs full labels')
        classes = self._metainfo['classes']
        positives, unknowns = [], []
        for i in range(len(self.dataset)):
            info = self.dataset.get_data_info(i)
            positives.append(list(info['gt_label']))
            unknowns.append(list(info.get(UNKNOWN_KEY, ())))
            check_label_sets(positives[-1], unknowns[-1],
                             f'{type(self.dataset).__name__}, image {i}',
                             classes)
        states = dense_label_states(positives, unknowns, len(classes))
        rng = np.random.default_rng(self.seed)
        if self.protocol == 'known_proportion':
            states = keep_known_proportion(states, self.known_proportion, rng)
        elif self.protocol == 'single_positive':
            states = keep_single_positive(states, rng)
        else:
            states = drop_positives(states, self.drop_rate, rng,
                                    self.unannotated)
        self._states = states
        self._fully_initialized = True
        if self.record_file and is_main_process():
            self._write_record(classes)

    def label_states(self) -> np.ndarray:
        """(N, C) int8: 1 positive, 0 negative, -1 unknown."""
        self.full_init()
        return self._states.copy()

    def _write_record(self, classes: List[str]) -> None:
        lines = []
        for i, row in enumerate(self._states):
            path = self.dataset.get_data_info(i).get('img_path', str(i))
            names = [classes[c] for c in np.flatnonzero(row == 1)]
            names += ['?' + classes[c] for c in np.flatnonzero(row == -1)]
            lines.append(f'{path}\t{",".join(names)}\n')
        atomic_write(self.record_file, lambda f: f.writelines(lines), mode='w')

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        info = self.dataset.get_data_info(idx)
        row = self._states[idx]
        info['gt_label'] = np.flatnonzero(row == 1).tolist()
        unknown = np.flatnonzero(row == -1).tolist()
        if unknown:
            info[UNKNOWN_KEY] = unknown
        else:
            info.pop(UNKNOWN_KEY, None)
        return info

    def get_cat_ids(self, idx: int) -> List[int]:
        """The positives the image keeps."""
        self.full_init()
        return np.flatnonzero(self._states[idx] == 1).tolist()

    def __getitem__(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        return check_packed(
            self.dataset.pipeline(info), len(info.get(UNKNOWN_KEY, ())),
            f'PartialLabelDataset over {type(self.dataset).__name__}, image '
            f'{info.get("img_path", idx)}')

    def __len__(self) -> int:
        return len(self.dataset)
