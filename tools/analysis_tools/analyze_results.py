"""Per-class results of a test run, and its most confident mistakes.

    python tools/test.py CONFIG CKPT --out preds.pkl
    python tools/analysis_tools/analyze_results.py CONFIG preds.pkl \\
        --out-dir DIR [--threshold 0.5] [--topk-classes 5] [--num-errors 8]

Writes to DIR:

- ``per_class.md`` and ``per_class.csv``: AP, precision, recall and F1 at
  the threshold, and support (test images holding the label), one row per
  class sorted by AP (ignored labels, as VOC's difficult ones, left out);
- ``pr_curves.png``: precision-recall curves of the best and the worst
  ``--topk-classes`` classes by AP;
- ``false_positives.png`` / ``false_negatives.png``: the ``--num-errors``
  most confident mistakes (highest-scored absent labels, lowest-scored
  present ones), drawn on their test images with the truth.

CONFIG's test set gives the images; it must be the set the dump was made
on (same length and order, as ``tools/test.py`` writes it). DIR is
checked before any work: files of these names already there are replaced
only with ``--force``.
"""
import argparse
import csv
import os
import os.path as osp

import cv2
import numpy as np
from mmengine.config import Config, DictAction

from mlic import register_all_modules
from mlic.evaluation.functional import (average_precision_per_label,
                                        descending_rank_order,
                                        load_prediction_dump)
from mlic.registry import DATASETS
from mlic.utils.cli import (non_negative_int, output_dir_problems, refuse,
                            run_tool, score_arg)
from mlic.utils.errors import InputFileError
from mlic.visualization import draw_text_lines, save_png


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('predictions', help='the .pkl of tools/test.py --out')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--threshold', type=score_arg, default=0.5)
    parser.add_argument('--topk-classes', type=non_negative_int, default=5)
    parser.add_argument('--num-errors', type=non_negative_int, default=8)
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace files of the same names in --out-dir')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


#: The files main() writes in --out-dir.
OUTPUT_FILES = ('per_class.csv', 'per_class.md', 'pr_curves.png',
                'false_positives.png', 'false_negatives.png')


def per_class_table(scores, targets, ignore, threshold):
    """(C,) arrays: AP (%), precision, recall, F1 (%) and support."""
    valid = ~ignore
    positive = (targets == 1) & valid
    predicted = (scores >= threshold) & valid
    tp = (positive & predicted).sum(0)
    support = positive.sum(0)
    precision = 100 * tp / np.maximum(predicted.sum(0), 1)
    recall = 100 * tp / np.maximum(support, 1)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    ap = 100 * average_precision_per_label(scores, targets, ignore)
    return dict(
        AP=ap, precision=precision, recall=recall, F1=f1, support=support)


def precision_recall_curve(scores, positive, valid):
    """Precision and recall after each rank of one label, (n,) each."""
    order = descending_rank_order(scores[:, None])[0]
    order = order[valid[order]]
    hits = np.cumsum(positive[order])
    return hits / np.arange(1, len(order) + 1), hits / max(hits[-1], 1)


def plot_pr_curves(path, scores, targets, ignore, table, names, k):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    order = np.argsort(-table['AP'], kind='stable')
    groups = (('best', order[:k]), ('worst', order[::-1][:k]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, (title, classes) in zip(axes, groups):
        for c in classes:
            precision, recall = precision_recall_curve(scores[:, c],
                                                       targets[:, c] == 1,
                                                       ~ignore[:, c])
            ax.plot(
                recall,
                precision,
                label=f'{names[c]} (AP '
                f'{table["AP"][c]:.1f})')
        ax.set(
            title=f'{title} {len(classes)} classes by AP',
            xlabel='recall',
            xlim=(0, 1),
            ylim=(0, 1.02))
        ax.legend(fontsize=8, loc='lower left')
    axes[0].set_ylabel('precision')
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def draw_errors(path, dataset, pairs, scores, targets, names, kind):
    """One tile per (image, label) pair, in a grid of 4 columns."""
    tiles = []
    for i, c in pairs:
        img = cv2.imread(dataset.get_data_info(int(i))['img_path'])
        img = cv2.resize(img, (256, 256), interpolation=cv2.INTER_NEAREST)
        truth = ' '.join(names[j] for j in np.flatnonzero(targets[i] == 1))
        tiles.append(
            draw_text_lines(img, [
                f'{kind} {names[c]}: {scores[i, c]:.2f}',
                f'truth: {truth or "-"}', f'test image {i}'
            ]))
    if not tiles:
        return False
    while len(tiles) % 4:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.concatenate(tiles[r:r + 4], 1) for r in range(0, len(tiles), 4)]
    save_png(path, np.concatenate(rows, 0))
    return True


def main():
    args = parse_args()
    refuse(
        output_dir_problems(
            args.out_dir,
            '--out-dir',
            inputs=[args.config, args.predictions],
            files=OUTPUT_FILES,
            force=args.force))
    register_all_modules()
    data = load_prediction_dump(args.predictions)
    scores = np.asarray(data['scores'], np.float32)
    targets = np.asarray(data['targets'])
    ignore = np.asarray(
        data.get('ignore', np.zeros(targets.shape, bool)), bool)
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    names = list(data.get('classes') or dataset.metainfo['classes'])
    if len(dataset) != len(scores):
        raise InputFileError(
            f'{args.predictions} holds {len(scores)} images but the test set '
            f'of {args.config} has {len(dataset)}: use the config the dump '
            'was made with')
    os.makedirs(args.out_dir, exist_ok=True)

    table = per_class_table(scores, targets, ignore, args.threshold)
    order = np.argsort(-table['AP'], kind='stable')
    columns = ['AP', 'precision', 'recall', 'F1', 'support']
    with open(osp.join(args.out_dir, 'per_class.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['class'] + columns)
        for c in order:
            writer.writerow([names[c]] + [
                f'{table[k][c]:.2f}' if k != 'support' else int(table[k][c])
                for k in columns
            ])
    lines = [
        f'Per-class results at threshold {args.threshold} '
        f'({len(scores)} test images), sorted by AP; in percent.', '',
        '| class | ' + ' | '.join(columns) + ' |',
        '| --- ' * (len(columns) + 1) + '|'
    ]
    for c in order:
        values = [f'{table[k][c]:.2f}' for k in columns[:-1]]
        lines.append(f'| {names[c]} | ' + ' | '.join(values) +
                     f' | {int(table["support"][c])} |')
    with open(osp.join(args.out_dir, 'per_class.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))

    k = min(args.topk_classes, len(names))
    plot_pr_curves(
        osp.join(args.out_dir, 'pr_curves.png'), scores, targets, ignore,
        table, names, k)

    # Most confident mistakes over all (image, label) pairs at once.
    valid = ~ignore
    fp_score = np.where((targets == 0) & valid, scores, -np.inf).ravel()
    fn_score = np.where((targets == 1) & valid, -scores, -np.inf).ravel()
    for kind, flat, name in (('FP', fp_score, 'false_positives.png'),
                             ('FN', fn_score, 'false_negatives.png')):
        n = min(args.num_errors, int(np.isfinite(flat).sum()))
        best = np.argsort(-flat, kind='stable')[:n]
        pairs = np.stack(np.unravel_index(best, scores.shape), 1)
        if draw_errors(
                osp.join(args.out_dir, name), dataset, pairs, scores, targets,
                names, kind):
            print(f'wrote {osp.join(args.out_dir, name)}')
    print(f'wrote per_class.md, per_class.csv, pr_curves.png to '
          f'{args.out_dir}')


if __name__ == '__main__':
    run_tool(main)
