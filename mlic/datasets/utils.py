import os
import os.path as osp
from typing import Dict, Iterable, Sequence, Set

from mlic.utils.fileio import read_text as read_utf8


def require_file(path: str, what: str = 'file') -> str:
    """``path`` if it is a file, else FileNotFoundError naming it."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def require_dir(path: str, what: str = 'folder') -> str:
    if not osp.isdir(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def files_in(folders: Iterable[str]) -> Dict[str, Set[str]]:
    """File names in each folder, one ``os.scandir`` per folder.

    Checking hundreds of thousands of image paths this way costs one
    directory listing per folder instead of one ``stat`` per image.
    """
    listing: Dict[str, Set[str]] = {}
    for folder in folders:
        if folder in listing:
            continue
        try:
            with os.scandir(folder) as entries:
                listing[folder] = {e.name for e in entries}
        except FileNotFoundError:
            listing[folder] = set()
    return listing


def check_split(dataset: str,
                split: str,
                allowed: Sequence[str] = ('train', 'test')) -> str:
    """``split`` if it is one of ``allowed``, else ValueError naming the
    dataset, the allowed splits and the value."""
    if split not in allowed:
        choices = ' or '.join(repr(a) for a in allowed)
        raise ValueError(f'{dataset} split must be {choices}, got {split!r}')
    return split


def read_text(path: str) -> str:
    """A UTF-8 text file's content (:func:`mlic.utils.fileio.read_text`),
    after checking that it exists.

    Raises:
        ValueError: the file is not UTF-8; the message names the file, the
            line and the offending bytes.
    """
    return read_utf8(require_file(path))


def read_lines(path: str) -> list:
    """Stripped, non-empty lines of a UTF-8 text file (BOM allowed)."""
    return [
        line.strip() for line in read_text(path).splitlines() if line.strip()
    ]


def build_split_dataset(config: str,
                        split: str,
                        cfg_options=None,
                        pipeline=None):
    """The dataset of a config's ``<split>_dataloader``, for tools.

    Args:
        config (str): Config file.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        cfg_options (dict, optional): Overrides merged into the config.
        pipeline (callable, optional): Maps the config's pipeline (list of
            transform dicts) to the one to build with.
    """
    from mmengine.config import Config

    from mlic.registry import DATASETS
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    dataset_cfg = cfg[f'{split}_dataloader']['dataset']
    if pipeline is not None:
        # a dataset wrapper (PartialLabelDataset, mmengine's) holds the
        # pipeline in the dataset it wraps
        inner = dataset_cfg
        while 'pipeline' not in inner and isinstance(
                inner.get('dataset'), dict):
            inner = inner['dataset']
        inner.pipeline = pipeline(list(inner.get('pipeline', [])))
    return DATASETS.build(dataset_cfg)


def set_data_root(cfg, data_root: str) -> int:
    """Point the datasets of the train, val and test dataloaders at
    ``data_root`` (what ``--data-root`` of the tools does).

    ``--cfg-options data_root=...`` cannot do this: mmengine substitutes a
    config's ``data_root`` variable into the datasets when it parses the
    file, so changing the variable afterwards changes nothing. Dataset
    wrappers (a ``dataset`` inside the dataset) are followed.

    Returns:
        int: How many dataset configs were changed.

    Raises:
        KeyError: the config has no dataloader with a dataset.
    """
    changed = 0
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset')
        while dataset is not None:
            if 'data_root' in dataset or 'dataset' not in dataset:
                dataset['data_root'] = data_root
                changed += 1
            dataset = dataset.get('dataset')
    if not changed:
        raise KeyError('the config has no train/val/test dataloader dataset '
                       'to set data_root on')
    return changed


def declared_metainfo(dataset_cfg) -> dict:
    """What a config's dataset declares without reading any data.

    A dataset class may declare its label names (``METAINFO['classes']``,
    as mmpretrain's datasets do, or ``DECLARED_CLASSES``) and, when every
    image has one size set by a constructor argument (the generated
    datasets), that argument's name in ``IMAGE_SIZE_ARG``; the config's
    value, else the argument's default, is the side. Nothing is recognised
    by its type name, so a dataset of one's own declares the same way.

    Args:
        dataset_cfg (dict): The ``dataset`` entry of a dataloader config.

    Returns:
        dict: ``classes`` (list of str) and ``input_size`` ((H, W)) when
        declared; empty for an unknown type.
    """
    import inspect

    from mlic.registry import DATASETS
    try:
        dataset_cls = DATASETS.get(dataset_cfg.get('type'))
    except Exception:  # noqa: BLE001 (a type mmengine cannot import)
        dataset_cls = None
    if dataset_cls is None:
        return {}
    meta = {}
    classes = (getattr(dataset_cls, 'METAINFO', None)
               or {}).get('classes') or getattr(dataset_cls,
                                                'DECLARED_CLASSES', None)
    if classes:
        meta['classes'] = [str(c) for c in classes]
    size_arg = getattr(dataset_cls, 'IMAGE_SIZE_ARG', None)
    if size_arg:
        side = dataset_cfg.get(size_arg)
        if side is None:
            default = inspect.signature(dataset_cls).parameters[size_arg]
            side = default.default
        meta['input_size'] = (int(side), int(side))
    return meta
