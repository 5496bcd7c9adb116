import os.path as osp
import xml.etree.ElementTree as ET
from typing import List

from mmpretrain.datasets import MultiLabelDataset
from mmpretrain.datasets.categories import VOC2007_CATEGORIES

from mlic.registry import DATASETS
from .utils import check_split, read_lines, require_dir

#: Spellings of the <difficult> flag seen in VOC-style XML files.
DIFFICULT_VALUES = {'0': False, '1': True, 'false': False, 'true': True}


@DATASETS.register_module()
class VOC2007(MultiLabelDataset):
    """PASCAL VOC 2007 read from its own layout, with the reference's rules.

    ``data_root`` is the ``VOC2007`` folder (``Annotations/``,
    ``ImageSets/Main/{trainval,test}.txt``, ``JPEGImages/``). A label is
    present when at least one of its objects is not difficult. On the test
    split, a label whose objects in an image are *all* difficult is put in
    ``gt_label_difficult`` (left out of that image's evaluation); on
    ``trainval`` such labels are simply omitted. Object names are
    lower-cased; label order is alphabetical (mmpretrain's
    ``VOC2007_CATEGORIES``).

    mmpretrain's own ``VOC`` dataset maps all-difficult labels differently
    (and needs a ``data_prefix`` per split), so it is not reused.

    Args:
        data_root (str): The ``VOC2007`` folder.
        split (str): ``'trainval'`` or ``'test'``.
        **kwargs: Other ``BaseDataset`` arguments.
    """

    #: Every label of the official annotations is known
    #: (:mod:`mlic.datasets.unknown_labels`).
    num_unknown_labels = 0

    METAINFO = {'classes': VOC2007_CATEGORIES}

    def __init__(self, data_root: str, split: str = 'trainval', **kwargs):
        self.split = check_split('VOC2007', split, ('trainval', 'test'))
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(
            ann_file=osp.join('ImageSets', 'Main', f'{split}.txt'),
            data_root=data_root,
            data_prefix='',
            **kwargs)

    def load_data_list(self) -> List[dict]:
        ids = read_lines(self.ann_file)
        ann_dir = require_dir(osp.join(self.data_root, 'Annotations'))
        img_dir = osp.join(self.data_root, 'JPEGImages')
        index = {name: i for i, name in enumerate(self.CLASSES)}
        data_list = []
        for img_id in ids:
            xml_path = osp.join(ann_dir, f'{img_id}.xml')
            present, difficult = self._parse_xml(xml_path, index)
            info = dict(
                img_path=osp.join(img_dir, f'{img_id}.jpg'),
                gt_label=sorted(present))
            if self.split == 'test':
                info['gt_label_difficult'] = sorted(difficult - present)
            data_list.append(info)
        return data_list

    @staticmethod
    def _parse_xml(xml_path: str, index: dict):
        if not osp.isfile(xml_path):
            raise FileNotFoundError(f'annotation file not found: {xml_path}')
        try:
            root = ET.parse(xml_path).getroot()
        except ET.ParseError as err:
            line, column = err.position
            raise ValueError(f'{xml_path}, line {line}, column {column}: '
                             f'malformed XML ({err})') from None
        present, difficult = set(), set()
        for obj in root.iter('object'):
            name_node = obj.find('name')
            if name_node is None or not (name_node.text or '').strip():
                raise ValueError(f'{xml_path}: an <object> has no <name>')
            name = name_node.text.strip().lower()
            if name not in index:
                raise ValueError(f'{xml_path}: object name {name!r} is not '
                                 'one of the 20 VOC labels')
            flag = obj.find('difficult')
            text = '0' if flag is None else (flag.text or '0').strip().lower()
            if text not in DIFFICULT_VALUES:
                raise ValueError(
                    f'{xml_path}: <difficult>{flag.text}</difficult> of '
                    f'object {name!r} is neither 0/1 nor false/true')
            is_difficult = DIFFICULT_VALUES[text]
            (difficult if is_difficult else present).add(index[name])
        return present, difficult
