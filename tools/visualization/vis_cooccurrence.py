"""The label co-occurrence in the training labels beside the one a model
predicts.

    python tools/visualization/vis_cooccurrence.py CONFIG CHECKPOINT \\
        --out-dir DIR [--num-images 200] [--num-examples 4]

Writes to DIR:

- ``cooccurrence.png``: the training set's P(column | row) and, on the same
  0-1 scale, the model's graph averaged over the first N test images
  (the head's ``label_graph(feats)``: MLIC's predicted co-occurrence A,
  ML-GCN's fixed adjacency);
- ``example_<i>.png``: test image i beside the graph predicted for it, for
  heads whose graph depends on the image (``label_graph_per_image``, True
  unless the head says otherwise; ML-GCN's is False);
- ``empirical.npy`` / ``predicted.npy``: the matrices, (C, C).

DIR is checked before any work: files of these names already there are
replaced only with ``--force``.

It prints the Pearson correlation of the off-diagonal entries of the two
matrices (the diagonal is 1 in P(i | i) by definition). For heads without a
graph (baseline, CSRA, Query2Label, MLIC without its graph network) it says
so and draws the empirical matrix only.
"""
import argparse
import os
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate

from mlic import register_all_modules
from mlic.apis import init_model
from mlic.datasets.statistics import dataset_label_statistics
from mlic.registry import DATASETS
from mlic.utils.cli import (non_negative_int, output_dir_problems,
                            positive_int, refuse, run_tool)
from mlic.visualization import (draw_matrix_heatmap, draw_text_lines, save_png,
                                side_by_side)
from mlic.visualization.label_maps import predicted_cooccurrence


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--num-images',
        type=positive_int,
        default=200,
        help='test images the predicted graph is averaged over')
    parser.add_argument(
        '--num-examples',
        type=non_negative_int,
        default=4,
        help='test images drawn beside their own graph')
    parser.add_argument('--batch-size', type=positive_int, default=32)
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace files of the same names in --out-dir')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


def off_diagonal_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of the off-diagonal entries of two (C, C); NaN
    when either is constant there (a uniform graph)."""
    keep = ~np.eye(len(a), dtype=bool)
    x, y = a[keep], b[keep]
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float('nan')
    return float(np.corrcoef(x, y)[0, 1])


def main():
    args = parse_args()
    written = ['cooccurrence.png', 'empirical.npy', 'predicted.npy'
               ] + [f'example_{i}.png' for i in range(args.num_examples)]
    refuse(
        output_dir_problems(
            args.out_dir,
            '--out-dir',
            inputs=[args.config, args.checkpoint],
            files=written,
            force=args.force))
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg, args.checkpoint, device=args.device)
    names = list(model.dataset_meta['classes'])
    os.makedirs(args.out_dir, exist_ok=True)

    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    empirical = dataset_label_statistics(train_set, len(names))['conditional']
    np.save(osp.join(args.out_dir, 'empirical.npy'), empirical)
    panels = [
        draw_matrix_heatmap(
            empirical,
            names,
            title='training labels: P(column | row)',
            vmax=1.0)
    ]

    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    indices = list(range(min(args.num_images, len(test_set))))
    total, examples = None, []
    for start in range(0, len(indices), args.batch_size):
        chunk = indices[start:start + args.batch_size]
        data = model.data_preprocessor(
            pseudo_collate([test_set[i] for i in chunk]), False)
        graphs = predicted_cooccurrence(model, data['inputs'])
        if graphs is None:
            break
        graphs = graphs.float().cpu()
        total = graphs.sum(0) if total is None else total + graphs.sum(0)
        examples += list(graphs[:args.num_examples - len(examples)])

    head = type(model.head).__name__
    if total is None:
        print(f'{head} has no label graph: drawing the empirical '
              'co-occurrence only')
    else:
        predicted = (total / len(indices)).numpy()
        np.save(osp.join(args.out_dir, 'predicted.npy'), predicted)
        # a head with a label graph says whether it depends on the image
        graph_per_image = getattr(model.head, 'label_graph_per_image', True)
        what = 'predicted' if graph_per_image else 'fixed'
        panels.append(
            draw_matrix_heatmap(
                predicted,
                names,
                title=f'{head} {what} graph, mean of {len(indices)} images',
                vmax=1.0))
        corr = off_diagonal_correlation(empirical, predicted)
        corr = 'undefined (a constant graph)' if np.isnan(corr) else \
            f'{corr:.3f}'
        print(f'Pearson correlation, off-diagonal entries, empirical vs '
              f'{what} ({head}, {len(indices)} test images): {corr}')
        print(f'{what} graph entries: min {predicted.min():.4f}, mean '
              f'{predicted.mean():.4f}, max {predicted.max():.4f}')
        if graph_per_image:
            for i, graph in enumerate(examples):
                info = test_set.get_data_info(i)
                img = cv2.imread(info['img_path'])
                truth = [names[c] for c in test_set.get_cat_ids(i)]
                heat = draw_matrix_heatmap(
                    graph.numpy(),
                    names,
                    title=f'test image {i}: predicted graph',
                    vmax=1.0)
                scale = max(1, heat.shape[0] // (2 * img.shape[0]))
                img = cv2.resize(
                    img,
                    None,
                    fx=scale,
                    fy=scale,
                    interpolation=cv2.INTER_NEAREST)
                img = draw_text_lines(img, ['labels: ' + ' '.join(truth)])
                save_png(
                    osp.join(args.out_dir, f'example_{i}.png'),
                    side_by_side([img, heat]))
    out = osp.join(args.out_dir, 'cooccurrence.png')
    save_png(out, side_by_side(panels, gap=24))
    print(f'wrote {out}')


if __name__ == '__main__':
    with torch.no_grad():
        run_tool(main)
