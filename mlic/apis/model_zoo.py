"""The model zoo: names from ``model-index.yml`` (OpenMMLab model-index
format) and their configs and weights."""
import fnmatch
import os
import os.path as osp
from typing import Dict, List, Optional

import yaml

from mlic.utils.package_files import package_files_root


def model_index_path() -> str:
    """``$MLIC_MODEL_INDEX`` (a private zoo), else the one that ships with
    mlic (``mlic/.mim`` of an installed package, or the source tree)."""
    path = os.environ.get('MLIC_MODEL_INDEX')
    if not path:
        return osp.join(package_files_root(), 'model-index.yml')
    if not osp.isfile(path):
        raise FileNotFoundError(f'MLIC_MODEL_INDEX={path}: no such file')
    return path


def _read_yaml(path: str) -> dict:
    with open(path, encoding='utf-8') as f:
        try:
            return yaml.safe_load(f) or {}
        except yaml.YAMLError as err:
            raise ValueError(f'{path}: malformed YAML ({err})') from None


def load_model_zoo() -> Dict[str, dict]:
    """All zoo entries by name, with ``Config`` made an absolute path."""
    index_path = model_index_path()
    root = osp.dirname(index_path)
    entries: Dict[str, dict] = {}
    for rel in _read_yaml(index_path).get('Import', []):
        metafile = osp.join(root, rel)
        for model in _read_yaml(metafile).get('Models', []):
            name = model.get('Name')
            if not name or 'Config' not in model:
                raise ValueError(f'{metafile}: every model needs Name and '
                                 f'Config, got {model}')
            if name in entries:
                raise ValueError(f'{metafile}: model name {name!r} repeats')
            model = dict(model)
            model['Config'] = osp.join(root, model['Config'])
            entries[name] = model
    return entries


def list_models(pattern: Optional[str] = None) -> List[str]:
    """Names in the zoo, optionally filtered by a shell-style pattern
    (``'*coco*'``)."""
    names = sorted(load_model_zoo())
    if pattern is not None:
        names = [n for n in names if fnmatch.fnmatch(n, pattern)]
    return names


def zoo_entry(name: str) -> dict:
    zoo = load_model_zoo()
    if name not in zoo:
        close = [n for n in zoo if name.lower() in n.lower()]
        raise KeyError(f'{name!r} is not in the model zoo' +
                       (f'; did you mean {close}?'
                        if close else f'; list_models() gives {sorted(zoo)}'))
    return zoo[name]


def weights_url(entry: dict) -> Optional[str]:
    """The entry's weights URL, its base replaced by
    ``$MLIC_MODEL_ZOO_BASE`` when set (mirrors and closed networks serve
    the files flat under that base)."""
    url = entry.get('Weights')
    if not url:
        return None
    base = os.environ.get('MLIC_MODEL_ZOO_BASE')
    if base:
        url = base.rstrip('/') + '/' + url.rsplit('/', 1)[-1]
    return url


def resolve_weights(model, pretrained=None) -> tuple:
    """What to build and which weights to load, for every way a user names
    a model: a zoo name, a config file or a ``Config``.

    Args:
        model (str | Config): A zoo name, a config file or a ``Config``.
        pretrained (str | bool, optional): A checkpoint path or URL. For a
            zoo name, None or True means its published weights and False
            none; for a config, None, True or False mean none.

    Returns:
        tuple: ``(config, checkpoint, sha256)``: the config file or
        ``Config`` to build, the checkpoint path or URL (None for random
        weights) and the sha256 it must have (published weights only).

    Raises:
        KeyError: not a file and not in the zoo (the message lists close
            names).
        ValueError: a zoo name with no published weights yet, asked for
            them.
    """
    is_name = isinstance(model, str) and not osp.isfile(model)
    if not is_name:
        checkpoint = None if pretrained in (None, True, False) else \
            pretrained
        return model, checkpoint, None
    entry = zoo_entry(model)
    if pretrained is False:
        return entry['Config'], None, None
    if pretrained not in (None, True):
        return entry['Config'], pretrained, None
    url = weights_url(entry)
    if url is None:
        raise ValueError(
            f'{model} has no published weights yet; train it with '
            f'tools/train.py {osp.relpath(entry["Config"])} and pass its '
            'checkpoint, or pretrained=False for random weights')
    return entry['Config'], url, entry.get('Metadata',
                                           {}).get('Weights SHA256')
