"""Save a few augmented training samples with their label names.

    python tools/misc/browse_dataset.py CONFIG [--output-dir DIR]
        [--num 8] [--split train|val|test] [--epoch 0]
        [--cfg-options k=v ...]

Runs the config's pipeline up to (not including) ``PackInputs``, so the
saved images are exactly what the model is fed before normalisation, and
writes ``<index>.png`` with the label names drawn at the top-left (an
unknown label of a partially labelled set as ``?name``). Random
steps inside ``SeededRandomTransforms`` draw what training draws for that
image in epoch ``--epoch`` (seed: the config's ``randomness.seed``).
DIR is checked before any image is drawn: it may not hold the images it
shows, and files of the same names are replaced only with ``--force``.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from mlic import register_all_modules
from mlic.datasets.samplers import SeededIndex, sample_seed
from mlic.datasets.utils import build_split_dataset
from mlic.utils.cli import (non_negative_int, output_dir_problems,
                            positive_int, refuse, run_tool)
from mlic.visualization import draw_text_lines, save_png


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--output-dir', default='work_dirs/browse_dataset')
    parser.add_argument('--num', type=positive_int, default=8)
    parser.add_argument(
        '--split', choices=['train', 'val', 'test'], default='train')
    parser.add_argument('--epoch', type=non_negative_int, default=0)
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace images of the same names in --output-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    refuse(output_dir_problems(args.output_dir, '--output-dir'))

    register_all_modules()
    dataset = build_split_dataset(
        args.config,
        args.split,
        args.cfg_options,
        pipeline=lambda steps: [t for t in steps if t['type'] != 'PackInputs'])
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    seed = cfg.get('randomness', {}).get('seed') or 0
    classes = dataset.metainfo.get('classes')
    shown = range(min(args.num, len(dataset)))
    refuse(
        output_dir_problems(
            args.output_dir,
            '--output-dir',
            inputs=[dataset.get_data_info(i)['img_path'] for i in shown],
            files=[f'{i:04d}.png' for i in shown],
            force=args.force))
    os.makedirs(args.output_dir, exist_ok=True)
    for i in shown:
        # A SeededIndex is an int: pipelines without seeded steps ignore it.
        results = dataset[SeededIndex(i, sample_seed(seed, args.epoch, i))]
        # unknown labels (partial labels) as ?name
        names = [
            classes[j] if classes else str(j) for j in results['gt_label']
        ] + [
            '?' + (classes[j] if classes else str(j))
            for j in results.get('gt_label_unknown', ())
        ]
        path = osp.join(args.output_dir, f'{i:04d}.png')
        # raises OSError naming the path where cv2.imwrite only returns
        # False
        save_png(path, draw_text_lines(results['img'], names
                                       or ['(no label)']))
        print(f'{path}: {", ".join(names) or "(no label)"}')


if __name__ == '__main__':
    run_tool(main)
