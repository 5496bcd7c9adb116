"""Training curves and training time from mmengine's scalar logs.

    python tools/analysis_tools/analyze_logs.py plot_curve LOG [LOG ...]
        [--keys loss multi-label/mAP] [--legend A B] [--title T]
        [--out curves.png]
    python tools/analysis_tools/analyze_logs.py cal_train_time LOG [LOG ...]
        [--include-outliers]

LOG is the ``vis_data/scalars.json`` (or ``vis_data/<timestamp>.json``)
that every run writes in its work dir: one JSON object per logged step.
``plot_curve`` draws each key of each log against the iteration (training
keys: ``loss``, ``loss_contrastive``, ``lr``, ``time``, ...) or the epoch
(validation keys: ``multi-label/mAP``, ``multi-label/CF1``, ...), one panel
per key; ``cal_train_time`` prints the mean, fastest and slowest step time
per run. This is mmpretrain's ``analyze_logs.py`` (same sub-commands and
options) reading the logs through its ``load_json_log``; it is rewritten
here because mmpretrain installs its tools only inside its wheel's ``.mim``
folder.
"""
import argparse
import os.path as osp
from typing import Dict, List

import numpy as np
from mmpretrain.utils import load_json_log


def check_logs(paths: List[str]) -> List[Dict[str, list]]:
    logs = []
    for path in paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'no log file {path}; a run writes '
                                    '<work_dir>/<timestamp>/vis_data/'
                                    'scalars.json')
        log = load_json_log(path)
        if not log['train'] and not log['val']:
            raise ValueError(f'{path} holds no logged step')
        logs.append(log)
    return logs


def cal_train_time(logs, paths, include_outliers=False) -> List[dict]:
    """Per log: mean, fastest and slowest step time (s/iter); the first
    logged step (warm-up) is left out unless ``include_outliers``."""
    rows = []
    for log, path in zip(logs, paths):
        times = np.array(
            [step['time'] for step in log['train'] if 'time' in step])
        if not include_outliers and len(times) > 1:
            times = times[1:]
        if not len(times):
            raise ValueError(f'{path} has no training step with a time')
        row = dict(
            log=path,
            mean=float(times.mean()),
            fastest=float(times.min()),
            slowest=float(times.max()),
            std=float(times.std()))
        rows.append(row)
        print(f'{path}: {row["mean"]:.4f} s/iter on average '
              f'(fastest {row["fastest"]:.4f}, slowest {row["slowest"]:.4f}, '
              f'std {row["std"]:.4f})')
    return rows


def plot_curve(logs, paths, keys, legend=None, title=None, out=None):
    """One panel per key; a line per log. Returns the figure."""
    import matplotlib
    if out:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    legend = legend or [
        osp.basename(osp.dirname(osp.dirname(p))) or p for p in paths
    ]
    if len(legend) != len(paths):
        raise ValueError(f'{len(legend)} legend entries for {len(paths)} '
                         'logs')
    fig, axes = plt.subplots(
        len(keys), 1, figsize=(7, 3 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        drawn = False
        for log, name in zip(logs, legend):
            for phase, x_key in (('train', 'step'), ('val', 'step')):
                points = [(s[x_key], s[key]) for s in log[phase]
                          if key in s and x_key in s]
                if points:
                    xs, ys = zip(*points)
                    ax.plot(
                        xs,
                        ys,
                        label=name,
                        marker='o' if phase == 'val' else None)
                    ax.set_xlabel('iteration' if phase == 'train' else 'epoch')
                    drawn = True
        if not drawn:
            raise KeyError(f'no log has {key!r}; logged keys: '
                           f'{sorted(_keys(logs))}')
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if out:
        fig.savefig(out, dpi=100)
        print(f'wrote {out}')
    else:
        plt.show()
    return fig


def _keys(logs) -> set:
    return {
        k
        for log in logs
        for steps in log.values()
        for s in steps
        for k in s
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='draw curves')
    plot.add_argument('logs', nargs='+')
    plot.add_argument('--keys', nargs='+', default=['loss'])
    plot.add_argument('--legend', nargs='+')
    plot.add_argument('--title')
    plot.add_argument('--out', help='PNG file (else a window)')
    time_parser = sub.add_parser('cal_train_time', help='step times')
    time_parser.add_argument('logs', nargs='+')
    time_parser.add_argument('--include-outliers', action='store_true')
    args = parser.parse_args()
    logs = check_logs(args.logs)
    if args.task == 'plot_curve':
        plot_curve(logs, args.logs, args.keys, args.legend, args.title,
                   args.out)
    else:
        cal_train_time(logs, args.logs, args.include_outliers)


if __name__ == '__main__':
    main()
