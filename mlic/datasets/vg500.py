import os.path as osp
from typing import Any, Dict, List

from mmpretrain.datasets import MultiLabelDataset

from mlic.registry import DATASETS
from .categories import VG500_CATEGORIES
from .mscoco import load_json
from .utils import check_split, files_in, read_lines

NUM_VG500_CLASSES = 500


@DATASETS.register_module()
class VG500(MultiLabelDataset):
    """Visual Genome VG-500 (the SSGRL partition) read from its own layout.

    ``data_root`` is the ``VisualGenome`` folder. The split lists
    ``ssgrl_partition/{train,test}_list_500.txt`` name image files; their
    labels are the ids 0..499 in
    ``ssgrl_partition/vg_category_500_labels_index.json``; an image is
    looked up in ``VG_100K`` first, then ``VG_100K_2``. Label names are the
    ids as strings. A listed image with no labels entry or no file fails at
    build time, naming it.

    Args:
        data_root (str): The ``VisualGenome`` folder.
        split (str): ``'train'`` or ``'test'``.
        **kwargs: Other ``BaseDataset`` arguments.
    """

    #: Every label of the official annotations is known
    #: (:mod:`mlic.datasets.unknown_labels`).
    num_unknown_labels = 0

    METAINFO = {'classes': VG500_CATEGORIES}

    def __init__(self, data_root: str, split: str = 'train', **kwargs):
        check_split('VG500', split)
        self.split = split
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(
            ann_file=osp.join('ssgrl_partition', f'{split}_list_500.txt'),
            data_root=data_root,
            data_prefix='',
            **kwargs)

    def load_data_list(self) -> List[dict]:
        names = read_lines(self.ann_file)
        label_file = osp.join(self.data_root, 'ssgrl_partition',
                              'vg_category_500_labels_index.json')
        labels = load_json(label_file, Dict[str, List[Any]])
        folders = [
            osp.join(self.data_root, 'VG_100K'),
            osp.join(self.data_root, 'VG_100K_2')
        ]
        listing = files_in(folders)
        data_list = []
        for line_no, name in enumerate(names, start=1):
            if name not in labels:
                raise KeyError(f'{self.ann_file}, line {line_no}: {name!r} '
                               f'has no entry in {label_file}')
            ids = labels[name]
            bad = [
                i for i in ids
                if not isinstance(i, int) or not 0 <= i < NUM_VG500_CLASSES
            ]
            if bad:
                raise ValueError(f'{label_file}: {name!r} has label ids '
                                 f'{bad} outside 0..499')
            folder = next((f for f in folders if name in listing[f]), None)
            if folder is None:
                raise FileNotFoundError(
                    f'{self.ann_file}, line {line_no}: image {name!r} is in '
                    f'neither {folders[0]} nor {folders[1]}')
            data_list.append(
                dict(
                    img_path=osp.join(folder, name),
                    gt_label=sorted(set(ids))))
        return data_list
