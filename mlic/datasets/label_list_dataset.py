import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.fileio import get_local_path
from mmpretrain.datasets import MultiLabelDataset

from mlic.registry import DATASETS
from .unknown_labels import UNKNOWN_KEY, check_packed
from .utils import read_lines, read_text, require_file

#: Prefixes of a label name in a list file: unknown, negative.
UNKNOWN_MARK = '?'
NEGATIVE_MARK = '-'


def read_label_names(label_file: str) -> List[str]:
    """Label names, one per non-empty line, in label order."""
    names = read_lines(require_file(label_file, 'label file'))
    if not names:
        raise ValueError(f'label file {label_file} lists no labels')
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f'label file {label_file} repeats {duplicates}')
    known = set(names)
    ambiguous = [
        n for n in names
        if n[:1] in (UNKNOWN_MARK, NEGATIVE_MARK) and n[1:] in known
    ]
    if ambiguous:
        raise ValueError(
            f'label file {label_file}: {ambiguous} could be read as the '
            f'name after the {UNKNOWN_MARK!r} (unknown) or {NEGATIVE_MARK!r} '
            '(negative) mark in a list file; rename them')
    return names


@DATASETS.register_module()
class LabelListDataset(MultiLabelDataset):
    """Multi-label dataset in the MLIC reference's list format.

    ``ann_file`` has one sample a line, ``<image path>\\t<name>,<name>,...``
    with label *names* from ``label_file`` (one name a line, in label order).
    A name is a positive label; ``?name`` marks it unknown and ``-name``
    negative (partially labelled data, docs/partial_labels.md). Labels a
    line does not name are negative, or unknown with
    ``unlisted='unknown'`` (lists that name their negatives, as
    OpenImages' human-verified labels do). Unknown labels are stored as
    ``gt_label_unknown``; the pipeline must pack them
    (``PackInputs(algorithm_keys=('gt_label_unknown', ))``), which is
    checked for every image that has some.
    ``ignore_file`` (optional, VOC-style) is an N x C 0/1 ``.npy`` array over
    the lines of ``ann_file``; 1 marks a label to leave out of that image's
    evaluation, stored as ``gt_label_difficult``.

    Built on mmpretrain's ``MultiLabelDataset`` (so ``get_cat_ids``,
    ``metainfo['classes']``, ``lazy_init``, ``indices``, ``serialize_data``
    and pipelines all work as there). Relative ``ann_file``, ``label_file``
    and ``ignore_file`` are resolved against ``data_root``; relative image
    paths against ``data_root`` + ``data_prefix``.

    Args:
        ann_file (str): The list file.
        label_file (str): Label names file.
        ignore_file (str, optional): The ignore array.
        unlisted (str): What a label that a line does not name is:
            ``'negative'`` (default, the reference's lists) or
            ``'unknown'``.
        data_root (str): Root of the relative paths. Defaults to ''.
        data_prefix (str | dict): Image folder under ``data_root``.
        **kwargs: Other ``BaseDataset`` arguments (``pipeline``,
            ``test_mode``, ``indices``, ``lazy_init``, ...).
    """

    def __init__(self,
                 ann_file: str,
                 label_file: str,
                 ignore_file: Optional[str] = None,
                 unlisted: str = 'negative',
                 data_root: str = '',
                 data_prefix: str = '',
                 metainfo: Optional[dict] = None,
                 **kwargs):
        self.label_file = self._under_root(label_file, data_root)
        self.ignore_file = (
            self._under_root(ignore_file, data_root)
            if ignore_file is not None else None)
        if unlisted not in ('negative', 'unknown'):
            raise ValueError(f"{type(self).__name__}: unlisted must be "
                             f"'negative' or 'unknown', got {unlisted!r}")
        self.unlisted = unlisted
        self._has_unknown_lines = False
        self._num_unknown_labels: Optional[int] = None
        metainfo = dict(metainfo or {})
        names = read_label_names(self.label_file)
        if 'classes' in metainfo and list(metainfo['classes']) != names:
            raise ValueError(f'metainfo classes differ from the names in '
                             f'{self.label_file}')
        metainfo['classes'] = names
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            metainfo=metainfo,
            **kwargs)

    @staticmethod
    def _under_root(path: str, data_root: str) -> str:
        if data_root and not osp.isabs(path):
            return osp.join(data_root, path)
        return path

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file}')
        label_to_index = {name: i for i, name in enumerate(self.CLASSES)}
        img_prefix = self.data_prefix.get('img_path', '') or ''
        data_list = []
        with get_local_path(self.ann_file) as local_path:
            text = read_text(local_path)
        for line_no, line in enumerate(text.split('\n'), start=1):
            line = line.rstrip('\r')
            if not line.strip():
                continue
            path, labels, unknown = self._parse_line(line, line_no,
                                                     label_to_index)
            if img_prefix and not osp.isabs(path):
                # normpath: lists written relative to their own folder
                # (raw_to_list.py) hold '../' steps
                path = osp.normpath(osp.join(img_prefix, path))
            info = dict(img_path=path, gt_label=labels)
            if unknown:
                info[UNKNOWN_KEY] = unknown
                self._has_unknown_lines = True
            data_list.append(info)
        if self.ignore_file is not None:
            self._attach_ignore(data_list)
        return data_list

    def _parse_line(self, line: str, line_no: int,
                    label_to_index: dict) -> tuple:
        fields = line.split('\t')
        if len(fields) != 2 or not fields[0]:
            raise ValueError(
                f'{self.ann_file}, line {line_no}: expected '
                f'"<image path>\\t<label>,<label>,..." but got {line!r}')
        path, label_field = fields
        states = {}  # label index -> 'positive' / 'unknown' / 'negative'
        for token in filter(None, (n.strip() for n in label_field.split(','))):
            name, state = token, 'positive'
            if name not in label_to_index and name[:1] in (UNKNOWN_MARK,
                                                           NEGATIVE_MARK):
                name, state = name[1:], ('unknown' if name[0] == UNKNOWN_MARK
                                         else 'negative')
            if name not in label_to_index:
                raise ValueError(
                    f'{self.ann_file}, line {line_no}: label {name!r} is '
                    f'not in {self.label_file}')
            index = label_to_index[name]
            if states.setdefault(index, state) != state:
                raise ValueError(
                    f'{self.ann_file}, line {line_no}: label {name!r} is '
                    f'marked both {states[index]} and {state}')
        positives = sorted(i for i, s in states.items() if s == 'positive')
        if self.unlisted == 'unknown':
            unknown = sorted(
                i for i in range(len(label_to_index))
                if i not in states or states[i] == 'unknown')
        else:
            unknown = sorted(i for i, s in states.items() if s == 'unknown')
        return path, positives, unknown

    @property
    def num_unknown_labels(self) -> int:
        """(image, label) pairs marked unknown, after ``indices``."""
        if self._num_unknown_labels is None:
            self.full_init()
            self._num_unknown_labels = sum(
                len(self.get_data_info(i).get(UNKNOWN_KEY, ()))
                for i in range(len(self))) if self._has_unknown_lines else 0
        return self._num_unknown_labels

    def prepare_data(self, idx: int):
        """The pipeline's output for image ``idx``, after checking that its
        unknown labels were packed (:func:`check_packed`)."""
        info = self.get_data_info(idx)
        return check_packed(
            self.pipeline(info), len(info.get(UNKNOWN_KEY, ())),
            f'{type(self).__name__} ({self.ann_file}), image '
            f'{info.get("img_path")}')

    def _attach_ignore(self, data_list: List[dict]) -> None:
        if not osp.isfile(self.ignore_file):
            raise FileNotFoundError(
                f'ignore file not found: {self.ignore_file}')
        ignore = np.load(self.ignore_file, allow_pickle=False)
        expected = (len(data_list), len(self.CLASSES))
        if ignore.shape != expected:
            raise ValueError(
                f'{self.ignore_file} has shape {ignore.shape}, expected '
                f'{expected} (lines of {self.ann_file} x labels)')
        rows, cols = np.nonzero(ignore)
        per_row: Sequence[List[int]] = [[] for _ in data_list]
        for r, c in zip(rows.tolist(), cols.tolist()):
            per_row[r].append(c)
        for info, ignored in zip(data_list, per_row):
            info['gt_label_difficult'] = ignored
