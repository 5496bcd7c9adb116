"""Convert a checkpoint of the MLIC reference code into an mlic checkpoint.

    python tools/model_converters/official2mlic.py SRC DST
        [--dataset {coco,voc2007,nuswide,vg500}] [--label-file FILE]
        [--config CONFIG] [--cfg-options k=v ...]

SRC is what the reference saves (``torch.save`` of the EMA model's
state_dict, keys with or without ``module.``; names in docs/method.md
§5, an example layout in ``tests/data/official_checkpoint_keys.txt``). The
dataset is inferred from the number of labels (80 COCO, 20 VOC 2007, 81
NUS-WIDE, 500 VG-500) unless given; its config
(``configs/mlic/mlic_<dataset>.py``) defines the target model, and the
backbone depth is read from SRC. DST holds ``state_dict`` and the ``meta``
that ``mlic.apis.init_model`` uses (class names, config, the cfg-options
applied). Every source key must be used and every target key filled, else
the conversion fails naming the keys. SRC is read with
``torch.load(weights_only=True)``: a file that would run code is refused.
NUS-WIDE's 81 concept names are not bundled: pass its ``Concepts81.txt``
with ``--label-file``.
"""
import argparse
import os.path as osp
import re
from collections import OrderedDict

import torch
from mmengine.config import Config, DictAction

from mlic.datasets.categories import (COCO_CATEGORIES, VG500_CATEGORIES,
                                      VOC2007_CATEGORIES)
from mlic.datasets.label_list_dataset import read_label_names
from mlic.registry import MODELS
from mlic.utils import atomic_write, register_all_modules, safe_torch_load

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
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

    config = config or osp.join(REPO_ROOT, 'configs', 'mlic',
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
            config=osp.relpath(config, REPO_ROOT)
            if config.startswith(REPO_ROOT) else config,
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--dataset', choices=sorted(DATASETS_BY_C.values()))
    parser.add_argument('--label-file')
    parser.add_argument('--config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    result = convert(args.src, args.dataset, args.label_file, args.config,
                     args.cfg_options)
    atomic_write(args.dst, lambda f: torch.save(result, f))
    meta = result['meta']
    print(f'wrote {args.dst}: {len(result["state_dict"])} tensors, '
          f'{len(meta["dataset_meta"]["classes"])} labels; use it with '
          f'{meta["config"]}' + cfg_options_hint(meta['cfg_options']))


if __name__ == '__main__':
    main()
