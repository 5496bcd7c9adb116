"""The MLIC reference code's checkpoints, in mlic's names.

The reference saves ``torch.save`` of its EMA model's state_dict (keys
with or without ``module.``); :data:`PREFIXES` maps its names onto mlic's
model (docs/method.md §5), :func:`convert` builds the target model from its
config, checks that every source key is used and every target key filled,
and returns the checkpoint with the ``meta`` that
:func:`mlic.apis.init_model` reads (class names, config, cfg-options).
``tools/model_converters/official2mlic.py`` is its command line; the
reference step benchmark reads :data:`PREFIXES` the other way. Sources are
read with ``torch.load(weights_only=True)``.
"""
import os.path as osp
import re
from collections import OrderedDict

from mmengine.config import Config

from mlic.datasets.categories import (COCO_CATEGORIES, VG500_CATEGORIES,
                                      VOC2007_CATEGORIES)
from mlic.datasets.label_list_dataset import read_label_names
from mlic.registry import MODELS
from mlic.setup_env import register_all_modules
from mlic.utils import safe_torch_load
from mlic.utils.package_files import package_files_root

DATASETS_BY_C = {80: 'coco', 20: 'voc2007', 81: 'nuswide', 500: 'vg500'}
CLASS_NAMES = dict(
    coco=COCO_CATEGORIES, voc2007=VOC2007_CATEGORIES, vg500=VG500_CATEGORIES)
# Reference name -> mlic name, by prefix (longest first).
PREFIXES = [
    ('query_embed.weight', 'head.transformer.label_embed.weight'),
    ('attention.', 'head.transformer.transformer.'),
    ('net.', 'head.cooccurrence.fc.'),
    ('encoder.fc1_w.', 'head.graph_encoder.update_msg.'),
    ('encoder.fc1_u.', 'head.graph_encoder.update_state.'),
    ('encoder.fc2_w.', 'head.graph_encoder.reset_msg.'),
    ('encoder.fc2_u.', 'head.graph_encoder.reset_state.'),
    ('encoder.fc3_w.', 'head.graph_encoder.candidate_msg.'),
    ('encoder.fc3_u.', 'head.graph_encoder.candidate_state.'),
    ('fc.', 'head.classifier.'),
    ('backbone.', 'backbone.'),
]
DEPTHS = {(3, 4, 6, 3): 50, (3, 4, 23, 3): 101, (3, 8, 36, 3): 152}
BASIC_DEPTHS = {(2, 2, 2, 2): 18, (3, 4, 6, 3): 34}


def rename(key: str) -> str:
    for old, new in PREFIXES:
        if key.startswith(old):
            return new + key[len(old):]
    return None


def backbone_depth(state) -> int:
    blocks = []
    for stage in range(1, 5):
        ids = {
            int(m.group(1))
            for k in state
            for m in [re.match(rf'backbone\.layer{stage}\.(\d+)\.', k)] if m
        }
        blocks.append(len(ids))
    bottleneck = any('.conv3.' in k for k in state)
    table = DEPTHS if bottleneck else BASIC_DEPTHS
    if tuple(blocks) not in table:
        raise ValueError(f'unknown ResNet layout: blocks per stage {blocks}')
    return table[tuple(blocks)]


def convert(src: str,
            dataset: str = None,
            label_file: str = None,
            config: str = None,
            cfg_options: dict = None) -> dict:
    """An mlic checkpoint (``state_dict`` and ``meta``) from a reference
    one.

    Args:
        src (str): The reference checkpoint.
        dataset (str, optional): ``coco``, ``voc2007``, ``nuswide`` or
            ``vg500``; inferred from the number of labels when None.
        label_file (str, optional): Label names, one a line (needed for
            NUS-WIDE).
        config (str, optional): The target config; defaults to
            ``configs/mlic/mlic_<dataset>.py``.
        cfg_options (dict, optional): Overrides for the config; the
            backbone depth is read from ``src`` unless given.

    Raises:
        KeyError, ValueError: a key not used, a key not filled, a shape
            that differs, an unknown layout; the message names them.
    """
    register_all_modules(init_default_scope=False)
    raw = safe_torch_load(src, map_location='cpu')
    if isinstance(raw, dict) and 'state_dict' in raw:
        raw = raw['state_dict']
    state = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in raw.items())
    if 'fc.bias' not in state:
        raise KeyError(f'{src} has no fc.bias: not an MLIC reference '
                       'checkpoint')
    num_classes = state['fc.bias'].shape[0]
    dataset = dataset or DATASETS_BY_C.get(num_classes)
    if dataset is None:
        raise ValueError(f'{src} has {num_classes} labels; pass --dataset '
                         'and --config for a custom dataset')
    if label_file:
        classes = read_label_names(label_file)
    elif dataset in CLASS_NAMES:
        classes = list(CLASS_NAMES[dataset])
    else:
        raise ValueError(f'pass --label-file with the {dataset} label names '
                         '(NUS-WIDE: Concepts81.txt)')
    if len(classes) != num_classes:
        raise ValueError(f'{len(classes)} label names for {num_classes} '
                         'labels in the checkpoint')

    config = config or osp.join(package_files_root(), 'configs', 'mlic',
                                f'mlic_{dataset}.py')
    cfg = Config.fromfile(config)
    options = dict(cfg_options or {})
    options.setdefault('model.backbone.depth', backbone_depth(state))
    options['model.backbone.init_cfg'] = None
    cfg.merge_from_dict(options)
    target = MODELS.build(cfg.model).state_dict()

    converted, unused = OrderedDict(), []
    for key, value in state.items():
        new = rename(key)
        if new is None or new not in target:
            unused.append(key)
            continue
        if target[new].shape != value.shape:
            raise ValueError(f'{key} has shape {tuple(value.shape)} but '
                             f'{new} needs {tuple(target[new].shape)}')
        converted[new] = value
    missing = [k for k in target if k not in converted]
    if unused or missing:
        raise KeyError(f'source keys not used: {unused}; target keys not '
                       f'filled: {missing}')
    return dict(
        state_dict=converted,
        meta=dict(
            dataset_meta=dict(classes=classes),
            config=osp.relpath(config, package_files_root())
            if config.startswith(package_files_root()) else config,
            cfg_options={
                k: v
                for k, v in options.items() if k != 'model.backbone.init_cfg'
            },
            converted_from=osp.basename(src)))


def cfg_options_hint(options: dict) -> str:
    """' --cfg-options k=v ...' for the printed command, or ''."""
    if not options:
        return ''
    return ' --cfg-options ' + ' '.join(f'{k}={v}' for k, v in options.items())
