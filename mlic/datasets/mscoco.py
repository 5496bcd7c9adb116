import json
import os.path as osp
from typing import Any, Dict, List

import msgspec
from mmpretrain.datasets import MultiLabelDataset

from mlic.registry import DATASETS
from .utils import check_split, require_file


class _CocoImage(msgspec.Struct):
    id: int
    file_name: str


class _CocoAnnotation(msgspec.Struct):
    image_id: int
    category_id: int
    id: Any = None


class _CocoCategory(msgspec.Struct):
    id: int
    name: str


class _CocoInstances(msgspec.Struct):
    images: List[_CocoImage]
    annotations: List[_CocoAnnotation]
    categories: List[_CocoCategory]


def load_json(path: str, schema: Any = Any):
    """Parse a JSON file into ``schema`` (a msgspec type).

    msgspec decodes only the fields the schema names and skips the rest
    without building Python objects, which is what makes the 460 MB COCO
    train file (whose polygons hold ~48 M numbers) parse in about a second
    instead of 15-20 s with ``json``/``orjson``. A syntax error is reported
    with its file, line and column; a missing or mistyped field with its
    path in the document.
    """
    require_file(path, 'annotation file')
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'\xef\xbb\xbf'):  # a UTF-8 byte-order mark
        data = data[3:]
    try:
        return msgspec.json.decode(data, type=schema)
    except msgspec.ValidationError as err:
        raise ValueError(f'{path}: {err}') from None
    except msgspec.DecodeError:
        # Re-parse with the stdlib for its line/column information.
        try:
            json.loads(data)
        except json.JSONDecodeError as err:
            raise ValueError(
                f'{path}, line {err.lineno}, column {err.colno}: malformed '
                f'JSON ({err.msg})') from None
        raise


def check_coco(coco, path: str) -> None:
    """Refuse what would silently mislabel: empty lists and duplicate
    category ids, category names or image ids, named with the file."""
    for field in ('images', 'annotations', 'categories'):
        if not getattr(coco, field):
            raise ValueError(f'{path}: the {field!r} list is empty')
    for what, values in (('category id', [c.id for c in coco.categories]),
                         ('category name', [c.name for c in coco.categories]),
                         ('image id', [img.id for img in coco.images])):
        seen, repeated = set(), []
        for value in values:
            if value in seen:
                repeated.append(value)
            seen.add(value)
        if repeated:
            raise ValueError(f'{path}: {what} {repeated[0]!r} appears more '
                             f'than once ({len(repeated)} repeats)')


@DATASETS.register_module()
class MSCOCO(MultiLabelDataset):
    """MS-COCO 2014 (or 2017) read from its instance annotations (reference
    rules).

    ``data_root`` is the ``MSCOCO`` folder. ``split='train'`` reads
    ``annotations/instances_train2014.json`` and ``train2014/`` images,
    ``split='test'`` the 40,504-image ``val2014`` set. With ``year=2017``
    the same rules read ``instances_train2017.json``/``train2017/`` and
    the 5,000-image ``val2017`` set (the paper and the reference use 2014).
    An image's labels are the categories of all its instance annotations
    (crowd ones included); images without annotations are dropped. Label
    order is the order of the json's ``categories`` list (``person``,
    ``bicycle``, ``car``, ...), the same in the train and val files of
    either year.

    Only the ``images`` (``id``, ``file_name``), ``annotations``
    (``image_id``, ``category_id``) and ``categories`` (``id``, ``name``)
    fields are decoded (see :func:`load_json`); pycocotools is not needed.

    Args:
        data_root (str): The ``MSCOCO`` folder.
        split (str): ``'train'`` or ``'test'``.
        year (int): 2014 (default) or 2017.
        **kwargs: Other ``BaseDataset`` arguments.
    """

    #: Every label of the official annotations is known
    #: (:mod:`mlic.datasets.unknown_labels`).
    num_unknown_labels = 0

    SPLITS = {'train': 'train{year}', 'test': 'val{year}'}
    YEARS = (2014, 2017)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 year: int = 2014,
                 **kwargs):
        self.split = check_split('MSCOCO', split, tuple(self.SPLITS))
        if year not in self.YEARS:
            raise ValueError(f'MSCOCO year must be one of {self.YEARS}, got '
                             f'{year!r}')
        self.year = year
        folder = self.SPLITS[split].format(year=year)
        kwargs.setdefault('test_mode', split == 'test')
        metainfo = kwargs.pop('metainfo', None)
        ann_file = osp.join(data_root, 'annotations',
                            f'instances_{folder}.json')
        # The classes come from the json itself, so it is read here once.
        self._coco = load_json(ann_file, _CocoInstances)
        classes = [c.name for c in self._coco.categories]
        metainfo = dict(metainfo or {}, classes=classes)
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=folder,
            metainfo=metainfo,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        coco = self._coco
        if coco is None:  # a second full_init
            coco = load_json(self.ann_file, _CocoInstances)
        self._coco = None  # free the parsed json once used
        check_coco(coco, self.ann_file)
        cat_index: Dict[int, int] = {
            c.id: i
            for i, c in enumerate(coco.categories)
        }
        image_ids = {img.id for img in coco.images}
        labels: Dict[int, set] = {}
        for ann in coco.annotations:
            label = cat_index.get(ann.category_id)
            if label is None:
                raise ValueError(
                    f'{self.ann_file}: annotation {ann.id} has category_id '
                    f'{ann.category_id} which is not in its categories list')
            if ann.image_id not in image_ids:
                raise ValueError(
                    f'{self.ann_file}: annotation {ann.id} has image_id '
                    f'{ann.image_id} which is not in its images list')
            labels.setdefault(ann.image_id, set()).add(label)
        img_prefix = self.data_prefix['img_path']
        data_list = []
        for img in coco.images:
            found = labels.get(img.id)
            if not found:
                continue  # the reference drops images without annotations
            data_list.append(
                dict(
                    img_path=osp.join(img_prefix, img.file_name),
                    gt_label=sorted(found)))
        return data_list
