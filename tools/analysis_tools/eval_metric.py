"""Recompute the multi-label metrics from a prediction dump, no model.

    python tools/test.py CONFIG CKPT --out preds.pkl
    python tools/analysis_tools/eval_metric.py preds.pkl [--threshold 0.5]
        [--topk 3] [--ap voc12|voc07] [--classwise]

Per-label thresholds: search, on a *validation* dump, the threshold of
each label that maximises its F1, and write them to a JSON file
(``{"classes": [...], "thresholds": [...]}``); evaluate another dump with
them through ``--thresholds FILE``:

    python tools/analysis_tools/eval_metric.py val_preds.pkl \
        --search-thresholds thresholds.json
    python tools/analysis_tools/eval_metric.py test_preds.pkl \
        --thresholds thresholds.json
"""
import argparse

import numpy as np

from mlic.evaluation import multilabel_metrics
from mlic.evaluation.functional import (best_f1_thresholds,
                                        load_prediction_dump, load_thresholds,
                                        save_thresholds)
from mlic.utils.cli import (output_file_problems, positive_int, refuse,
                            run_tool, score_arg)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dump', help='pickle written by tools/test.py --out')
    parser.add_argument('--threshold', type=score_arg, default=0.5)
    parser.add_argument('--topk', type=positive_int, default=3)
    parser.add_argument('--ap', choices=['voc12', 'voc07'], default='voc12')
    parser.add_argument(
        '--ties',
        choices=['block', 'reference'],
        default='block',
        help='equal scores in the AP: one block (order-independent) or the '
        "reference's image order")
    parser.add_argument(
        '--classwise', action='store_true', help='print the AP of every label')
    parser.add_argument(
        '--search-thresholds',
        metavar='JSON',
        help='find per-label F1-best thresholds on this '
        '(validation) dump and write them here')
    parser.add_argument(
        '--thresholds',
        metavar='JSON',
        help='evaluate with per-label thresholds from this '
        'file instead of --threshold')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace the --search-thresholds file if it exists')
    args = parser.parse_args()
    refuse(
        output_file_problems(
            args.search_thresholds,
            '--search-thresholds',
            force=args.force,
            inputs=[args.dump] +
            ([args.thresholds] if args.thresholds else []),
            suffixes=('.json', )))

    data = load_prediction_dump(args.dump)
    scores = np.asarray(data['scores'], dtype=np.float32)
    targets = np.asarray(data['targets']).astype(np.int64)
    ignore = data.get('ignore')
    ignore = np.asarray(ignore, dtype=bool) if ignore is not None else None
    classes = data.get('classes') or [str(i) for i in range(scores.shape[1])]
    if args.topk > scores.shape[1]:
        parser.error(f'--topk {args.topk}: {args.dump} has only '
                     f'{scores.shape[1]} labels')

    # (title, threshold) of each metrics column printed
    columns = [(f'at {args.threshold:g}', args.threshold)]
    if args.search_thresholds:
        thresholds = best_f1_thresholds(scores, targets, ignore)
        save_thresholds(args.search_thresholds, thresholds, classes)
        print(f'per-label thresholds written to {args.search_thresholds}')
        # what the thresholds give on the dump they were searched on
        # (optimistic: evaluate them on another dump with --thresholds)
        columns.append(('at the found thresholds', thresholds))
    if args.thresholds:
        columns = [(f'at the thresholds of {args.thresholds}',
                    load_thresholds(args.thresholds, classes))]

    results = [
        multilabel_metrics(
            scores,
            targets,
            ignore=ignore,
            threshold=threshold,
            topk=args.topk,
            ap=args.ap,
            ties=args.ties) for _, threshold in columns
    ]
    out = results[0]
    print(f'{len(scores)} images, {scores.shape[1]} labels, AP {args.ap}, '
          f'ties {args.ties}')
    print(f'{"":>30}  ' + '  '.join(f'{title:>24}' for title, _ in columns))
    for key, value in out.items():
        if key == 'AP_classwise':
            continue
        cells = [r[key] for r in results]
        print(f'{key:>30}: ' +
              '  '.join(f'{v:>24.4f}' if isinstance(v, float) else f'{v:>24}'
                        for v in cells))
    if args.classwise:
        width = max(len(c) for c in classes)
        for name, ap in zip(classes, out['AP_classwise']):
            print(f'{name:>{width}}  {ap:6.2f}')


if __name__ == '__main__':
    run_tool(main)
