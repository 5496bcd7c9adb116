"""Predict the labels of images: one file, a folder (recursive) or a glob.

    python demo/image_demo.py INPUTS CONFIG_OR_NAME [--checkpoint CKPT]
        [--batch-size 16] [--threshold 0.5 | --threshold thresholds.json]
        [--topk K] [--device cpu] [--num-workers 2]
        [--out preds.jsonl | --out preds.csv] [--out-dir DIR]
        [--out-file out.png]

CONFIG_OR_NAME is a config file or a model-zoo name (``mlic.apis.
list_models()``); CKPT a local path or URL (downloaded once, verified).
With a zoo name and no --checkpoint, the published weights are used.

Prints, per image, the labels at or above the threshold with their scores.
``--out`` writes every image's scores: ``.jsonl`` (one object per image:
``path``, ``scores`` {class: score}, ``labels`` [classes], ``error``) or
``.csv`` (``path``, ``error``, then one column per class). ``--out-dir``
writes a copy of each image with its predictions drawn; ``--out-file`` does
that for a single image. An image that cannot be read is reported and
skipped; the exit status is then 1, after the other images are done.

Outputs are checked before the model is built or any image is read: an
output folder that is, or contains, an input is refused (naming both), an
output that would replace an existing file is refused unless ``--force``,
and every output's folder must be writable and its extension one the tool
writes.
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys

import cv2

from mlic.apis import MultiLabelInferencer
from mlic.apis.multilabel_inferencer import list_images
from mlic.evaluation.functional import per_label_thresholds
from mlic.utils.cli import (output_dir_problems, output_file_problems,
                            positive_int, refuse, run_tool, threshold_arg)
from mlic.utils.fileio import atomic_write
from mlic.visualization import draw_text_lines


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('inputs', help='an image, a folder or a glob')
    parser.add_argument('model', help='config file or model-zoo name')
    parser.add_argument('--checkpoint')
    parser.add_argument('--batch-size', type=positive_int, default=16)
    parser.add_argument(
        '--threshold',
        type=threshold_arg,
        default=0.5,
        help='a score in [0, 1], or a per-label thresholds JSON file')
    parser.add_argument(
        '--topk', type=positive_int, help='predict the k best labels instead')
    parser.add_argument('--device', default=None)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--out', help='scores of every image: .jsonl or .csv')
    parser.add_argument('--out-dir', help='images with predictions drawn')
    parser.add_argument('--out-file', help='the drawn image (one input)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace output files that exist already')
    return parser.parse_args()


def prediction_lines(result: dict) -> list:
    if result['error']:
        return [f'error: {result["error"]}']
    return [
        f'{name}: {result["pred_scores"][label]:.3f}'
        for label, name in zip(result['pred_labels'], result['pred_classes'])
    ] or ['no label above the threshold']


def write_jsonl(path: str, results: list, classes: list) -> None:

    def write(f):
        for r in results:
            scores = None if r['pred_scores'] is None else {
                name: round(float(s), 6)
                for name, s in zip(classes, r['pred_scores'])
            }
            f.write(
                json.dumps(
                    dict(
                        path=r['img_path'],
                        scores=scores,
                        labels=r['pred_classes'],
                        error=r['error'])) + '\n')

    atomic_write(path, write, mode='w')


def write_csv(path: str, results: list, classes: list) -> None:

    def write(f):
        writer = csv.writer(f)
        writer.writerow(['path', 'error', *classes])
        for r in results:
            scores = [''] * len(classes) if r['pred_scores'] is None else [
                f'{float(s):.6f}' for s in r['pred_scores']
            ]
            writer.writerow([r['img_path'], r['error'] or '', *scores])

    atomic_write(path, write, mode='w')


def drawn_name(path: str, index: int, taken: set) -> str:
    """``<stem>.png``, or ``<index>_<stem>.png`` when two inputs share a
    file name (images from different subfolders)."""
    stem = osp.splitext(osp.basename(path))[0]
    name = f'{stem}.png' if stem + '.png' not in taken else \
        f'{index:06d}_{stem}.png'
    taken.add(name)
    return name


def check_outputs(args, images: list) -> list:
    """Refuse outputs that would overwrite an input or an existing file,
    or that cannot be written; before any work. The drawn images' paths.

    Returns:
        list: ``(input path, drawn path)`` for ``--out-dir``.
    """
    paths = [p for p in images if isinstance(p, str)]
    taken = set()
    drawn = [(p, osp.join(args.out_dir or '', drawn_name(p, i, taken)))
             for i, p in enumerate(paths)] if args.out_dir else []
    refuse(
        output_file_problems(
            args.out,
            '--out',
            force=args.force,
            inputs=paths,
            suffixes=('.jsonl', '.csv')) + output_file_problems(
                args.out_file,
                '--out-file',
                force=args.force,
                inputs=paths,
                image=True,
                create_folder=False) + output_dir_problems(
                    args.out_dir,
                    '--out-dir',
                    inputs=paths,
                    files=[osp.basename(d) for _, d in drawn],
                    force=args.force))
    return drawn


def main():
    args = parse_args()
    images = list_images(args.inputs)
    planned = check_outputs(args, images)
    pretrained = args.checkpoint
    if pretrained is None and osp.isfile(args.model):
        pretrained = False  # a config alone: random weights, said below
        print('no --checkpoint: the model has random weights', file=sys.stderr)
    inferencer = MultiLabelInferencer(
        args.model,
        pretrained,
        device=args.device,
        num_workers=args.num_workers)
    threshold = args.threshold
    try:  # a thresholds file is checked against the model's labels now
        per_label_thresholds(threshold, inferencer.classes)
    except ValueError as err:
        sys.exit(f'error: --threshold {threshold}: {err}')
    if inferencer.input_size is not None:
        height, width = inferencer.input_size
        print(
            f'inputs are resized to {height} x {width} (H x W), as the '
            "config's test pipeline does",
            file=sys.stderr)
    else:
        print(
            "the config's test pipeline keeps each input's size",
            file=sys.stderr)
    results = inferencer(
        images,
        batch_size=args.batch_size,
        threshold=threshold,
        topk=args.topk)
    for r in results:
        print(f'{r["img_path"]}: ' + ', '.join(prediction_lines(r)))
    if args.out:
        writer = write_jsonl if args.out.endswith('.jsonl') else write_csv
        writer(args.out, results, inferencer.classes)
        print(f'wrote {args.out}')
    drawn = []
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        names = dict(planned)
        drawn = [(r, names[r['img_path']]) for r in results if not r['error']]
    if args.out_file:
        if len(results) != 1:
            sys.exit(f'--out-file takes one input image, got {len(results)}'
                     '; use --out-dir')
        if not results[0]['error']:
            drawn.append((results[0], args.out_file))
    for r, path in drawn:
        drawing = draw_text_lines(
            cv2.imread(r['img_path']), prediction_lines(r))
        # cv2.imwrite only returns False (missing folder, no permission)
        if not cv2.imwrite(path, drawing):
            sys.exit(f'could not write the drawn image {path} (does its '
                     'folder exist and is it writable?)')
    if args.out_dir:
        print(f'wrote {len(drawn)} images to {args.out_dir}')
    failed = [r for r in results if r['error']]
    if failed:
        print(
            f'{len(failed)} of {len(results)} images could not be read',
            file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    run_tool(main)
