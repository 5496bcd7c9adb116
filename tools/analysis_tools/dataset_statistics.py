"""Label statistics of a config's dataset: labels per image, label
frequencies, and the label co-occurrence matrix as a heatmap PNG.

    python tools/analysis_tools/dataset_statistics.py CONFIG
        [--split train|val|test] [--out-dir DIR] [--samples N]
        [--cfg-options k=v ...]

Prints a Markdown histogram of the number of labels per image and the label
frequencies, and writes ``cooccurrence_<split>.png``: P(column label |
row label) over the split's images (each row sums the images holding the
row label), the statistic that ML-GCN-style graphs are built from. On a
partially labelled set, a row of unknown-label counts is added and every
statistic is over known labels (an unknown label is drawn as ``?name``). With
``--samples N``, also ``samples_<split>.png``: the first N images (8 a row,
at twice their size when small) with their label names beneath. DIR is
checked before the dataset is read; files of these names are replaced only
with ``--force``.
"""
import argparse
import os.path as osp

import cv2
import numpy as np
from mmengine.config import DictAction

from mlic import register_all_modules
from mlic.datasets.statistics import dataset_label_statistics
from mlic.datasets.utils import build_split_dataset
from mlic.utils.cli import (non_negative_int, output_dir_problems, refuse,
                            run_tool)
from mlic.visualization import draw_matrix_heatmap, save_png


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument(
        '--split', choices=['train', 'val', 'test'], default='train')
    parser.add_argument('--out-dir', default='work_dirs/dataset_statistics')
    parser.add_argument('--samples', type=non_negative_int, default=0)
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace files of the same names in --out-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    written = [f'cooccurrence_{args.split}.png'
               ] + [f'samples_{args.split}.png'] * bool(args.samples)
    refuse(
        output_dir_problems(
            args.out_dir,
            '--out-dir',
            inputs=[args.config],
            files=written,
            force=args.force))

    register_all_modules()
    dataset = build_split_dataset(
        args.config, args.split, args.cfg_options, pipeline=lambda steps: [])
    names = dataset.metainfo['classes']
    stats = dataset_label_statistics(dataset, len(names))

    hist = stats['count_histogram']
    last = int(max(k for k in range(len(hist)) if hist[k]))
    print(f'{len(dataset)} images, {len(names)} labels, '
          f'{stats["labels_per_image"].mean():.2f} labels per image\n')
    print('| labels per image | ' +
          ' | '.join(str(k) for k in range(last + 1)) + ' |')
    print('| --- ' * (last + 2) + '|')
    print('| images | ' + ' | '.join(str(int(v))
                                     for v in hist[:last + 1]) + ' |\n')
    print('| label | ' + ' | '.join(names) + ' |')
    print('| --- ' * (len(names) + 1) + '|')
    print('| images | ' + ' | '.join(str(int(v))
                                     for v in stats['frequency']) + ' |')
    if stats['unknown'].any():  # a partially labelled set
        print('| unknown | ' +
              ' | '.join(str(int(v)) for v in stats['unknown']) + ' |')
        print(f'\n{int(stats["unknown"].sum())} of '
              f'{len(dataset) * len(names)} labels are unknown; counts and '
              'P(column | row) are over known labels')

    out = osp.join(args.out_dir, f'cooccurrence_{args.split}.png')
    image = draw_matrix_heatmap(
        stats['conditional'],
        names,
        title=f'P(column | row), {len(dataset)} {args.split} images')
    save_png(out, image)
    print(f'\nheatmap written to {out}')
    if args.samples:
        out = osp.join(args.out_dir, f'samples_{args.split}.png')
        save_png(out, sample_mosaic(dataset, names, args.samples))
        print(f'samples written to {out}')


def sample_mosaic(dataset, names, num, per_row=8):
    """The first ``num`` images with their label names beneath, in a grid."""
    tiles = []
    for i in range(min(num, len(dataset))):
        img = cv2.imread(dataset.get_data_info(i)['img_path'])
        if img is None:
            raise OSError(
                f'cannot read {dataset.get_data_info(i)["img_path"]}')
        if img.shape[1] < 128:
            img = cv2.resize(
                img, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        unknown = dataset.get_data_info(i).get('gt_label_unknown', ())
        text = ' '.join([names[c] for c in dataset.get_cat_ids(i)] +
                        ['?' + names[c] for c in unknown])
        tile = np.full((img.shape[0] + 20, img.shape[1] + 4, 3), 255, np.uint8)
        tile[:img.shape[0], 2:2 + img.shape[1]] = img
        cv2.putText(tile, text, (3, img.shape[0] + 14),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(tile)
    h = max(t.shape[0] for t in tiles)
    w = max(t.shape[1] for t in tiles)
    tiles = [
        cv2.copyMakeBorder(
            t,
            0,
            h - t.shape[0],
            0,
            w - t.shape[1],
            cv2.BORDER_CONSTANT,
            value=(255, 255, 255)) for t in tiles
    ]
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % per_row)
    rows = [
        np.hstack(tiles[r:r + per_row]) for r in range(0, len(tiles), per_row)
    ]
    return np.vstack(rows)


if __name__ == '__main__':
    run_tool(main)
