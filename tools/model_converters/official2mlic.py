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

import torch
from mmengine.config import DictAction

from mlic.apis.official_checkpoint import (DATASETS_BY_C, cfg_options_hint,
                                           convert)
from mlic.utils import atomic_write
from mlic.utils.cli import output_file_problems, refuse, run_tool


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--dataset', choices=sorted(DATASETS_BY_C.values()))
    parser.add_argument('--label-file')
    parser.add_argument('--config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument(
        '--force', action='store_true', help='replace DST if it exists')
    args = parser.parse_args()
    refuse(
        output_file_problems(
            args.dst,
            'DST',
            force=args.force,
            inputs=[args.src],
            suffixes=('.pth', )))
    result = convert(args.src, args.dataset, args.label_file, args.config,
                     args.cfg_options)
    atomic_write(args.dst, lambda f: torch.save(result, f))
    meta = result['meta']
    print(f'wrote {args.dst}: {len(result["state_dict"])} tensors, '
          f'{len(meta["dataset_meta"]["classes"])} labels; use it with '
          f'{meta["config"]}' + cfg_options_hint(meta['cfg_options']))


if __name__ == '__main__':
    run_tool(main)
