import json
import os.path as osp
from typing import List

from mmpretrain.datasets import MultiLabelDataset

from mlic.registry import DATASETS
from .utils import require_file

try:  # about 3x faster on the 450 MB train json; optional
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None


def load_json(path: str):
    """Parse a JSON file; a syntax error names the file, line and column."""
    require_file(path, 'annotation file')
    with open(path, 'rb') as f:
        data = f.read()
    try:
        return orjson.loads(data) if orjson is not None else json.loads(data)
    except ValueError:
        # Re-parse with the stdlib for its line/column information.
        try:
            json.loads(data)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}, line {err.lineno}, column '
                             f'{err.colno}: malformed JSON ({err.msg})') from None
        raise


@DATASETS.register_module()
class MSCOCO(MultiLabelDataset):
    """MS-COCO 2014 read from its instance annotations (reference rules).

    ``data_root`` is the ``MSCOCO`` folder. ``split='train'`` reads
    ``annotations/instances_train2014.json`` and ``train2014/`` images,
    ``split='test'`` the 40,504-image ``val2014`` set. An image's labels are
    the categories of all its instance annotations (crowd ones included);
    images without annotations are dropped. Label order is the order of the
    json's ``categories`` list (``person``, ``bicycle``, ``car``, ...), the
    same in the train and val files.

    Only the ``images``, ``annotations`` (``image_id``, ``category_id``) and
    ``categories`` fields are used; pycocotools is not needed.

    Args:
        data_root (str): The ``MSCOCO`` folder.
        split (str): ``'train'`` or ``'test'``.
        **kwargs: Other ``BaseDataset`` arguments.
    """

    SPLITS = {'train': 'train2014', 'test': 'val2014'}

    def __init__(self, data_root: str, split: str = 'train', **kwargs):
        if split not in self.SPLITS:
            raise ValueError(
                f"MSCOCO split must be 'train' or 'test', got {split!r}")
        self.split = split
        folder = self.SPLITS[split]
        kwargs.setdefault('test_mode', split == 'test')
        metainfo = kwargs.pop('metainfo', None)
        ann_file = osp.join(data_root, 'annotations',
                            f'instances_{folder}.json')
        # The classes come from the json itself, so it is read here once.
        self._coco = load_json(ann_file)
        classes = self._categories(self._coco, ann_file)[1]
        metainfo = dict(metainfo or {}, classes=classes)
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=folder,
            metainfo=metainfo,
            **kwargs)

    @staticmethod
    def _categories(coco: dict, ann_file: str):
        for key in ('images', 'annotations', 'categories'):
            if key not in coco:
                raise KeyError(f'{ann_file} has no {key!r} list')
        ids = [c['id'] for c in coco['categories']]
        names = [c['name'] for c in coco['categories']]
        return {cid: i for i, cid in enumerate(ids)}, names

    def load_data_list(self) -> List[dict]:
        coco = self._coco
        if coco is None:
            coco = load_json(self.ann_file)
        self._coco = None  # free the parsed json once used
        cat_index, _ = self._categories(coco, self.ann_file)
        labels = {}
        for ann in coco['annotations']:
            try:
                label = cat_index[ann['category_id']]
            except KeyError:
                raise ValueError(
                    f'{self.ann_file}: annotation {ann.get("id")} has '
                    f'category_id {ann.get("category_id")} which is not in '
                    'its categories list') from None
            labels.setdefault(ann['image_id'], set()).add(label)
        img_prefix = self.data_prefix['img_path']
        data_list = []
        for img in coco['images']:
            found = labels.get(img['id'])
            if not found:
                continue  # the reference drops images without annotations
            data_list.append(
                dict(
                    img_path=osp.join(img_prefix, img['file_name']),
                    gt_label=sorted(found)))
        return data_list
