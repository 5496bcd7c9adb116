"""Train every method of a benchmark over several seeds; resumable; writes a
mean ± std table with differences to the baseline paired over seeds.

    python tools/analysis_tools/compare_methods.py [--benchmark multiglyphs]
        [--seeds 0 1 2] [--only baseline mlic ...] [--work-dir DIR]
        [--cfg-options k=v ...] [--list] [--no-train] [--update-doc FILE]
        [--jobs N [--threads-per-job T]]
    python tools/analysis_tools/compare_methods.py --speed [--only ...]

Each (row, seed) is ``tools/train.py CONFIG --work-dir DIR/ROW/seed_S
--cfg-options randomness.seed=S``, one subprocess at a time (``--jobs N``:
N at a time, each with ``--threads-per-job`` OpenMP threads, by default
the CPUs divided by N), its output in ``DIR/ROW/seed_S.log``. The rows
share backbone, data, schedule and EMA, so they differ only in the head
(or loss). A finished run leaves
``DIR/ROW/seed_S/result.json``; runs that have one are read, not repeated,
so the tool can be stopped and started again. A run that was interrupted
after a checkpoint resumes from it (``train.py --resume``, exact), its log
appended to; one interrupted before any checkpoint starts afresh. Seeds
are the outer loop, so a partial campaign has every row at its first seed
before any row gets a second. On a small CPU, two one-thread runs at a time
train more images per second in all than one run on both cores (the
partial-label campaign measured 1.3-1.4 times; docs/partial_labels.md),
but each run's own time, and the images/s this tool reports, then
reflect the sharing.

Reported per row: mean ± sample std over seeds of the last validation's
test mAP, CF1 and OF1 (the configs validate on the test split with the EMA
weights; reference metric), the parameter count, training images/s (batch
size over the mean iteration time in the log, all epochs: on a shared
machine, compare these only within one campaign), and the difference to the
baseline paired over the seeds both have (mean ± std of the per-seed
differences). Writes ``results.md`` and ``results.json`` in the work dir;
``--update-doc FILE`` also replaces the table between the lines
``<!-- compare_methods:<benchmark> -->`` and ``<!-- /compare_methods -->``
of a Markdown file (docs/benchmarks.md).

``--speed`` trains nothing: it runs ``benchmark_train.py`` (synthetic
batches of the config's size, the full step with EMA) on each row's config,
one after the other in this process's order, and prints images/s and the
step's parts side by side; run it on an otherwise idle machine.
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

import numpy as np

from mlic.utils import (GRAPH_KEYS, epoch_means, last_epoch_mean, loss_rise,
                        mean_std, paired_interval, replace_marked_section,
                        run_resumable_training)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: benchmark -> rows of (key, title, config[, options]). The first row is
#: the baseline every other row is compared with; ``options`` are --cfg-options
#: of that row alone (the partial-label rows' protocol settings).
BENCHMARKS = {
    'multiglyphs': [
        ('baseline', 'baseline (GAP + linear)',
         'configs/baseline/resnet18_gap_linear_multiglyphs.py'),
        ('baseline_supcon', 'baseline + MultiLabelSupConLoss',
         'configs/baseline/resnet18_gap_linear_supcon_multiglyphs.py'),
        ('csra', 'CSRA (mmpretrain)', 'configs/csra/csra_multiglyphs.py'),
        ('mlgcn', 'ML-GCN-style', 'configs/ml_gcn/mlgcn_multiglyphs.py'),
        ('q2l', 'Query2Label-style', 'configs/query2label/q2l_multiglyphs.py'),
        ('mlic', 'MLIC (T = 1)', 'configs/mlic/mlic_multiglyphs.py'),
        ('mlic_no_contrastive', 'MLIC without contrastive loss (λ = 0)',
         'configs/mlic/ablations/mlic_no-contrastive_multiglyphs.py'),
        ('mlic_no_gnn', 'MLIC without gated graph network',
         'configs/mlic/ablations/mlic_no-gnn_multiglyphs.py'),
        ('mlic_uniform_graph', 'MLIC with a fixed uniform graph',
         'configs/mlic/ablations/mlic_uniform-graph_multiglyphs.py'),
        ('mlic_t2', 'MLIC, T = 2',
         'configs/mlic/ablations/mlic_t2_multiglyphs.py'),
        ('mlic_t4', 'MLIC, T = 4',
         'configs/mlic/ablations/mlic_t4_multiglyphs.py'),
    ],
    'multidigits': [
        ('baseline', 'baseline (GAP + linear)',
         'configs/baseline/resnet18_gap_linear_multidigits.py'),
        ('baseline_supcon', 'baseline + MultiLabelSupConLoss',
         'configs/baseline/resnet18_gap_linear_supcon_multidigits.py'),
        ('csra', 'CSRA (mmpretrain)', 'configs/csra/csra_multidigits.py'),
        ('mlgcn', 'ML-GCN-style', 'configs/ml_gcn/mlgcn_multidigits.py'),
        ('q2l', 'Query2Label-style', 'configs/query2label/q2l_multidigits.py'),
        ('mlic', 'MLIC', 'configs/mlic/mlic_multidigits.py'),
    ],
}
METRICS = ('mAP', 'CF1', 'OF1')
VAL = re.compile(r'Epoch\(val\) \[(\d+)\].*?multi-label/mAP: ([\d.]+).*?'
                 r'multi-label/CF1: ([\d.]+).*?multi-label/OF1: ([\d.]+)')
ITER = re.compile(r'Epoch\(train\).*?\btime: ([\d.]+)')


def _partial_label_rows() -> List[tuple]:
    """The partial-label table of docs/partial_labels.md: the baseline and
    MLIC with "ignore", AN and LL-R under each protocol, after the two
    full-label rows, in the order to run them (the most informative
    settings first: 10 %, 50 % known and single positive)."""
    settings = [
        ('known10', '10 % known', ('train_dataloader.dataset.'
                                   'known_proportion=0.1', )),
        ('known50', '50 % known', ('train_dataloader.dataset.'
                                   'known_proportion=0.5', )),
        ('single', 'single positive',
         ('train_dataloader.dataset.protocol=single_positive', )),
        ('known30', '30 % known', ('train_dataloader.dataset.'
                                   'known_proportion=0.3', )),
        ('known70', '70 % known', ('train_dataloader.dataset.'
                                   'known_proportion=0.7', )),
        ('known90', '90 % known', ('train_dataloader.dataset.'
                                   'known_proportion=0.9', )),
    ]
    methods = [('baseline', 'baseline',
                'resnet18_gap_linear_multiglyphs_partial'),
               ('mlic', 'MLIC', 'mlic_multiglyphs_partial')]
    losses = [('ignore', 'ignore'), ('an', 'AN'), ('llr', 'LL-R')]
    # the full-label rows: the quick start's two configs (the recipe of the
    # partial-label configs), validated once, at the end, on the test split
    # as those are
    on_test = ('val_dataloader.dataset.split=test', )
    rows = [('full_baseline', 'baseline, full labels', 'configs/baseline/'
             'resnet18_gap_linear_singleglyphs-pre_multiglyphs-tuned-10e.py',
             on_test),
            ('full_mlic', 'MLIC, full labels',
             'configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py',
             on_test)]
    for setting, setting_title, options in settings:
        for method, method_title, stem in methods:
            for loss, loss_title in losses:
                # the labels hidden change with the seed, like the weights
                rows.append(
                    (f'{setting}_{method}_{loss}',
                     f'{method_title}, {loss_title}, {setting_title}',
                     f'configs/partial_labels/{stem}-{loss}.py',
                     options + ('train_dataloader.dataset.seed={seed}', )))
    # The Query2Label-style rows (added on 2026-12-04, before any of their
    # runs): MLIC's label-query transformer without its graph network and
    # contrastive loss, with its own tuned recipe, under AN (where MLIC led
    # the baseline most) at 10 %, 50 % and single positive, and with full
    # labels; they tell what MLIC's co-occurrence parts add.
    rows.append(
        ('full_q2l', 'Query2Label-style, full labels', 'configs/query2label/'
         'q2l_singleglyphs-pre_multiglyphs-tuned-10e.py', on_test))
    for setting, setting_title, options in settings[:3]:
        rows.append(
            (f'{setting}_q2l_an', f'Query2Label-style, AN, {setting_title}',
             'configs/partial_labels/q2l_multiglyphs_partial-an.py',
             options + ('train_dataloader.dataset.seed={seed}', )))
    return rows


BENCHMARKS['multiglyphs_partial'] = _partial_label_rows()


def row_parts(row: tuple) -> tuple:
    """(key, title, config, options) of a row; ``options`` are the row's
    own --cfg-options (a protocol setting; ``{seed}`` stands for the run's
    seed), empty for most rows."""
    key, title, config = row[:3]
    return key, title, config, tuple(row[3]) if len(row) > 3 else ()


def parse_log(text: str, batch_size: int) -> dict:
    """Metrics of a finished training log.

    Args:
        text (str): The log of ``tools/train.py``.
        batch_size (int): Training batch size, for images/s.

    Returns:
        dict: ``epoch``, ``mAP``, ``CF1``, ``OF1`` of the last validation
        and ``images_per_s`` over all logged training iterations.
    """
    vals = VAL.findall(text)
    if not vals:
        raise ValueError('the log holds no validation result')
    times = [float(t) for t in ITER.findall(text)]
    if not times:
        raise ValueError('the log holds no training iteration time')
    epoch, mAP, cf1, of1 = vals[-1]
    return dict(
        epoch=int(epoch),
        mAP=float(mAP),
        CF1=float(cf1),
        OF1=float(of1),
        images_per_s=batch_size / float(np.mean(times)))


def aggregate(results: Dict[str, Dict[int, dict]],
              baseline: str) -> Dict[str, dict]:
    """Mean ± std over seeds and the paired difference to ``baseline``.

    Args:
        results: ``{row: {seed: {'mAP': .., 'CF1': .., 'OF1': ..,
            'images_per_s': .., 'params': ..}}}``.
        baseline: the row the others are compared with.

    Returns:
        dict: per row, ``seeds`` (sorted list), ``<metric>`` = (mean, std),
        ``delta_<metric>`` = (mean, std) of row minus baseline over the seeds
        both rows have (None for the baseline or without common seeds),
        ``paired_seeds``, ``images_per_s`` (mean), ``params`` and
        ``longest_run_s`` (the slowest seed's training subprocess, wall
        seconds, validations included; None unless every seed has it).
    """
    base = results.get(baseline, {})
    summary = {}
    for row, runs in results.items():
        if not runs:
            continue
        seeds = sorted(runs)
        paired = sorted(set(seeds) & set(base)) if row != baseline else []
        entry = dict(seeds=seeds, paired_seeds=paired)
        for metric in METRICS:
            entry[metric] = mean_std([runs[s][metric] for s in seeds])
            entry[f'delta_{metric}'] = mean_std(
                [runs[s][metric] - base[s][metric]
                 for s in paired]) if paired else None
        entry['images_per_s'] = float(
            np.mean([runs[s]['images_per_s'] for s in seeds]))
        entry['params'] = runs[seeds[0]]['params']
        # runs recorded before the tool timed them have no wall_s
        walls = [runs[s]['wall_s'] for s in seeds if 'wall_s' in runs[s]]
        entry['longest_run_s'] = max(walls) if len(walls) == len(
            seeds) else None
        summary[row] = entry
    return summary


def _fmt(pair: Optional[tuple], signed: bool = False) -> str:
    if pair is None:
        return '—'
    mean, std = pair
    text = f'{mean:+.2f}' if signed else f'{mean:.2f}'
    return text if np.isnan(std) else f'{text} ± {std:.2f}'


def _fmt_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return '—'
    minutes, rest = divmod(int(round(seconds)), 60)
    return f'{minutes} min {rest:02d} s'


def format_table(rows: List[tuple],
                 summary: Dict[str, dict],
                 rises: Optional[Dict[str, Dict[int, float]]] = None) -> str:
    """A Markdown table, one line per row that has results.

    Args:
        rises: per row and seed, the run's training-loss rise
            (:func:`training_loss_rises`); given, a last column shows each
            row's worst seed ("—" where a seed has no log).
    """
    lines = [
        '| method | config | seeds | mAP | CF1 | OF1 | Δ mAP | Δ CF1 | '
        'Δ OF1 | parameters | train images/s | longest run |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- '
        '| --- |'
    ]
    if rises is not None:
        lines[0] += ' training-loss rise (worst seed) |'
        lines[1] += ' ---: |'
    for key, title, config, options in map(row_parts, rows):
        if key not in summary:
            continue
        if options:
            config = f'{config} {" ".join(options)}'
        s = summary[key]
        lines.append(
            f'| {title} | `{config}` | {len(s["seeds"])} | ' +
            ' | '.join(_fmt(s[m]) for m in METRICS) + ' | ' +
            ' | '.join(_fmt(s[f'delta_{m}'], signed=True) for m in METRICS) +
            f' | {s["params"] / 1e6:.2f} M | {s["images_per_s"]:.0f} | ' +
            _fmt_duration(s.get('longest_run_s')) + ' |')
        if rises is not None:
            lines[-1] += f' {_fmt_rise(rises.get(key, {}), s["seeds"])} |'
    return '\n'.join(lines) + '\n'


def _fmt_rise(rises: Dict[int, float], seeds: List[int]) -> str:
    if any(seed not in rises for seed in seeds):
        return '—'
    seed = max(seeds, key=lambda s: rises[s])
    percent = f'{100 * rises[seed]:.0f} %'
    return percent if percent == '0 %' else f'{percent} (seed {seed})'


def training_loss_rises(
        work_dir: str,
        results: Dict[str, Dict[int, dict]]) -> Dict[str, Dict[int, float]]:
    """Each finished run's training-loss rise (:func:`mlic.utils.loss_rise`
    of its log's epoch means: how far an epoch's mean loss rose above the
    lowest before it), the MultiGlyphs protocol's sign of a run that broke;
    runs without a log (``<row>/seed_<n>.log``) are left out.

    Raises:
        ValueError: a run's log holds no training loss (named).
    """
    rises: Dict[str, Dict[int, float]] = {}
    for key, runs in results.items():
        for seed in runs:
            log = osp.join(work_dir, key, f'seed_{seed}.log')
            if not osp.isfile(log):
                continue
            with open(log, encoding='utf-8') as f:
                text = f.read()
            try:
                means = epoch_means(text)
            except ValueError as err:  # a finished run logs its loss
                raise ValueError(f'{log}: {err}') from err
            rises.setdefault(key, {})[seed] = loss_rise(means)
    return rises


#: The partial-label table's columns: (row-key prefix, heading), in the
#: order of the known-label curve; ``full`` reads the full-label rows.
PARTIAL_COLUMNS = [('known10', '10 %'), ('known30', '30 %'),
                   ('known50', '50 %'), ('known70', '70 %'),
                   ('known90', '90 %'), ('full', 'full'),
                   ('single', 'single positive')]
PARTIAL_METHODS = [('baseline', 'baseline'), ('mlic', 'MLIC'),
                   ('q2l', 'Query2Label-style')]
PARTIAL_LOSSES = [('ignore', 'ignore'), ('an', 'AN'), ('llr', 'LL-R')]
#: The rows of the partial-label mAP table, (method, loss): every loss for
#: the baseline and MLIC, AN alone for Query2Label-style.
PARTIAL_ROWS = [(method, loss) for method in ('baseline', 'mlic')
                for loss, _ in PARTIAL_LOSSES] + [('q2l', 'an')]
#: The Query2Label-style comparisons: (title, minuend, subtrahend), AN.
PARTIAL_Q2L_PAIRS = [('MLIC minus Query2Label-style', 'mlic', 'q2l'),
                     ('Query2Label-style minus the baseline', 'q2l',
                      'baseline')]


def _partial_key(column: str, method: str, loss: str) -> str:
    # a full-label run has no unknown label to treat: one run per method
    return f'full_{method}' if column == 'full' else \
        f'{column}_{method}_{loss}'


def partial_label_tables(results: Dict[str, Dict[int, dict]]) -> str:
    """The partial-label benchmark as Markdown tables.

    First, test mAP (mean ± sample std over seeds) of each method and loss
    (:data:`PARTIAL_ROWS`) against the known-label proportion, full labels
    and single positive; the full-label column repeats each method's one
    full-label run on its loss rows (with every label known the losses
    coincide up to LL-R's rejection, and the run uses the plain asymmetric
    loss). Second, MLIC minus the baseline with the same loss, paired over
    the seeds both have (a seed draws the weights and the labels hidden,
    the same for both), with its 95 % interval (Student's t) from two seeds
    on. Third, once a Query2Label-style run exists, the same pairing under
    AN for MLIC minus Query2Label-style and Query2Label-style minus the
    baseline (:data:`PARTIAL_Q2L_PAIRS`). Cells without a run read "—",
    those of a setting the benchmark does not train the row in are empty; a
    cell over fewer seeds than the most any cell has says how many.

    Args:
        results: ``{row: {seed: result}}`` as the tool gathers them.
    """
    most = max((len(r) for r in results.values()), default=0)
    titles = dict(PARTIAL_METHODS)
    loss_titles = dict(PARTIAL_LOSSES)
    planned = {row[0] for row in BENCHMARKS['multiglyphs_partial']}

    def cell(key):
        if key not in planned:
            return ''  # a setting the benchmark does not train this row in
        runs = results.get(key, {})
        if not runs:
            return '—'
        text = _fmt(mean_std([r['mAP'] for r in runs.values()]))
        return text if len(runs) == most else \
            f'{text} ({len(runs)} seed{"s" if len(runs) > 1 else ""})'

    def paired(minuend, subtrahend, loss, column):
        pair = [_partial_key(column, m, loss) for m in (minuend, subtrahend)]
        if not set(pair) <= planned:
            return ''
        first, second = (results.get(key, {}) for key in pair)
        seeds = sorted(set(first) & set(second))
        if not seeds:
            return '—'
        diffs = [first[s]['mAP'] - second[s]['mAP'] for s in seeds]
        interval = paired_interval(diffs)
        if interval is None:
            return f'{diffs[0]:+.2f} (1 seed)'
        mean, half = interval
        return f'{mean:+.2f} [{mean - half:+.2f}, {mean + half:+.2f}]'

    head = '| method, loss | ' + ' | '.join(
        title for _, title in PARTIAL_COLUMNS) + ' |'
    rule = '| --- | ' + ' | '.join('---:' for _ in PARTIAL_COLUMNS) + ' |'
    lines = [
        f'Test mAP by share of known training labels (mean ± std over '
        f'{most} seed{"s" if most != 1 else ""}):', '', head, rule
    ]
    for method, loss in PARTIAL_ROWS:
        lines.append(f'| {titles[method]}, {loss_titles[loss]} | ' +
                     ' | '.join(
                         cell(_partial_key(column, method, loss))
                         for column, _ in PARTIAL_COLUMNS) + ' |')
    lines += [
        '', 'MLIC minus the baseline, same loss, paired over seeds (mean '
        '[95 % interval]):', '',
        head.replace('method, loss', 'loss'), rule
    ]
    for loss, loss_title in PARTIAL_LOSSES:
        lines.append(f'| {loss_title} | ' + ' | '.join(
            paired('mlic', 'baseline', loss, column)
            for column, _ in PARTIAL_COLUMNS) + ' |')
    if any(
            _partial_key(column, 'q2l', 'an') in results
            for column, _ in PARTIAL_COLUMNS):
        lines += [
            '', 'With Query2Label-style (MLIC\'s transformer without its '
            'graph network and contrastive loss), AN, paired over seeds '
            '(mean [95 % interval]):', '',
            head.replace('method, loss', 'difference'), rule
        ]
        for title, minuend, subtrahend in PARTIAL_Q2L_PAIRS:
            lines.append(f'| {title} | ' + ' | '.join(
                paired(minuend, subtrahend, 'an', column)
                for column, _ in PARTIAL_COLUMNS) + ' |')
    return '\n'.join(lines) + '\n'


def partial_graph_table(work_dir: str, results: Dict[str, Dict[int,
                                                               dict]]) -> str:
    """What MLIC's predicted co-occurrence graph held at the end of each
    partial-label setting: the graph diagnostics its runs log
    (``GraphDiagnosticsHook``: mean predicted A between two present
    labels, between a present and an absent one, and the correlation of
    the batch-mean A with the known training labels' P(j | i)), each the
    mean over the last epoch's logged steps that define it
    (:func:`mlic.utils.last_epoch_mean`), then over seeds. Where the known
    labels hold no such pair (single positive: one known positive and no
    known negative per image) every step logs NaN: "undefined".

    Args:
        work_dir (str): The runs folder (``<row>/seed_<n>.log``).
        results: ``{row: {seed: result}}`` as the tool gathers them.

    Returns:
        str: A Markdown table, one line per MLIC setting with a log that
        has the diagnostics, then each value's lowest and highest setting
        (over the defined ones); empty when there is none.
    """
    keys = GRAPH_KEYS[:3]
    lines = []
    defined = [[] for _ in keys]  # per value, the settings' defined means
    for column, column_title in PARTIAL_COLUMNS:
        for loss, loss_title in PARTIAL_LOSSES:
            key = _partial_key(column, 'mlic', loss)
            if column == 'full' and loss != PARTIAL_LOSSES[0][0]:
                continue  # one full-label run for the three losses
            per_seed = []
            for seed in sorted(results.get(key, {})):
                log = osp.join(work_dir, key, f'seed_{seed}.log')
                if not osp.isfile(log):
                    continue
                with open(log, encoding='utf-8') as f:
                    text = f.read()
                if f'{keys[0][0]}: ' not in text:
                    continue
                per_seed.append([last_epoch_mean(text, k) for k, _ in keys])
            if not per_seed:
                continue
            values = np.mean(per_seed, axis=0)
            cells = [
                'undefined' if np.isnan(v) else _fmt_graph(v, graph_key)
                for v, (graph_key, _) in zip(values, keys)
            ]
            for seen, v in zip(defined, values):
                if not np.isnan(v):
                    seen.append(v)
            setting = 'full labels' if column == 'full' else \
                f'{column_title}, {loss_title}'
            lines.append(f'| {setting} | {len(per_seed)} | ' +
                         ' | '.join(cells) + ' |')
    if not lines:
        return ''
    table = ('| MLIC, setting | seeds | ' + ' | '.join(title
                                                       for _, title in keys) +
             ' |\n' + '| --- | ---: | ' + ' | '.join('---:' for _ in keys) +
             ' |\n' + '\n'.join(lines) + '\n')
    ranges = [
        f'{title} {_fmt_graph(min(seen), graph_key)} to '
        f'{_fmt_graph(max(seen), graph_key)}'
        for seen, (graph_key, title) in zip(defined, keys) if seen
    ]
    if ranges:
        # the extremes a reading quotes, computed rather than read by eye
        table += ('\nFrom the lowest to the highest setting: ' +
                  '; '.join(ranges) + '.\n')
    return table


def _fmt_graph(value: float, graph_key: str) -> str:
    return f'{value:+.3f}' if 'corr' in graph_key else f'{value:.4f}'


def update_doc(path: str, benchmark: str, table: str) -> None:
    """Replace the table between ``<!-- compare_methods:<benchmark> -->``
    and ``<!-- /compare_methods -->`` in a Markdown file."""
    replace_marked_section(path, f'<!-- compare_methods:{benchmark} -->',
                           '<!-- /compare_methods -->', table)


def count_parameters(config: str) -> tuple:
    """(parameter count, training batch size) of a config's model."""
    from mmengine.config import Config

    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    return (sum(p.numel()
                for p in model.parameters()), cfg.train_dataloader.batch_size)


def run_one(key: str,
            config: str,
            seed: int,
            work_dir: str,
            cfg_options: List[str],
            env: Optional[Dict[str, str]] = None) -> dict:
    """Train one (row, seed) unless its result.json exists; its result.
    ``env``: the training process's environment (default: this one's)."""
    run_dir = osp.join(work_dir, key, f'seed_{seed}')
    result_file = osp.join(run_dir, 'result.json')
    if osp.isfile(result_file):
        with open(result_file) as f:
            return json.load(f)
    log_path = osp.join(work_dir, key, f'seed_{seed}.log')
    cmd = [
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'),
        osp.join(REPO_ROOT, config), '--work-dir', run_dir, '--cfg-options',
        f'randomness.seed={seed}'
    ] + cfg_options
    try:
        wall_s, resumed = run_resumable_training(cmd, run_dir, log_path, env)
    except RuntimeError as err:
        raise RuntimeError(f'{key} seed {seed}: {err}') from err
    with open(log_path) as f:
        text = f.read()
    with _BUILD_LOCK:
        params, batch = count_parameters(osp.join(REPO_ROOT, config))
    result = dict(
        parse_log(text, batch),
        params=params,
        seed=seed,
        config=config,
        wall_s=wall_s,  # the last attempt's, when resumed
        resumed=resumed)
    tmp = result_file + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, result_file)
    return result


#: Runs started with ``--jobs`` > 1 finish in threads of this process;
#: registering mlic's modules and building a model is not meant to happen
#: in two threads at once.
_BUILD_LOCK = threading.Lock()


def training_env(threads: Optional[int]) -> Optional[Dict[str, str]]:
    """This process's environment with ``threads`` OpenMP / MKL threads for
    a training subprocess (torch reads them when it starts); None (inherit
    everything) when ``threads`` is None."""
    if threads is None:
        return None
    return dict(
        os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))


