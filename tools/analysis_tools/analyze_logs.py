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
options, and its ``load_json_log`` rule that a record with ``lr`` is a
training step); it is rewritten here because mmpretrain installs its tools
only inside its wheel's ``.mim`` folder, and it reads the logs with
:func:`mlic.utils.fileio.read_json_lines`, which names the file and line
of a damaged record (``load_json_log`` raises a bare ``JSONDecodeError``).
An existing ``--out`` is replaced only with ``--force``.
"""
import argparse
import os.path as osp
from typing import Dict, List

import numpy as np

from mlic.utils.cli import output_file_problems, refuse, run_tool
from mlic.utils.errors import InputFileError
from mlic.utils.fileio import read_json_lines

#: What ``--out`` may be (matplotlib's savefig writes them all).
PLOT_SUFFIXES = ('.png', '.pdf', '.svg', '.jpg')


def check_logs(paths: List[str]) -> List[Dict[str, list]]:
    logs = []
    for path in paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'no log file {path}; a run writes '
                                    '<work_dir>/<timestamp>/vis_data/'
                                    'scalars.json')
        log = dict(train=[], val=[])
        for record in read_json_lines(path):
            log['train' if 'lr' in record else 'val'].append(record)
        if not log['train'] and not log['val']:
            raise InputFileError(f'{path} holds no logged step')
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
    plot.add_argument(
        '--force', action='store_true', help='replace --out if it exists')
    time_parser = sub.add_parser('cal_train_time', help='step times')
    time_parser.add_argument('logs', nargs='+')
    time_parser.add_argument('--include-outliers', action='store_true')
    args = parser.parse_args()
    if args.task == 'plot_curve':
        if args.legend and len(args.legend) != len(args.logs):
            parser.error(f'{len(args.legend)} --legend entries for '
                         f'{len(args.logs)} logs')
        refuse(
            output_file_problems(
                args.out,
                '--out',
                force=args.force,
                inputs=args.logs,
                suffixes=PLOT_SUFFIXES))
    logs = check_logs(args.logs)
    if args.task == 'plot_curve':
        missing = [k for k in args.keys if k not in _keys(logs)]
        if missing:
            parser.error(f'no log has {missing[0]!r}; logged keys: '
                         f'{sorted(_keys(logs))}')
        plot_curve(logs, args.logs, args.keys, args.legend, args.title,
                   args.out)
    else:
        cal_train_time(logs, args.logs, args.include_outliers)


if __name__ == '__main__':
    run_tool(main)
