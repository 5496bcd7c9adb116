import os.path as osp
from typing import List

import numpy as np
from mmengine.logging import MMLogger
from mmpretrain.datasets import MultiLabelDataset

from mlic.registry import DATASETS
from .utils import check_split, files_in, read_lines, require_file


def read_binary_column(path: str, num_lines: int) -> np.ndarray:
    """One 0/1 per line, as a (num_lines,) bool array.

    Parsed from the raw bytes (the 81 label files hold 22 M lines), with a
    line-by-line pass only to name the offending line on bad input.
    """
    require_file(path, 'label file')
    with open(path, 'rb') as f:
        raw = f.read()
    if raw.startswith(b'\xef\xbb\xbf'):  # a UTF-8 byte-order mark
        raw = raw[3:]
    values = np.frombuffer(raw, dtype=np.uint8)
    is_newline = values == ord('\n')
    line_of_byte = np.cumsum(is_newline) - is_newline
    is_digit = (values == ord('0')) | (values == ord('1'))
    is_blank = np.isin(values, np.frombuffer(b' \t\r\n', np.uint8))
    digits_per_line = np.bincount(line_of_byte[is_digit], minlength=num_lines)
    if (is_digit | is_blank).all() and len(digits_per_line) == num_lines \
            and (digits_per_line == 1).all():
        return values[is_digit] == ord('1')
    for line_no, line in enumerate(raw.splitlines(), start=1):
        if line.strip() not in (b'0', b'1'):
            if line_no > num_lines and not line.strip():
                continue
            raise ValueError(f'{path}, line {line_no}: expected 0 or 1, got '
                             f'{line.decode(errors="replace")!r}')
    raise ValueError(f'{path} has {len(raw.splitlines())} lines, expected '
                     f'{num_lines} (one per line of Imagelist.txt)')


@DATASETS.register_module()
class NUSWIDE(MultiLabelDataset):
    """NUS-WIDE (81 concepts) read from its own layout (reference rules).

    ``data_root`` is the ``NUS-WIDE`` folder. Label order is
    ``Concepts81.txt``; an image's labels are the concepts whose
    ``Groundtruth/AllLabels/Labels_<concept>.txt`` has ``1`` on its line of
    ``ImageList/Imagelist.txt``; images without labels are dropped; the split
    comes from ``ImageList/{Train,Test}Imagelist.txt``. List paths use
    ``\\`` and name files under ``Flickr/``.

    Many copies of NUS-WIDE miss some Flickr files: ``missing_images=
    'error'`` (default) stops at build time naming the first missing file
    and how many are missing; ``'skip'`` leaves them out and logs how many.

    Args:
        data_root (str): The ``NUS-WIDE`` folder.
        split (str): ``'train'`` or ``'test'``.
        missing_images (str): ``'error'`` or ``'skip'``.
        **kwargs: Other ``BaseDataset`` arguments.
    """

    #: Every label of the official annotations is known
    #: (:mod:`mlic.datasets.unknown_labels`).
    num_unknown_labels = 0

    SPLIT_FILES = {'train': 'TrainImagelist.txt', 'test': 'TestImagelist.txt'}

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 missing_images: str = 'error',
                 **kwargs):
        check_split('NUSWIDE', split, tuple(self.SPLIT_FILES))
        if missing_images not in ('error', 'skip'):
            raise ValueError("missing_images must be 'error' or 'skip', got "
                             f'{missing_images!r}')
        self.split = split
        self.missing_images = missing_images
        self.num_skipped = 0
        concepts = read_lines(osp.join(data_root, 'Concepts81.txt'))
        metainfo = dict(kwargs.pop('metainfo', None) or {}, classes=concepts)
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(
            ann_file=osp.join('ImageList', self.SPLIT_FILES[split]),
            data_root=data_root,
            data_prefix='Flickr',
            metainfo=metainfo,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        all_paths = read_lines(
            osp.join(self.data_root, 'ImageList', 'Imagelist.txt'))
        label_dir = osp.join(self.data_root, 'Groundtruth', 'AllLabels')
        labels = np.stack([
            read_binary_column(
                osp.join(label_dir, f'Labels_{concept}.txt'), len(all_paths))
            for concept in self.CLASSES
        ],
                          axis=1)  # (num_images, 81)
        row_of = {p: i for i, p in enumerate(all_paths)}
        split_paths = read_lines(self.ann_file)
        rows = np.empty(len(split_paths), dtype=np.int64)
        for i, path in enumerate(split_paths):
            try:
                rows[i] = row_of[path]
            except KeyError:
                raise ValueError(
                    f'{self.ann_file}, line {i + 1}: {path!r} is not in '
                    'ImageList/Imagelist.txt') from None
        split_labels = labels[rows]
        keep = split_labels.any(axis=1)  # images without labels are dropped

        img_root = self.data_prefix['img_path']
        rel_paths = [p.replace('\\', '/') for p in split_paths]
        keep = keep & self._exists(img_root, rel_paths)
        label_rows, label_cols = np.nonzero(split_labels[keep])
        per_image = np.split(
            label_cols,
            np.cumsum(np.bincount(label_rows, minlength=int(keep.sum())))[:-1])
        kept_paths = [p for p, k in zip(rel_paths, keep) if k]
        return [
            dict(img_path=osp.join(img_root, p), gt_label=lab.tolist())
            for p, lab in zip(kept_paths, per_image)
        ]

    def _exists(self, img_root: str, rel_paths: List[str]) -> np.ndarray:
        folders = [osp.join(img_root, osp.dirname(p)) for p in rel_paths]
        listing = files_in(folders)
        exists = np.fromiter((osp.basename(p) in listing[f]
                              for p, f in zip(rel_paths, folders)),
                             dtype=bool,
                             count=len(rel_paths))
        missing = int((~exists).sum())
        if missing and self.missing_images == 'error':
            first = rel_paths[int(np.argmin(exists))]
            raise FileNotFoundError(
                f'{missing} image(s) of the NUS-WIDE {self.split} split are '
                f'missing, first {osp.join(img_root, first)}; pass '
                "missing_images='skip' to leave them out")
        if missing:
            self.num_skipped = missing
            MMLogger.get_current_instance().warning(
                f'NUS-WIDE {self.split}: skipped {missing} missing image(s)')
        return exists