def train_all(jobs: List[tuple],
              work_dir: str,
              num_jobs: int = 1,
              env: Optional[Dict[str, str]] = None) -> List[str]:
    """Train ``(seed, key, config, cfg_options)`` jobs, ``num_jobs`` at a
    time, started in the given order; a failed run is reported and the
    others go on.

    Returns:
        list[str]: One message per failed run.
    """

    def train(job):
        seed, key, config, options = job
        try:
            res = run_one(key, config, seed, work_dir, options, env)
        except RuntimeError as err:
            print(err, flush=True)
            return str(err)
        print(
            f'[{key} seed {seed}] mAP {res["mAP"]:.2f} CF1 '
            f'{res["CF1"]:.2f} OF1 {res["OF1"]:.2f}',
            flush=True)
        return None

    # each job waits on its training subprocess, so threads are enough
    with ThreadPoolExecutor(max_workers=num_jobs) as pool:
        return [failure for failure in pool.map(train, jobs) if failure]


def speed_table(selected, iters: int, warmup: int) -> str:
    """benchmark_train.py on each row's config, one Markdown table."""
    tool = osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'benchmark_train.py')
    lines = [
        '| method | config | train images/s | ms/step | forward | backward '
        '| optimiser + EMA |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: |'
    ]
    for key, title, config, options in map(row_parts, selected):
        if options:
            raise ValueError(f'--speed times configs; row {key} has its '
                             'own options')
        with tempfile.TemporaryDirectory() as tmp:
            out = osp.join(tmp, 'figures.json')
            proc = subprocess.run([
                sys.executable, tool,
                osp.join(REPO_ROOT, config), '--iters',
                str(iters), '--warmup',
                str(warmup), '--out-json', out
            ],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  text=True)
            if proc.returncode != 0 or not osp.isfile(out):
                raise RuntimeError(f'benchmark_train.py failed on {config}:\n'
                                   f'{proc.stdout[-2000:]}')
            with open(out) as f:
                figures = json.load(f)
        parts = figures['parts']
        lines.append(f'| {title} | `{config}` | '
                     f'{figures["images_per_s"]:.2f} | '
                     f'{figures["step_ms"]:.1f} | {parts["forward"]:.1f} | '
                     f'{parts["backward"]:.1f} | '
                     f'{parts["optimiser + EMA"]:.1f} |')
        print(lines[-1], flush=True)
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--benchmark', choices=sorted(BENCHMARKS), default='multiglyphs')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--only', nargs='+', help='row keys to run')
    parser.add_argument(
        '--work-dir', help='defaults to '
        'work_dirs/compare_<benchmark>')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    parser.add_argument(
        '--list', action='store_true', help='print the rows and exit')
    parser.add_argument(
        '--update-doc',
        metavar='FILE',
        help='replace the marked table in this Markdown file')
    parser.add_argument(
        '--no-train',
        action='store_true',
        help='only tabulate the runs already finished')
    parser.add_argument(
        '--speed',
        action='store_true',
        help='time each row\'s training step (benchmark_train.py) instead')
    parser.add_argument('--speed-iters', type=int, default=10)
    parser.add_argument(
        '--jobs',
        type=int,
        default=1,
        help='training runs at a time (default 1)')
    parser.add_argument(
        '--threads-per-job',
        type=int,
        help='OpenMP/MKL threads of each run (default: all the CPUs this '
        'process may use, divided by --jobs, when --jobs > 1; else '
        'inherited)')
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f'--jobs must be at least 1, got {args.jobs}')
    if args.threads_per_job is not None and args.threads_per_job < 1:
        parser.error('--threads-per-job must be at least 1, got '
                     f'{args.threads_per_job}')
    threads = args.threads_per_job
    if threads is None and args.jobs > 1:
        # more threads than cores: OpenMP teams spin against each other
        threads = max(1, len(os.sched_getaffinity(0)) // args.jobs)
    rows = BENCHMARKS[args.benchmark]
    if args.list:
        for key, title, config, options in map(row_parts, rows):
            print(f'{key:22s} {config} {" ".join(options)}  ({title})')
        return
    keys = [r[0] for r in rows]
    unknown = sorted(set(args.only or []) - set(keys))
    if unknown:
        parser.error(f'unknown rows {unknown}; rows are {keys}')
    selected = [r for r in rows if not args.only or r[0] in args.only]
    if args.speed:
        print(speed_table(selected, args.speed_iters, warmup=3))
        return
    work_dir = args.work_dir or osp.join('work_dirs',
                                         f'compare_{args.benchmark}')
    os.makedirs(work_dir, exist_ok=True)

    failures = []
    if not args.no_train:
        jobs = [(seed, key, config,
                 [o.replace('{seed}', str(seed))
                  for o in options] + args.cfg_options) for seed in args.seeds
                for key, _, config, options in map(row_parts, selected)]
        failures = train_all(jobs, work_dir, args.jobs, training_env(threads))

    # Every finished run in the work dir counts, also those of other calls.
    results: Dict[str, Dict[int, dict]] = {}
    for key in (r[0] for r in rows):
        for seed_dir in sorted(os.listdir(osp.join(work_dir, key))) \
                if osp.isdir(osp.join(work_dir, key)) else []:
            result_file = osp.join(work_dir, key, seed_dir, 'result.json')
            if osp.isfile(result_file):
                with open(result_file) as f:
                    res = json.load(f)
                results.setdefault(key, {})[int(res['seed'])] = res
    summary = aggregate(results, baseline=rows[0][0])
    table = format_table(rows, summary)
    if not results:
        # an empty table would read as a benchmark whose rows all failed
        table = 'No runs yet.\n'
    elif args.benchmark == 'multiglyphs_partial':
        graph = partial_graph_table(work_dir, results)
        if graph:
            graph = ('\nMLIC\'s predicted graph at the end of training '
                     '(last epoch, mean over seeds):\n\n' + graph)
        table = partial_label_tables(results) + graph + \
            '\nEvery run:\n\n' + format_table(
                rows, summary, training_loss_rises(work_dir, results))
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table)
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(
            dict(
                results={
                    k: {
                        str(s): r
                        for s, r in v.items()
                    }
                    for k, v in results.items()
                },
                summary=summary),
            f,
            indent=1)
    print(table)
    print(f'written to {osp.join(work_dir, "results.md")}')
    if args.update_doc:
        update_doc(args.update_doc, args.benchmark, table)
        print(f'table replaced in {args.update_doc}')
    if failures:
        sys.exit('failed runs:\n' + '\n'.join(failures))


if __name__ == '__main__':
    main()
