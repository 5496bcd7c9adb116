"""The MultiGlyphs protocol: epochs pilot, equal-budget tuning on the
validation split, final runs over seeds with one test read each, and the
tables. Resumable: every run leaves ``result.json`` and is read, not
repeated, when the tool is started again.

    TOOL=tools/analysis_tools/multiglyphs_protocol.py
    python $TOOL campaign                         # all of it, resumable
    python $TOOL pilot --regime pretrained        # epochs ladder 10 20
    python $TOOL tune --regime pretrained --epochs E
    python $TOOL final --regime pretrained --epochs E --seeds 0 1 2
    python $TOOL table                            # tables only
    python $TOOL table --update-doc docs/benchmarks.md   # and into the docs
    python $TOOL reproduce --regime pretrained --row mlic --seed 0
    python $TOOL curves --regime pretrained --seed 0 --rows baseline mlic
    python $TOOL graph --regime pretrained --seed 0  # graph diagnostics
    python $TOOL progress --work-dir RUNS         # done, under way, left
    python $TOOL progress --work-dir RUNS --update-doc docs/benchmarks.md
    python $TOOL amend --work-dir RUNS --code-root CHECKOUT  # amendment 2
    python $TOOL trials                           # the trial points

Design (fixed before any head was scored; docs/benchmarks.md, "The
MultiGlyphs protocol"):

- Two regimes: ``pretrained`` (backbone from the SingleGlyphs checkpoint)
  and ``scratch``. Every run trains on 5,000 of MultiGlyphs' 6,000 training
  scenes and validates on the other 1,000 (``*_multiglyphs-val.py``
  configs); the test split is read only by ``final``, once per run.
- ``pilot``: each tuned method, default recipe, seed 0, for each epoch count
  of a ladder until every method's training loss changes by less than 2 %
  over the last fifth of training (:func:`loss_change`).
- ``tune``: the same :data:`NUM_TRIALS` points of the shared search space
  for every method (MLIC also draws λ and T), successive halving on
  validation mAP (:func:`select_trials`): every trial at a quarter of the
  epochs, the best :data:`PROMOTED` at the full count, the best of those is
  the method's recipe. Tuning runs use seed :data:`TUNING_SEED`, never a
  final seed.
- ``final``: the chosen recipe at each seed, full epochs, validation at the
  end, then ``tools/test.py`` on the last checkpoint (EMA weights): the
  test metrics of the table. Ablations and variants reuse MLIC's recipe.

The epoch count sets the run's length everywhere: ``train_cfg.max_epochs``,
both OneCycle schedulers' ``end`` and the EMA horizon (1/8 of the run's
steps, which is mlic_multiglyphs.py's decay 0.99 at 10 epochs of 6,000
scenes).
"""
import argparse
import datetime
import json
import math
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mlic.utils import (GRAPH_KEYS, epoch_means, last_epoch_mean, loss_rise,
                        mean_std, momentum_for_run_share, paired_interval,
                        read_marked_section, replace_marked_section,
                        run_resumable_training, train_records)
from mlic.utils.training_log import TRAIN_RECORD

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: regime -> config file suffix after the method's stem.
REGIMES = {
    'pretrained': '_singleglyphs-pre_multiglyphs-val.py',
    'scratch': '_multiglyphs-val.py',
}
#: The tuned methods: key, title, config stem (the regime adds the suffix).
METHODS = [
    ('baseline', 'baseline (GAP + linear)',
     'configs/baseline/resnet18_gap_linear'),
    ('csra', 'CSRA (mmpretrain)', 'configs/csra/csra'),
    ('mlgcn', 'ML-GCN-style', 'configs/ml_gcn/mlgcn'),
    ('q2l', 'Query2Label-style', 'configs/query2label/q2l'),
    ('mlic', 'MLIC', 'configs/mlic/mlic'),
]
#: Rows trained with MLIC's chosen recipe in the final runs (pretrained
#: regime): key, title, config stem, hyper-parameters left out (the part
#: they set is removed), hyper-parameters replaced.
MLIC_ROWS = [
    ('mlic_no_contrastive', 'MLIC without contrastive loss (λ = 0)',
     'configs/mlic/ablations/mlic_no-contrastive', ('loss_weight', ), {}),
    ('mlic_no_gnn', 'MLIC without gated graph network',
     'configs/mlic/ablations/mlic_no-gnn', ('loss_weight', 'num_steps'), {}),
    ('mlic_uniform_graph', 'MLIC with a fixed uniform graph',
     'configs/mlic/ablations/mlic_uniform-graph', (), {}),
    ('mlic_cosine', 'MLIC variant: cosine contrastive similarities, τ = 0.1',
     'configs/mlic/variants/mlic_cosine-tau0.1', (), {}),
    ('mlic_graph_stopgrad', 'MLIC variant: no contrastive gradient into A',
     'configs/mlic/variants/mlic_graph-stopgrad', (), {}),
]
#: Rows trained with the baseline's chosen recipe.
BASELINE_ROWS = [
    ('baseline_supcon', 'baseline + MultiLabelSupConLoss',
     'configs/baseline/resnet18_gap_linear_supcon', (), {}),
]
#: MLIC's T is tuned; the final runs add MLIC at the other values of T.
T_VALUES = (1, 2, 4)
#: The paper's claims and the paired comparisons that test them: each
#: (row, other) asks whether ``row``'s test mAP beats ``other``'s. MLIC's
#: T claim compares MLIC (at the T chosen on validation) with the rows of
#: the other two values (:func:`claim_comparisons`). Fixed on 2026-12-03,
#: before any final run was trained.
CLAIMS = [
    ('MLIC beats the plain classifier (GAP + linear)', [('mlic', 'baseline')]),
    ("MLIC beats the field's heads (CSRA, ML-GCN-style, Query2Label-style)",
     [('mlic', 'csra'), ('mlic', 'mlgcn'), ('mlic', 'q2l')]),
    ('the gated graph network helps', [('mlic', 'mlic_no_gnn')]),
    ('the predicted co-occurrence beats a fixed uniform graph',
     [('mlic', 'mlic_uniform_graph')]),
    ('the contrastive loss helps', [('mlic', 'mlic_no_contrastive')]),
    ('T: the value chosen on validation beats the other two', 'T'),
]
TRAIN_SCENES = 5000
BATCH_SIZE = 64
STEPS_PER_EPOCH = math.ceil(TRAIN_SCENES / BATCH_SIZE)
#: The EMA averages over this share of a run's steps.
EMA_HORIZON_SHARE = 1 / 8
LOG_INTERVAL = 10
#: The pilot's criterion: relative change of the training loss over the
#: last fifth of training below this.
PILOT_TOLERANCE = 0.02
#: 40 epochs was on the ladder when the design was committed (5673868);
#: it was dropped before any 20-epoch result was known, because final runs
#: of 40 epochs alone would take about 28 CPU hours here (docs/benchmarks.md).
PILOT_LADDER = (10, 20)
#: The plan's CPU budget; above it the tuning runs are halved for every
#: method alike (docs/benchmarks.md, "Compute plan").
BUDGET_HOURS = 12.0

NUM_TRIALS = 6
PROMOTED = 2
#: Rung 0 trains every trial for this share of the full epochs.
RUNG0_SHARE = 1 / 4
TUNING_SEED = 100
SEARCH_SEED = 2026
#: The search space. Shared by every method; MLIC adds its own two.
SHARED_SPACE = dict(
    lr=('log-uniform', 1e-4, 3e-3),
    backbone_lr_mult=('choice', 0.1, 0.3, 1.0),
    weight_decay=('log-uniform', 1e-5, 1e-2),
    gamma_neg=('choice', 0.0, 1.0, 2.0, 4.0),
)
MLIC_SPACE = dict(
    loss_weight=('choice', 0.1, 0.5, 1.0),
    num_steps=('choice', 1, 2, 4),
)
#: hyper-parameter -> config key.
OPTION_KEYS = dict(
    lr='optim_wrapper.optimizer.lr',
    backbone_lr_mult='optim_wrapper.paramwise_cfg.custom_keys.backbone.'
    'lr_mult',
    weight_decay='optim_wrapper.optimizer.weight_decay',
    gamma_neg='model.head.loss.gamma_neg',
    loss_weight='model.head.contrastive_loss.loss_weight',
    num_steps='model.head.graph_encoder.num_steps',
)

#: Amendment 2 (docs/benchmarks.md, made after the pretrained regime's
#: final runs): its tuning, final runs and tables live in this sub-folder
#: of the campaign's folder, laid out like the campaign itself.
AMENDED = 'amended'

#: The lines of docs/benchmarks.md between which ``--update-doc`` writes a
#: regime's final table and verdicts; ``prefix`` is '' for the campaign's
#: runs, ``amended_`` for the amendment's (:data:`REPORT_SECTIONS`).
DOC_MARKER = '<!-- multiglyphs_protocol:{prefix}final_{regime} -->'
DOC_MARKER_END = '<!-- /multiglyphs_protocol -->'
#: (sub-folder of the campaign's folder, marker prefix) of each set of
#: tables ``table`` writes; the amendment's only once its folder exists.
REPORT_SECTIONS = (('', ''), (AMENDED, 'amended_'))

#: The lines of a doc between which ``table --update-doc`` writes the
#: protocol's one-screen summary (:func:`summary_table`), where it has them
SUMMARY_MARKER = '<!-- multiglyphs_protocol:summary -->'
#: The lines of a doc between which ``progress --update-doc`` writes what
#: the runs under way have done and what is left
PROGRESS_MARKER = '<!-- multiglyphs_protocol:progress -->'


def graph_doc_marker(prefix: str = '') -> 're.Pattern':
    """A doc's graph table of a regime at a seed (:func:`graph_table`),
    written by ``table --update-doc`` wherever the doc has this marker."""
    return re.compile(
        rf'^<!-- multiglyphs_protocol:{re.escape(prefix)}graph_(\w+?)'
        r'_seed(\d+) -->$', re.M)


def stability_doc_marker(prefix: str = '') -> 're.Pattern':
    """A doc's stability table of a regime (:func:`stability_table`),
    written by ``table --update-doc`` wherever the doc has this marker."""
    return re.compile(
        rf'^<!-- multiglyphs_protocol:{re.escape(prefix)}stability_(\w+) '
        r'-->$', re.M)


METRIC = re.compile(r'multi-label/(mAP|CF1|OF1): ([\d.]+)')


def config_path(stem: str, regime: str) -> str:
    return stem + REGIMES[regime]


def latin_hypercube(rng: np.random.Generator, space: dict,
                    num: int) -> List[dict]:
    """``num`` points of ``space``, stratified per dimension.

    Each dimension is cut into ``num`` equal strata (in log space for a
    log-uniform range, over the value list for a choice) and every stratum
    is used once, in a random order per dimension: with 6 points, each of
    3 choices comes twice and each of 4 choices once or twice, and a range
    is covered from end to end, which plain random draws of 6 points do not
    promise.
    """
    points: List[dict] = [dict() for _ in range(num)]
    for name, (kind, *args) in space.items():
        strata = rng.permutation(num)
        offsets = rng.uniform(size=num)
        for point, stratum, offset in zip(points, strata, offsets):
            u = (stratum + offset) / num
            if kind == 'log-uniform':
                low, high = np.log(args[0]), np.log(args[1])
                point[name] = float(np.exp(low + u * (high - low)))
            elif kind == 'choice':
                point[name] = args[min(int(u * len(args)), len(args) - 1)]
            else:
                raise ValueError(f'unknown kind {kind!r} of {name}')
    return points


def sample_trials(num_trials: int = NUM_TRIALS,
                  seed: int = SEARCH_SEED) -> List[dict]:
    """The trial points (a Latin hypercube, :func:`latin_hypercube`): the
    shared hyper-parameters, the same for every method, and MLIC's own
    (``loss_weight`` = λ, ``num_steps`` = T) from a second stream so that
    the shared ones do not depend on them.

    Returns:
        list[dict]: per trial ``{'shared': {...}, 'mlic': {...}}``.
    """
    shared = latin_hypercube(
        np.random.default_rng([seed, 0]), SHARED_SPACE, num_trials)
    own = latin_hypercube(
        np.random.default_rng([seed, 1]), MLIC_SPACE, num_trials)
    return [dict(shared=s, mlic=m) for s, m in zip(shared, own)]


def trial_params(trial: dict, method: str) -> dict:
    """The hyper-parameters one method trains with at one trial point."""
    params = dict(trial['shared'])
    if method == 'mlic':
        params.update(trial['mlic'])
    return params


def select_trials(scores: Dict[int, float], keep: int) -> List[int]:
    """The ``keep`` trials with the highest validation mAP, best first.

    Ties go to the lower trial index (the earlier point), so the selection
    is a function of the scores alone. A trial whose score is NaN (a run
    that diverged) ranks last.
    """

    def key(item):
        index, score = item
        return (-score if np.isfinite(score) else math.inf, index)

    return [index for index, _ in sorted(scores.items(), key=key)[:keep]]


def epoch_options(cfg, epochs: int) -> List[str]:
    """--cfg-options that make a run ``epochs`` long everywhere.

    Args:
        cfg: The loaded config (to find the EMA hook in ``custom_hooks``).
        epochs (int): The run's length.
    """
    total_steps = epochs * STEPS_PER_EPOCH
    momentum = momentum_for_run_share(EMA_HORIZON_SHARE, total_steps)
    opts = [
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'default_hooks.logger.interval={LOG_INTERVAL}'
    ]
    # mlic's schedules end with the run; one that states its end (the
    # campaign's checkout, 3rd-party configs) is moved with it
    for i, sched in enumerate(cfg.param_scheduler):
        if sched.get('end') is not None:
            opts.append(f'param_scheduler.{i}.end={epochs}')
    emas = [
        i for i, hook in enumerate(cfg.custom_hooks)
        if hook['type'] == 'EMAHook'
    ]
    if len(emas) != 1:
        raise ValueError(f'expected one EMAHook in custom_hooks, found '
                         f'{len(emas)}')
    opts.append(f'custom_hooks.{emas[0]}.momentum={momentum:.8g}')
    return opts


def param_options(params: dict) -> List[str]:
    unknown = sorted(set(params) - set(OPTION_KEYS))
    if unknown:
        raise ValueError(f'unknown hyper-parameters {unknown}')
    return [f'{OPTION_KEYS[k]}={v!r}' for k, v in sorted(params.items())]


ITER_TIME = re.compile(r'Epoch\(train\).*?\btime: ([\d.]+)')


def median_iter_s(text: str) -> float:
    """The median logged training-iteration time of a log, seconds.

    The median, not the mean or the wall time: a run paused or slowed for
    a while by other work on the machine keeps a typical step's time.
    """
    times = [float(t) for t in ITER_TIME.findall(text)]
    if not times:
        raise ValueError('the log holds no training iteration time')
    return float(np.median(times))


def final_run_dir(work_dir: str, regime: str, key: str, seed: int) -> str:
    """Where a final run lives: ``<work_dir>/final/<regime>/<key>/seed_<s>``;
    :func:`train_run` writes its log beside it, as that path plus
    ``.log``."""
    return osp.join(work_dir, 'final', regime, key, f'seed_{seed}')


def train_losses(text: str) -> np.ndarray:
    """(N, 2) array of (global iteration, logged training loss)."""
    by_step = {
        (epoch - 1) * per_epoch + it: loss
        for (epoch, it), (per_epoch, _,
                          loss) in train_records(text, 'loss').items()
    }
    return np.asarray(sorted(by_step.items()), np.float64)


def final_run_logs(work_dir: str, regime: str, key: str,
                   seeds: Sequence[int]) -> Dict[int, Optional[str]]:
    """The training log of each seed's final run of a row
    (``final/<regime>/<key>/seed_<s>.log``), read once for every column
    that comes from the logs; None for a seed whose log is missing."""
    logs: Dict[int, Optional[str]] = {}
    for seed in seeds:
        path = final_run_dir(work_dir, regime, key, seed) + '.log'
        logs[seed] = None
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                logs[seed] = f.read()
    return logs


def loss_rises(logs: Dict[int, Optional[str]]) -> Optional[Dict[int, float]]:
    """:func:`loss_rise` of each seed of a row, from its runs' logs
    (:func:`final_run_logs`); None when there is none or a log is
    missing."""
    if not logs or any(text is None for text in logs.values()):
        return None
    return {seed: loss_rise(epoch_means(text)) for seed, text in logs.items()}


def worst_loss_rise(logs: Dict[int, Optional[str]]) -> Optional[float]:
    """:func:`loss_rise` of a row's worst seed (:func:`loss_rises`); None
    when a log is missing."""
    rises = loss_rises(logs)
    return None if rises is None else max(rises.values())


#: torch's line in mmengine's environment header of every training log
CPU_CAPABILITY = re.compile(r'CPU capability usage: (\S+)')


def cpu_kernels_cell(logs: Dict[int, Optional[str]]) -> str:
    """Which CPU kernel set (torch's ``CPU capability usage``, e.g. AVX2
    or AVX512) each seed of a row trained with, from the runs' logs:
    ``"AVX2: 0, 1; AVX512: 2"``; ``?`` for a seed whose log lacks it, and
    ``AVX2+AVX512`` for a run resumed on another machine than it started
    on (its log has both headers).

    The same seed on two kernel sets is the same data order and
    initialisation with different floating-point rounding, so its numbers
    differ (a platform change, reported rather than hidden).
    """
    by_kernels: Dict[str, List[int]] = {}
    for seed, text in logs.items():
        found = CPU_CAPABILITY.findall(text) if text is not None else []
        name = '+'.join(sorted(set(found))) or '?'
        by_kernels.setdefault(name, []).append(seed)
    return '; '.join(f'{name}: {", ".join(map(str, sorted(group)))}'
                     for name, group in sorted(by_kernels.items()))


def curves_table(work_dir: str,
                 regime: str,
                 seed: int,
                 rows: Optional[Sequence[str]] = None,
                 key: str = 'loss') -> str:
    """Per-epoch mean of a logged training value (the loss by default) of
    final runs, one column per row.

    Args:
        rows: Row keys in the order wanted; all the regime's rows with a
            log at ``seed`` when None.
        key: The logged scalar, e.g. ``loss`` or ``graph/present_present``.

    Returns:
        str: A markdown table: epoch, the learning rate of the first row's
        epoch start, then each row's per-epoch mean.
    """
    keys = [r[0] for r in final_rows(regime)]
    unknown = [k for k in rows or () if k not in keys]
    if unknown:
        raise ValueError(f'unknown row key(s) {unknown}; the {regime} '
                         f'regime has {keys}')
    logs = {}
    for row in rows or keys:
        path = final_run_dir(work_dir, regime, row, seed) + '.log'
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                logs[row] = epoch_means(f.read(), key)
        elif rows:
            raise FileNotFoundError(f'no log of row {row!r} at seed {seed}: '
                                    f'{path} does not exist')
    if not logs:
        raise FileNotFoundError(f'no final-run log at seed {seed} under '
                                f'{osp.join(work_dir, "final", regime)}')
    first = next(iter(logs.values()))
    epochs = sorted(set().union(*logs.values()))
    lines = [
        '| epoch | lr at its start | ' + ' | '.join(logs) + ' |',
        '| ---: | ---: | ' + ' | '.join('---:' for _ in logs) + ' |'
    ]
    for epoch in epochs:
        lr = f'{first[epoch][0]:.2e}' if epoch in first else '—'
        cells = [
            _compact(log[epoch][1]) if epoch in log else '—'
            for log in logs.values()
        ]
        lines.append(f'| {epoch} | {lr} | ' + ' | '.join(cells) + ' |')
    return f'Per-epoch mean of `{key}`, seed {seed}:\n\n' + \
        '\n'.join(lines) + '\n'


def graph_table(work_dir: str, regime: str, seed: int) -> str:
    """The graph diagnostics of each final run at ``seed`` that logs them:
    the mean over the last epoch's logged training batches that define
    them (:func:`mlic.utils.last_epoch_mean`, as the partial-label table
    reads them), beside the run's test mAP and training-loss rise.

    Returns:
        str: A Markdown table, one line per row with such a log, or a
        sentence that there is none yet.
    """
    lines = [
        '| method | ' + ' | '.join(title for _, title in GRAPH_KEYS) +
        ' | training-loss rise | test mAP |',
        '| --- | ' + ' | '.join('---:'
                                for _ in GRAPH_KEYS) + ' | ---: | ---: |'
    ]
    for key, title, *_ in final_rows(regime):
        result = _read_json(
            osp.join(
                final_run_dir(work_dir, regime, key, seed), 'result.json'))
        logs = final_run_logs(work_dir, regime, key, [seed])
        text = logs[seed]
        if result is None or text is None or \
                'graph/present_present' not in text:
            continue
        cells = []
        for graph_key, _ in GRAPH_KEYS:
            if f'{graph_key}: ' not in text:  # λ = 0: no contrastive term
                cells.append('—')
                continue
            # the hook logs nan where a statistic is undefined (the
            # correlation of a constant graph): such steps are skipped, and
            # a value nan at every step of the last epoch is undefined
            value = last_epoch_mean(text, graph_key)
            if math.isnan(value):
                cells.append('undefined')
            else:
                cells.append(f'{value:+.4f}' if 'corr' in
                             graph_key else _compact(value))
        rise = loss_rises(logs)[seed]
        lines.append(f'| {title} | ' + ' | '.join(cells) +
                     f' | {100 * rise:.0f} % | {result["test"]["mAP"]:.2f} |')
    if len(lines) == 2:
        return (f'No final run of the {regime} regime at seed {seed} that '
                'logs the graph has finished yet.\n')
    return '\n'.join(lines) + '\n'


def rank_correlation(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the ranks, tied
    values sharing their mean rank. Written here because scipy (which has
    ``scipy.stats.spearmanr``) is not a dependency of the project. NaN
    when either sequence is constant (the correlation is undefined)."""

    def ranks(values):
        values = np.asarray(values, dtype=float)
        order = np.argsort(values, kind='stable')
        rank = np.empty(len(values))
        rank[order] = np.arange(1, len(values) + 1)
        for value in np.unique(values):  # ties: their mean rank
            rank[values == value] = rank[values == value].mean()
        return rank

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


#: fewest runs a rank correlation is printed for
MIN_RUNS_FOR_CORRELATION = 5


def stability_table(work_dir: str, regime: str) -> str:
    """Every finished final run's training-loss rise (:func:`loss_rise`)
    beside its test mAP, a row per method and a cell per seed, then the
    rank correlation of the two over the MLIC rows' runs (MLIC, its
    ablations and variants: the rows whose key starts with ``mlic``) and
    the largest rise among the other rows' runs. A row with a seed whose
    log is missing is left out.

    It reads the committed runs only; whether the rise explains the score
    is a reading, not something the table proves (the rows differ in more
    than stability).
    """
    rows = final_rows(regime)
    runs = load_final_runs(work_dir, regime)
    seeds = sorted({seed for by_seed in runs.values() for seed in by_seed})
    lines = [
        '| method | ' + ' | '.join(f'seed {s}: rise, test mAP'
                                   for s in seeds) + ' |',
        '| --- | ' + ' | '.join('---:' for _ in seeds) + ' |'
    ]
    family, others = [], []
    for key, title, *_ in rows:
        rises = loss_rises(
            final_run_logs(work_dir, regime, key, sorted(runs.get(key, {}))))
        if rises is None:
            continue
        cells = []
        for seed in seeds:
            if seed not in rises:
                cells.append('—')
                continue
            rise = rises[seed]
            score = runs[key][seed]['test']['mAP']
            cells.append(f'{100 * rise:.0f} %, {score:.2f}')
            (family if key.startswith('mlic') else others).append(
                (rise, score))
        lines.append(f'| {title} | ' + ' | '.join(cells) + ' |')
    if len(lines) == 2:
        return (f'No final run of the {regime} regime with its log has '
                'finished yet.\n')
    text = '\n'.join(lines) + '\n\n'
    if len(family) >= MIN_RUNS_FOR_CORRELATION:
        rho = rank_correlation([r for r, _ in family], [m for _, m in family])
        text += (f'Rank correlation (Spearman) of training-loss rise and '
                 f'test mAP over the {len(family)} runs of the MLIC rows: ' +
                 (f'{rho:+.2f}. ' if np.isfinite(rho) else
                  'undefined (their rises, or their scores, are all the '
                  'same). '))
    else:
        runs_text = '1 run' if len(family) == 1 else f'{len(family)} runs'
        text += (f'{runs_text} of the MLIC rows: too few for a rank '
                 f'correlation (at least {MIN_RUNS_FOR_CORRELATION}). ')
    if others:
        text += ('Largest rise among the other rows\' runs '
                 f'({len(others)}): {100 * max(r for r, _ in others):.1f} %.')
    return text + '\n'


#: The line that starts mmengine's environment header in a training log
#: (once per attempt: a resumed run's log repeats it)
ENV_HEADER = 'System environment:'


def epoch_minutes(text: str) -> Optional[float]:
    """Minutes per epoch of a training log: :func:`median_iter_s` (robust
    to a session's pause or a test run sharing the CPU) times the
    iterations per epoch; None without training records."""
    records = TRAIN_RECORD.findall(text)
    if not records:
        return None
    return median_iter_s(text) * int(records[-1][2]) / 60


def _checkpoint_epoch(run_dir: str) -> int:
    # mmengine's last_checkpoint names the newest epoch_<n>.pth
    marker = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return 0
    with open(marker) as f:
        found = re.search(r'epoch_(\d+)\.pth', f.read())
    return int(found.group(1)) if found else 0


def _runs_progress(runs: Sequence[Tuple[str, str]], epochs: int) -> tuple:
    """What a row's runs of ``epochs`` epochs have done, from their folders.

    Args:
        runs: ``(label, run_dir)`` per run (``("seed 1", ...)``).

    Returns:
        tuple: The positions in ``runs`` of the finished runs;
        ``"<label> at epoch <n>"``
        for the last unfinished run with a checkpoint, else ``"—"``; the
        epochs left; the median minutes per epoch of the finished runs'
        logs (:func:`epoch_minutes`) or None; the minutes per epoch of the
        current attempt of the last unfinished run with a log (the steps
        from its log's last environment header on: a resumed run's log
        holds every attempt's) or None.
    """
    done, under_way, left, minutes, attempt_rate = [], '—', 0, [], None
    for i, (label, run_dir) in enumerate(runs):
        log = None
        if osp.isfile(run_dir + '.log'):
            with open(run_dir + '.log', encoding='utf-8') as f:
                log = f.read()
        if osp.isfile(osp.join(run_dir, 'result.json')):
            done.append(i)
            rate = None if log is None else epoch_minutes(log)
            if rate is not None:
                minutes.append(rate)
            continue
        reached = _checkpoint_epoch(run_dir)
        if reached:
            under_way = f'{label} at epoch {reached}'
        if log is not None:
            rate = epoch_minutes(log.rsplit(ENV_HEADER, 1)[-1])
            if rate is not None:
                attempt_rate = rate
        left += epochs - reached
    rate = float(np.median(minutes)) if minutes else None
    return done, under_way, left, rate, attempt_rate


def _amended_tuning_progress(work_dir: str, regime: str, epochs: int) -> list:
    """The amendment's re-tuning runs of ``regime`` not finished yet, as
    :func:`progress` entries (one per method without an amended choice:
    the trials its committed rung 1 trained), each with the minutes per
    epoch of its finished re-tuning runs (or None)."""
    entries = []
    for key, *_ in METHODS:
        if osp.isfile(choice_file(work_dir, regime, key)):
            continue
        committed = _read_json(
            choice_file(osp.dirname(osp.abspath(work_dir)), regime, key))
        if committed is None:
            continue  # no committed tuning to amend
        trials = [entry['trial'] for entry in committed['rungs'][1]['trials']]
        done, under_way, left, rate, _ = _runs_progress(
            [(f'trial {trial}',
              osp.join(work_dir, 'tune', regime, key, 'rung1',
                       f'trial_{trial}')) for trial in trials], epochs)
        entries.append((regime, f'{key} (amended tuning)', key, rate,
                        [f'trial {trials[i]}' for i in done], under_way, left,
                        len(trials) - len(done)))
    return entries


def progress(work_dir: str) -> str:
    """What the final runs have done and what is left, per row, from the
    run folders: seeds finished, the run under way (epochs checkpointed),
    epochs left, and minutes per epoch from the row's finished logs
    (:func:`epoch_minutes`, median over seeds). A row without a finished
    run borrows the same row's rate in the other regime (the same model;
    the regimes differ in the backbone's start only), else the median of
    its regime's rows, else of all rows; such a rate is marked
    "estimate". The finished runs may have trained on another machine
    than the one training now: the total also gives the hours at the pace
    of the run under way (its current attempt's steps, from its log's last
    environment header on, against its row's finished runs' rate), when
    there is one with a rate to compare.

    In the amendment's folder (a ``plan.json`` with ``amendment``) the rows
    whose recipe owner has no amended choice yet wait (they train only if
    the recipe changes) and count no epochs; the owner's re-tuning runs
    (the trials its committed rung 1 trained, at the final length) are
    listed and counted instead, at the rate of the method's finished
    re-tuning runs, else of its final runs (an estimate).

    Returns:
        str: A Markdown table and a total line.
    """
    plan = _read_json(osp.join(work_dir, 'plan.json'))
    if plan is None:
        return (f'{work_dir} has no plan.json: the pilots have not '
                'finished, so the run lengths are not fixed yet.\n')
    seeds = plan['seeds']
    # an entry: regime, label, the row whose rates stand in for a missing
    # one (None: a row that waits), its own measured rate, seeds or trials
    # finished, under way, epochs left, runs left
    found, rates, current, waiting = [], {}, None, 0
    for regime in REGIMES:
        if 'amendment' in plan:
            found += _amended_tuning_progress(work_dir, regime,
                                              plan['epochs'][regime])
        own_t = mlic_num_steps(work_dir, regime)
        for row in final_rows(regime):
            key = row[0]
            if 'amendment' in plan and not osp.isfile(
                    choice_file(work_dir, regime, row[3])):
                # the amendment trains a row only if its re-tuning changes
                # the recipe, so until then there is nothing to count
                waiting += 1
                found.append((regime, key, None, None, [],
                              'waits for its amended tuning', 0, 0))
                continue
            if key.startswith('mlic_t') and row[5]['num_steps'] == own_t:
                continue  # this T is MLIC's own: the MLIC row is its run
            done, under_way, left, rate, attempt_rate = _runs_progress(
                [(f'seed {seed}', final_run_dir(work_dir, regime, key, seed))
                 for seed in seeds], plan['epochs'][regime])
            if rate is not None:
                rates[(regime, key)] = rate
            if attempt_rate is not None:
                current = (regime, key, attempt_rate)
            found.append((regime, key, key, rate, [seeds[i] for i in done],
                          under_way, left, len(seeds) - len(done)))
    lines = [
        '| regime | row | seeds finished | under way | epochs left | '
        'minutes per epoch |', '| --- | --- | --- | --- | ---: | ---: |'
    ]
    total_epochs, total_minutes, unrated, runs_left = 0, 0.0, 0, 0
    for regime, key, rate_key, rate, done, under_way, left, runs in found:
        runs_left += runs
        if rate_key is None:  # a row that waits: nothing to count
            lines.append(f'| {regime} | {key} | — | {under_way} | 0 | — |')
            continue
        estimate = rate is None
        if rate is None:  # a re-tuning entry: its method's final runs
            rate = rates.get((regime, rate_key))
        if rate is None:
            same_row = [r for (g, k), r in rates.items() if k == rate_key]
            in_regime = [r for (g, k), r in rates.items() if g == regime]
            known = same_row or in_regime or list(rates.values())
            rate = float(np.median(known)) if known else None
        total_epochs += left
        if rate is None:
            unrated += left
        else:
            total_minutes += left * rate
        cell = '—' if rate is None else \
            f'{rate:.2f}' + (' (estimate)' if estimate else '')
        lines.append(f'| {regime} | {key} | '
                     f'{", ".join(map(str, done)) or "—"} | {under_way} | '
                     f'{left} | {cell} |')
    total = (f'{total_epochs} training epochs left in {runs_left} '
             f'run{"" if runs_left == 1 else "s"}, '
             f'about {total_minutes / 60:.1f} hours of training at the '
             'logged rates')
    if unrated:
        total += f' ({unrated} epochs without any rate to go by not counted)'
    if waiting:
        total += (f'; {waiting} rows wait for their amended tuning and are '
                  'not counted (each trains three seeds if its recipe '
                  'changes, none if it stays)')
    if current is not None and current[:2] in rates:
        regime, key, rate = current
        factor = rate / rates[(regime, key)]
        total += (f'; at the pace of the run under way ({regime} {key}: '
                  f'{rate:.2f} min an epoch, {factor:.2f} times its '
                  f'finished runs\' {rates[(regime, key)]:.2f}), about '
                  f'{factor * total_minutes / 60:.1f} hours')
    # a run also starts, validates once and is tested once
    total += '; each run adds about a minute to start, validate and test'
    return '\n'.join(lines) + f'\n\n{total}.\n'


def write_progress(doc: str,
                   text: str,
                   now: Optional[datetime.datetime] = None) -> None:
    """Write :func:`progress`'s ``text`` between the :data:`PROGRESS_MARKER`
    lines of ``doc``, under the time it was read (UTC), so that a page says
    what was still training and when that was true.

    When the page already holds the same ``text`` (a finished campaign:
    nothing left changes), the page is left as it is, time included: it is
    still true, and a sync then changes nothing to commit.

    Raises:
        ValueError: ``doc`` lacks the markers (from
            :func:`mlic.utils.read_marked_section`).
    """
    held = read_marked_section(doc, PROGRESS_MARKER, DOC_MARKER_END)
    # the section is the time line, a blank line, then the text
    if held.partition('\n\n')[2].rstrip('\n') == text.rstrip('\n'):
        return
    now = now or datetime.datetime.now(datetime.timezone.utc)
    replace_marked_section(
        doc, PROGRESS_MARKER, DOC_MARKER_END,
        f'As of {now:%Y-%m-%d %H:%M} UTC (read from the runs folder by '
        '`progress --update-doc`, which `.dev_scripts/cpu_campaigns.sh '
        f'sync` runs):\n\n{text}')


def _compact(value: float) -> str:
    # a loss (100s) with one decimal, a graph statistic (0.01) with four
    return f'{value:.1f}' if abs(value) >= 10 else f'{value:.4f}'


def loss_change(losses: np.ndarray,
                total_iters: int,
                window_share: float = 0.05) -> dict:
    """Relative change of the training loss over the last fifth of a run.

    ``start`` is the mean logged loss over the ``window_share`` of the run
    that begins at 80 % of its iterations, ``end`` the mean over the last
    ``window_share`` (each window at least two log intervals wide; a log
    record is the mean loss of the 10 iterations before it);
    ``change = (start - end) / start`` (positive: still falling).

    Args:
        losses: (N, 2) from :func:`train_losses`.
        total_iters (int): The run's iterations.
    """
    its, values = losses[:, 0], losses[:, 1]
    # at least two log records per window on short runs
    width = max(window_share * total_iters, 2 * LOG_INTERVAL)
    begin = 0.8 * total_iters
    first = values[(its > begin) & (its <= begin + width)]
    last = values[its > total_iters - width]
    if len(first) == 0 or len(last) == 0:
        raise ValueError('too few logged losses for the pilot windows')
    start, end = float(first.mean()), float(last.mean())
    return dict(start=start, end=end, change=(start - end) / start)


def parse_metrics(text: str) -> dict:
    """mAP, CF1, OF1 of the last evaluation printed in ``text``."""
    found = {}
    for name, value in METRIC.findall(text):
        found[name] = float(value)
    missing = {'mAP', 'CF1', 'OF1'} - set(found)
    if missing:
        raise ValueError(f'no {sorted(missing)} in the output')
    return found


def _read_json(path: str) -> Optional[dict]:
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _write_json(path: str, data: dict) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def train_run(run_dir: str,
              config: str,
              options: List[str],
              test: bool = False,
              code_root: str = REPO_ROOT) -> dict:
    """Train ``config`` into ``run_dir`` unless it holds a result; with
    ``test``, then evaluate the last checkpoint on the test split once. A
    run interrupted after a checkpoint (a session that ended) resumes from
    it, its log appended to.

    ``code_root`` is the checkout whose ``tools/train.py``, ``tools/test.py``,
    configs and ``mlic`` package train and test the run (this one by
    default): a campaign keeps the training code of its fixed checkout
    while a later version of this tool drives it (``amend``).

    Returns:
        dict: ``val`` (metrics of the last validation), ``test`` (or None),
        ``loss`` (:func:`loss_change`), ``wall_s``, ``config``, ``options``.
    """
    result_file = osp.join(run_dir, 'result.json')
    done = _read_json(result_file)
    if done is not None:
        return done
    log_path = run_dir + '.log'
    cmd = [
        sys.executable,
        osp.join(code_root, 'tools', 'train.py'),
        osp.join(code_root, config), '--work-dir', run_dir, '--cfg-options'
    ] + options
    # the training imports the code root's mlic, not this checkout's
    env = None if code_root == REPO_ROOT else dict(
        os.environ, PYTHONPATH=code_root)
    wall_s, resume = run_resumable_training(cmd, run_dir, log_path, env)
    with open(log_path) as f:
        text = f.read()
    epochs = int(
        re.search(r'train_cfg\.max_epochs=(\d+)', ' '.join(options)).group(1))
    result = dict(
        config=config,
        options=options,
        val=parse_metrics(text),
        loss=loss_change(train_losses(text), epochs * STEPS_PER_EPOCH),
        median_iter_s=median_iter_s(text),
        wall_s=wall_s,  # the last attempt's, when resumed
        resumed=resume,
        test=None)
    if test:
        checkpoint = osp.join(run_dir, f'epoch_{epochs}.pth')
        test_log = run_dir + '.test.log'
        cmd = [
            sys.executable,
            osp.join(code_root, 'tools', 'test.py'),
            osp.join(code_root, config), checkpoint, '--work-dir',
            osp.join(run_dir, 'test'), '--cfg-options'
        ] + options
        with open(test_log, 'w') as log:
            code = subprocess.call(
                cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        if code != 0:
            raise RuntimeError(f'testing failed (exit {code}); see '
                               f'{test_log}')
        with open(test_log) as f:
            result['test'] = parse_metrics(f.read())
    _write_json(result_file, result)
    return result


def count_parameters(config: str,
                     options: List[str],
                     code_root: str = REPO_ROOT) -> int:
    """Parameters of the model that ``config`` (of ``code_root``) with
    ``options`` builds."""
    from mmengine.config import DictAction

    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    cfg = _load_cfg(config, code_root)
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--o'] + options).o)
    cfg.model.backbone.init_cfg = None
    return sum(p.numel() for p in MODELS.build(cfg.model).parameters())


def _load_cfg(config: str, code_root: str = REPO_ROOT):
    from mmengine.config import Config
    return Config.fromfile(osp.join(code_root, config))


def run_pilot(work_dir: str, regime: str, ladder: Sequence[int],
              methods: Sequence[tuple]) -> List[dict]:
    """Train each method at each epoch count of ``ladder`` until one count
    passes for all (default recipe, seed 0); the rows of the pilot table."""
    rows = []
    for epochs in ladder:
        passed = True
        for key, title, stem in methods:
            config = config_path(stem, regime)
            opts = epoch_options(_load_cfg(config),
                                 epochs) + ['randomness.seed=0']
            run_dir = osp.join(work_dir, 'pilot', regime, f'e{epochs}', key)
            res = train_run(run_dir, config, opts)
            if 'median_iter_s' not in res:  # recorded before it was kept
                with open(run_dir + '.log') as f:
                    res['median_iter_s'] = median_iter_s(f.read())
                _write_json(osp.join(run_dir, 'result.json'), res)
            ok = abs(res['loss']['change']) < PILOT_TOLERANCE
            passed &= ok
            rows.append(
                dict(
                    regime=regime,
                    epochs=epochs,
                    method=key,
                    title=title,
                    ok=ok,
                    wall_s=res['wall_s'],
                    median_iter_s=res['median_iter_s'],
                    val_mAP=res['val']['mAP'],
                    **res['loss']))
            print(
                f'[pilot {regime} {epochs} epochs {key}] loss '
                f'{res["loss"]["start"]:.2f} -> {res["loss"]["end"]:.2f} '
                f'({100 * res["loss"]["change"]:+.1f} %) '
                f'{"pass" if ok else "FAIL"}',
                flush=True)
        if passed:
            break
    return rows


def pilot_table(rows: List[dict]) -> str:
    lines = [
        '| regime | epochs | method | loss at 80 % | loss at the end | '
        'change | < 2 % | run time |', '| --- | ---: | --- | ---: | ---: | '
        '---: | --- | ---: |'
    ]
    for r in rows:
        lines.append(f'| {r["regime"]} | {r["epochs"]} | {r["title"]} | '
                     f'{r["start"]:.2f} | {r["end"]:.2f} | '
                     f'{100 * r["change"]:+.1f} % | '
                     f'{"yes" if r["ok"] else "no"} | '
                     f'{r["wall_s"] / 60:.1f} min |')
    return '\n'.join(lines) + '\n'


def train_trials(base: str,
                 rung: int,
                 indices: Sequence[int],
                 key: str,
                 config: str,
                 epochs: int,
                 label: str,
                 code_root: str = REPO_ROOT) -> Tuple[Dict[int, float], list]:
    """Train trial points ``indices`` of one method for ``epochs`` into
    ``<base>/rung<rung>/trial_<i>`` (seed :data:`TUNING_SEED`); ``label``
    starts each printed line (``"pretrained mlic"``).

    Returns:
        tuple: ``{trial: validation mAP}`` (NaN for a run that failed: it
        ranks last) and the rung's record entries.
    """
    trials = sample_trials()
    cfg = _load_cfg(config, code_root)
    scores: Dict[int, float] = {}
    entries = []
    for i in indices:
        params = trial_params(trials[i], key)
        opts = (
            epoch_options(cfg, epochs) + param_options(params) +
            [f'randomness.seed={TUNING_SEED}'])
        try:
            res = train_run(
                osp.join(base, f'rung{rung}', f'trial_{i}'),
                config,
                opts,
                code_root=code_root)
            scores[i] = res['val']['mAP']
            wall = res['wall_s']
        except RuntimeError as err:  # a diverged trial ranks last
            print(err, flush=True)
            scores[i], wall = float('nan'), None
        entries.append(
            dict(trial=i, params=params, val_mAP=scores[i], wall_s=wall))
        print(
            f'[tune {label} rung {rung} trial {i}] val mAP {scores[i]:.2f}',
            flush=True)
    return scores, entries


def tune_method(work_dir: str, regime: str, key: str, stem: str,
                epochs: int) -> dict:
    """Successive halving for one method; its choice (written to
    ``tune/<regime>/<key>/choice.json``).

    Rung 0: every trial point for ``RUNG0_SHARE`` of ``epochs``; rung 1:
    the best :data:`PROMOTED` by validation mAP for ``epochs``; the best of
    rung 1 is the choice. Seed :data:`TUNING_SEED` throughout.
    """
    config = config_path(stem, regime)
    base = osp.join(work_dir, 'tune', regime, key)
    trials = sample_trials()
    short, full = rung_epochs(epochs)
    record = dict(regime=regime, method=key, epochs=epochs, rungs=[])
    label = f'{regime} {key}'
    scores, entries = train_trials(base, 0, range(len(trials)), key, config,
                                   short, label)
    record['rungs'].append(dict(epochs=short, trials=entries))
    scores, entries = train_trials(base, 1, select_trials(scores, PROMOTED),
                                   key, config, full, label)
    record['rungs'].append(dict(epochs=full, trials=entries))
    best = select_trials(scores, 1)[0]
    record['choice'] = dict(
        trial=best,
        params=trial_params(trials[best], key),
        val_mAP=scores[best])
    _write_json(choice_file(work_dir, regime, key), record)
    return record


def choice_file(work_dir: str, regime: str, key: str) -> str:
    """Where a method's tuning record (its rungs and choice) is written."""
    return osp.join(work_dir, 'tune', regime, key, 'choice.json')


def tuning_record(work_dir: str, regime: str, key: str) -> dict:
    """A method's finished tuning record (:func:`choice_file`) in a
    regime."""
    record = _read_json(choice_file(work_dir, regime, key))
    if record is None:
        raise FileNotFoundError(
            f'{key} has no tuned recipe in the {regime} regime in {work_dir} '
            f'yet: run "multiglyphs_protocol.py tune --regime {regime}" first')
    return record


def chosen_params(work_dir: str, regime: str, key: str) -> dict:
    return dict(tuning_record(work_dir, regime, key)['choice']['params'])


def final_rows(regime: str) -> List[tuple]:
    """Rows of the final runs: (key, title, stem, recipe owner, dropped
    hyper-parameters, replaced hyper-parameters)."""
    rows = [(k, t, s, k, (), {}) for k, t, s in METHODS]
    if regime == 'pretrained':
        rows.insert(
            1, BASELINE_ROWS[0][:3] + ('baseline', ) + BASELINE_ROWS[0][3:])
        rows += [r[:3] + ('mlic', ) + r[3:] for r in MLIC_ROWS]
        rows += [(f'mlic_t{t}', f'MLIC, T = {t}', 'configs/mlic/mlic', 'mlic',
                  (), dict(num_steps=t)) for t in T_VALUES]
    return rows


def final_run_options(
        work_dir: str,
        regime: str,
        row: tuple,
        epochs: int,
        seed: int,
        code_root: str = REPO_ROOT) -> Optional[Tuple[str, List[str]]]:
    """The config and ``--cfg-options`` of one final run.

    Args:
        row (tuple): One of :func:`final_rows`.
        code_root (str): The checkout whose config the options are for.

    Returns:
        tuple | None: ``(config, options)``; None for the T row whose T is
        the one MLIC's recipe already has (that run is the MLIC row).
    """
    key, _, stem, owner, dropped, replaced = row
    params = chosen_params(work_dir, regime, owner)
    if key.startswith('mlic_t') and params.get(
            'num_steps') == replaced['num_steps']:
        return None
    for name in dropped:
        params.pop(name, None)
    params.update(replaced)
    config = config_path(stem, regime)
    opts = (
        epoch_options(_load_cfg(config, code_root), epochs) +
        param_options(params) + [f'randomness.seed={seed}'])
    return config, opts


def run_finals(work_dir: str,
               regime: str,
               epochs: int,
               seeds: Sequence[int],
               only: Optional[Sequence[str]],
               code_root: str = REPO_ROOT) -> None:
    """Each row at each seed (seeds outer) with its recipe; validation at
    the end, then one test read."""
    rows = [r for r in final_rows(regime) if not only or r[0] in only]
    for seed in seeds:
        for row in rows:
            key = row[0]
            run = final_run_options(work_dir, regime, row, epochs, seed,
                                    code_root)
            if run is None:
                continue  # that T is the MLIC row itself
            config, opts = run
            run_dir = final_run_dir(work_dir, regime, key, seed)
            res = train_run(
                run_dir, config, opts, test=True, code_root=code_root)
            if 'params' not in res:
                res['params'] = count_parameters(config, opts, code_root)
                _write_json(osp.join(run_dir, 'result.json'), res)
            print(
                f'[final {regime} {key} seed {seed}] test mAP '
                f'{res["test"]["mAP"]:.2f}',
                flush=True)


def amend_tuning(work_dir: str,
                 regime: str,
                 key: str,
                 stem: str,
                 epochs: int,
                 code_root: str = REPO_ROOT) -> dict:
    """Amendment 2 for one method: the trials that rung 0 promoted (the
    committed record's rung 1, which ran at half the final length), trained
    again for the final length ``epochs``; the better of the two by
    validation mAP is the method's amended recipe. Rung 0 is the committed
    one, unchanged. Runs and ``choice.json`` go to
    ``<work_dir>/amended/tune/<regime>/<key>/``, the same layout as the
    tuning's, so every table reads the amended folder as a campaign.

    Returns:
        dict: The amended record: the committed rung 0, the new rung 1,
        the choice, and ``amends`` (the committed rung 1's length and
        choice).
    """
    record = tuning_record(work_dir, regime, key)
    promoted = [entry['trial'] for entry in record['rungs'][1]['trials']]
    base = osp.join(work_dir, AMENDED, 'tune', regime, key)
    scores, entries = train_trials(base, 1, promoted, key,
                                   config_path(stem, regime), epochs,
                                   f'amended {regime} {key}', code_root)
    best = select_trials(scores, 1)[0]
    amended = dict(
        regime=regime,
        method=key,
        epochs=epochs,
        amends=dict(
            epochs=record['rungs'][1]['epochs'],
            trial=record['choice']['trial']),
        rungs=[record['rungs'][0],
               dict(epochs=epochs, trials=entries)],
        choice=dict(
            trial=best,
            params=trial_params(sample_trials()[best], key),
            val_mAP=scores[best]))
    _write_json(choice_file(osp.join(work_dir, AMENDED), regime, key), amended)
    return amended


def reuse_unchanged_finals(work_dir: str,
                           regime: str,
                           epochs: int,
                           seeds: Sequence[int],
                           code_root: str = REPO_ROOT) -> List[str]:
    """Copy into the amendment every committed final run whose recipe the
    amendment left as it was (its recipe's owner chose the same trial at
    the final length): the same config, options and seed are the same run,
    so it is not trained twice. Its ``result.json``, training and test logs
    are copied (git stores identical files once).

    Returns:
        list[str]: ``row/seed_S`` of each run copied.

    Raises:
        ValueError: A run to reuse was recorded with other options than the
            amended recipe gives (it would not be the same run).
    """
    amended = osp.join(work_dir, AMENDED)
    copied = []
    for row in final_rows(regime):
        key, owner = row[0], row[3]
        if (tuning_record(work_dir, regime, owner)['choice']['trial']
                != tuning_record(amended, regime, owner)['choice']['trial']):
            continue
        for seed in seeds:
            src = final_run_dir(work_dir, regime, key, seed)
            dst = final_run_dir(amended, regime, key, seed)
            recorded = _read_json(osp.join(src, 'result.json'))
            if recorded is None or osp.isfile(osp.join(dst, 'result.json')):
                continue
            run = final_run_options(amended, regime, row, epochs, seed,
                                    code_root)
            if run is None or list(run) != [
                    recorded['config'], recorded['options']
            ]:
                raise ValueError(
                    f'{src}: recorded with {recorded["config"]} '
                    f'{recorded["options"]}, but the amended recipe gives '
                    f'{run}; not the same run, so not reused')
            os.makedirs(dst)
            for suffix in ('.log', '.test.log'):
                if osp.isfile(src + suffix):
                    shutil.copy(src + suffix, dst + suffix)
            # result.json last: it marks the copy as finished
            shutil.copy(osp.join(src, 'result.json'), dst)
            copied.append(f'{key}/seed_{seed}')
    return copied


def run_amendment(work_dir: str,
                  regimes: Sequence[str],
                  seeds: Sequence[int],
                  code_root: str = REPO_ROOT) -> None:
    """Amendment 2, resumable: per regime, every tuned method's
    :func:`amend_tuning`, then the final runs of the amended recipes
    (:func:`reuse_unchanged_finals` first, so only changed recipes train),
    then the tables (:func:`write_reports`)."""
    plan = _read_json(osp.join(work_dir, 'plan.json'))
    if plan is None:
        raise FileNotFoundError(
            f'{work_dir} has no plan.json: the amendment follows a campaign')
    amended = osp.join(work_dir, AMENDED)
    # the amendment's plan: the same lengths and seeds, so that `progress
    # --work-dir <work_dir>/amended` counts its final runs
    os.makedirs(amended, exist_ok=True)
    _write_json(
        osp.join(amended, 'plan.json'),
        dict(epochs=plan['epochs'], seeds=list(seeds), amendment=2))
    for regime in regimes:
        epochs = plan['epochs'][regime]
        for key, _, stem in METHODS:
            record = amend_tuning(work_dir, regime, key, stem, epochs,
                                  code_root)
            print(
                f'[amended {regime} {key}] choice: trial '
                f'{record["choice"]["trial"]} (was '
                f'{record["amends"]["trial"]})',
                flush=True)
        copied = reuse_unchanged_finals(work_dir, regime, epochs, seeds,
                                        code_root)
        print(
            f'[amended {regime}] reused {len(copied)} final runs', flush=True)
        run_finals(amended, regime, epochs, seeds, None, code_root)
    write_reports(work_dir)


def paired_difference(row: Dict[int, dict],
                      other: Dict[int, dict]) -> Optional[tuple]:
    """Mean test-mAP difference ``row - other`` over the seeds both have,
    and the half-width of its 95 % interval (Student's t); None with fewer
    than two shared seeds.

    Args:
        row, other: ``{seed: result.json}``.
    """
    paired = sorted(set(row) & set(other))
    return paired_interval(
        [row[s]['test']['mAP'] - other[s]['test']['mAP'] for s in paired])


def summarise(runs: Dict[str, Dict[int, dict]], baseline: str) -> dict:
    """Per row: test metrics' mean ± sample std over seeds, and the paired
    difference to ``baseline`` (mean, and its 95 % interval from Student's
    t over the seeds both rows have), the longest run.

    Args:
        runs: ``{row: {seed: result.json}}``.
    """
    base = runs.get(baseline, {})
    summary = {}
    for row, by_seed in runs.items():
        seeds = sorted(by_seed)
        entry = dict(seeds=seeds)
        for metric in ('mAP', 'CF1', 'OF1'):
            entry[metric] = mean_std(
                [by_seed[s]['test'][metric] for s in seeds])
        paired = sorted(set(seeds) & set(base)) if row != baseline else []
        entry['paired_seeds'] = paired
        entry['delta_mAP'] = paired_difference(
            by_seed, base) if row != baseline else None
        entry['longest_run_s'] = max(by_seed[s]['wall_s'] for s in seeds)
        summary[row] = entry
    return summary


def load_final_runs(work_dir: str, regime: str) -> Dict[str, Dict[int, dict]]:
    """``{row: {seed: result.json}}`` of a regime's finished final runs."""
    runs: Dict[str, Dict[int, dict]] = {}
    for key, *_ in final_rows(regime):
        folder = osp.join(work_dir, 'final', regime, key)
        for name in sorted(os.listdir(folder)) if osp.isdir(folder) else []:
            res = _read_json(osp.join(folder, name, 'result.json'))
            if res is not None:
                runs.setdefault(key, {})[int(name.split('_')[1])] = res
    return runs


def mlic_num_steps(work_dir: str, regime: str) -> Optional[int]:
    """The T that MLIC's tuning chose in ``regime`` (its T row is the MLIC
    row itself); None before MLIC is tuned (then no T row is MLIC's)."""
    record = _read_json(choice_file(work_dir, regime, 'mlic'))
    return None if record is None else \
        record['choice']['params'].get('num_steps')


def claim_comparisons(claim, work_dir: str, regime: str) -> List[tuple]:
    """The (row, other) pairs of a claim of :data:`CLAIMS`; for T, MLIC
    against the rows of the two values it was not tuned to (all three
    before MLIC is tuned)."""
    if claim != 'T':
        return list(claim)
    chosen = mlic_num_steps(work_dir, regime)
    return [('mlic', f'mlic_t{t}') for t in T_VALUES if t != chosen]


def verdict(differences: List[Optional[tuple]]) -> str:
    """A claim's verdict from its comparisons' paired differences (mean,
    95 % half-width): ``holds`` when every interval lies above 0, ``does
    not hold`` when any lies below 0 (the other row is better), ``not
    established`` otherwise, ``not measured`` when a comparison has fewer
    than two paired seeds."""
    if not differences or any(d is None for d in differences):
        return 'not measured'
    if all(mean - half > 0 for mean, half in differences):
        return 'holds'
    if any(mean + half < 0 for mean, half in differences):
        return 'does not hold'
    return 'not established'


def claim_verdicts(
        work_dir: str,
        regime: str,
        runs: Optional[Dict[str, Dict[int, dict]]] = None) -> List[tuple]:
    """Each claim of :data:`CLAIMS` in a regime: ``(claim, cells,
    verdict)``, ``cells`` the comparisons' paired test-mAP differences as
    text; ``cells`` is None and the verdict ``not part of this regime`` for
    a claim whose rows the regime does not train. ``runs``: the regime's
    :func:`load_final_runs`, when the caller has read them already."""
    if runs is None:
        runs = load_final_runs(work_dir, regime)
    titles = {key: title for key, title, *_ in final_rows(regime)}
    found = []
    for claim, spec in CLAIMS:
        pairs = claim_comparisons(spec, work_dir, regime)
        if any(r not in titles for pair in pairs for r in pair):
            found.append((claim, None, 'not part of this regime'))
            continue
        differences, cells = [], []
        for row, other in pairs:
            mine, theirs = runs.get(row, {}), runs.get(other, {})
            diff = paired_difference(mine, theirs)
            differences.append(diff)
            shared = sorted(set(mine) & set(theirs))
            if diff is not None:
                text = (f'{diff[0]:+.2f} [{diff[0] - diff[1]:+.2f}, '
                        f'{diff[0] + diff[1]:+.2f}]')
            elif shared:
                # one shared seed: its difference, but no spread to judge it
                seed = shared[0]
                gap = mine[seed]['test']['mAP'] - theirs[seed]['test']['mAP']
                text = f'{gap:+.2f} (seed {seed} only, no interval)'
            else:
                text = 'not run'
            cells.append(f'vs {titles[other]}: {text}')
        found.append((claim, cells, verdict(differences)))
    return found


def verdict_table(work_dir: str,
                  regime: str,
                  runs: Optional[Dict[str, Dict[int, dict]]] = None) -> str:
    """The Markdown table of the paper's claims in a regime: each
    comparison's paired test-mAP difference with its 95 % interval, and the
    claim's :func:`verdict` (:func:`claim_verdicts`; ``runs`` as there)."""
    lines = [
        '| claim | paired Δ test mAP [95 % interval] | verdict |',
        '| --- | --- | --- |'
    ]
    for claim, cells, found in claim_verdicts(work_dir, regime, runs):
        lines.append(f'| {claim} | {"; ".join(cells or ["—"])} | {found} |')
    return '\n'.join(lines) + '\n'


def summary_table(work_dir: str) -> str:
    """One screen of the whole protocol: each tuned method's test mAP
    (mean ± std over its seeds) and each claim's verdict, per regime, as
    designed and with amendment 2 (its columns once its folder has runs).
    Everything is read from the committed final runs, as in the regimes'
    own tables (:func:`final_table`, :func:`verdict_table`)."""
    columns = []
    for regime in REGIMES:
        for folder, _ in REPORT_SECTIONS:
            runs_dir = osp.join(work_dir, folder) if folder else work_dir
            runs = load_final_runs(runs_dir, regime)
            if runs:
                label = 'as designed' if not folder else 'amendment 2'
                columns.append((f'{regime}, {label}', runs_dir, regime, runs))
    if not columns:
        return 'No final run has finished yet.\n'
    head = '| | ' + ' | '.join(c[0] for c in columns) + ' |\n' + \
        '| --- |' + ' --- |' * len(columns) + '\n'
    lines = []
    for key, title, _ in METHODS:
        cells = []
        for _, _, _, runs in columns:
            scores = [r['test']['mAP'] for r in runs.get(key, {}).values()]
            if not scores:
                cells.append('—')
                continue
            mean, std = mean_std(scores)
            seeds = '' if len(scores) == 3 else \
                f' ({len(scores)} seed{"s" if len(scores) > 1 else ""})'
            cells.append(f'{mean:.2f}' +
                         ('' if np.isnan(std) else f' ± {std:.2f}') + seeds)
        lines.append(f'| {title}, test mAP | ' + ' | '.join(cells) + ' |')
    verdicts = [{
        claim: found
        for claim, _, found in claim_verdicts(runs_dir, regime, runs)
    } for _, runs_dir, regime, runs in columns]
    for claim, _ in CLAIMS:
        lines.append(f'| {claim} | ' + ' | '.join(v[claim]
                                                  for v in verdicts) + ' |')
    return head + '\n'.join(lines) + '\n'


def final_table(work_dir: str,
                regime: str,
                runs: Optional[Dict[str, Dict[int, dict]]] = None) -> str:
    """The Markdown table of a regime's final runs found in ``work_dir``
    (``runs``: their :func:`load_final_runs`, when the caller has read
    them already)."""
    rows = final_rows(regime)
    if runs is None:
        runs = load_final_runs(work_dir, regime)
    summary = summarise(runs, 'baseline')
    lines = [
        '| method | seeds | test mAP | CF1 | OF1 | Δ mAP to the baseline '
        '(95 % interval) | parameters | longest run | training-loss rise '
        '(worst seed) | CPU kernels: seeds |',
        '| --- | ---: | --- | --- | --- | --- | ---: | ---: | ---: | --- |'
    ]
    for key, title, stem, *_ in rows:
        if key not in summary:
            continue
        e = summary[key]
        cells = []
        for metric in ('mAP', 'CF1', 'OF1'):
            mean, std = e[metric]
            cells.append(
                f'{mean:.2f}' if np.isnan(std) else f'{mean:.2f} ± {std:.2f}')
        delta = e['delta_mAP']
        delta_text = '—' if delta is None else \
            f'{delta[0]:+.2f} [{delta[0] - delta[1]:+.2f}, ' \
            f'{delta[0] + delta[1]:+.2f}]'
        params = runs[key][e['seeds'][0]].get('params')
        params_text = '—' if params is None else f'{params / 1e6:.2f} M'
        logs = final_run_logs(work_dir, regime, key, e['seeds'])
        rise = worst_loss_rise(logs)
        rise_text = '—' if rise is None else f'{100 * rise:.0f} %'
        lines.append(f'| {title} | {len(e["seeds"])} | ' + ' | '.join(cells) +
                     f' | {delta_text} | {params_text} '
                     f'| {e["longest_run_s"] / 60:.1f} min | {rise_text} '
                     f'| {cpu_kernels_cell(logs)} |')
    return '\n'.join(lines) + '\n'


def recipes_table(work_dir: str, regime: str) -> str:
    """The Markdown table of each tuned method's chosen recipe in a regime
    (``tune/<regime>/<method>/choice.json``); methods not tuned yet are
    left out."""
    lines = [
        '| method | trial | peak lr | backbone lr mult. | weight decay | '
        'ASL γ₋ | λ | T | validation mAP (tuning) |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
    ]
    for key, title, _ in METHODS:
        record = _read_json(choice_file(work_dir, regime, key))
        if record is None:
            continue
        choice = record['choice']
        p = choice['params']
        mlic = [
            f'{p[k]:g}' if k in p else '—'
            for k in ('loss_weight', 'num_steps')
        ]
        lines.append(f'| {title} | {choice["trial"]} | {p["lr"]:.2e} | '
                     f'{p["backbone_lr_mult"]:g} | {p["weight_decay"]:.1e} | '
                     f'{p["gamma_neg"]:g} | {mlic[0]} | {mlic[1]} | '
                     f'{choice["val_mAP"]:.2f} |')
    return '\n'.join(lines) + '\n'


def write_reports(work_dir: str,
                  update_doc: Optional[str] = None) -> Dict[str, str]:
    """Write each regime's :func:`regime_report` to
    ``<work_dir>/final_<regime>.md`` and, with ``update_doc``, between that
    regime's markers (:data:`DOC_MARKER`) of that Markdown file, and each
    :func:`graph_table` the file asks for (:func:`graph_doc_marker`) and
    each :func:`stability_table` (:func:`stability_doc_marker`); the same
    for the amendment's runs (``<work_dir>/amended``, markers prefixed
    ``amended_``) once there are any; and the :func:`summary_table` where
    the file has :data:`SUMMARY_MARKER`.

    Returns:
        dict: regime (``amended_<regime>`` for the amendment's) -> the
        report.
    """
    reports = {}
    for folder, prefix in REPORT_SECTIONS:
        runs = osp.join(work_dir, folder) if folder else work_dir
        if not osp.isdir(runs):
            continue
        for regime in REGIMES:
            text = regime_report(runs, regime)
            if folder == AMENDED:  # its tuning first, beside the committed
                text = amendment_tuning_table(work_dir, regime) + '\n' + text
            reports[prefix + regime] = text
            with open(osp.join(runs, f'final_{regime}.md'), 'w') as f:
                f.write(text)
            if update_doc:
                replace_marked_section(
                    update_doc,
                    DOC_MARKER.format(prefix=prefix,
                                      regime=regime), DOC_MARKER_END, text)
        if update_doc:
            _write_marked_tables(runs, prefix, update_doc)
    if update_doc:
        with open(update_doc, encoding='utf-8') as f:
            wanted = SUMMARY_MARKER in f.read()
        if wanted:
            replace_marked_section(update_doc, SUMMARY_MARKER, DOC_MARKER_END,
                                   summary_table(work_dir))
    return reports


def _write_marked_tables(runs: str, prefix: str, update_doc: str) -> None:
    """The tables a doc asks for by marker: graph tables by regime and
    seed, stability tables by regime."""
    builders = [
        (graph_doc_marker(prefix),
         lambda regime, seed: graph_table(runs, regime, int(seed))),
        (stability_doc_marker(prefix),
         lambda regime: stability_table(runs, regime)),
    ]
    with open(update_doc, encoding='utf-8') as f:
        text = f.read()
    for pattern, build in builders:
        wanted = {m.group(0): m.groups() for m in pattern.finditer(text)}
        for marker, groups in sorted(wanted.items()):
            if groups[0] not in REGIMES:
                raise ValueError(
                    f'{update_doc}: the marker {marker} names regime '
                    f'{groups[0]!r}; regimes are {sorted(REGIMES)}')
            replace_marked_section(update_doc, marker, DOC_MARKER_END,
                                   build(*groups))


def amendment_tuning_table(work_dir: str, regime: str) -> str:
    """Amendment 2's tuning beside the committed one, per method and
    promoted trial: validation mAP of the committed rung 1 (half length)
    and of the amended one (final length, read from each finished run, so
    the table grows while the amendment runs), the amended run's
    training-loss rise, and which trial each chose.

    Args:
        work_dir (str): The campaign's folder (the amendment's is its
            ``amended/``).

    Returns:
        str: A Markdown table; methods the campaign has not tuned are left
        out.
    """
    lines = [
        '| method | trial | peak lr | validation mAP, committed rung 1 | '
        'validation mAP, amended rung 1 | training-loss rise, amended run | '
        'chosen: committed → amended |',
        '| --- | ---: | ---: | ---: | ---: | ---: | --- |'
    ]
    for key, title, _ in METHODS:
        committed = _read_json(choice_file(work_dir, regime, key))
        if committed is None:
            continue
        rung1 = committed['rungs'][1]
        base = osp.join(work_dir, AMENDED, 'tune', regime, key)
        amended = _read_json(
            choice_file(osp.join(work_dir, AMENDED), regime, key))
        chosen = (
            f'{committed["choice"]["trial"]} → ' +
            ('—' if amended is None else str(amended['choice']['trial'])))
        for entry in rung1['trials']:
            run_dir = osp.join(base, 'rung1', f'trial_{entry["trial"]}')
            result = _read_json(osp.join(run_dir, 'result.json'))
            score = rise = '—'
            if result is not None:
                score = f'{result["val"]["mAP"]:.2f}'
                if osp.isfile(run_dir + '.log'):
                    with open(run_dir + '.log', encoding='utf-8') as f:
                        means = epoch_means(f.read())
                    rise = f'{100 * loss_rise(means):.0f} %'
            lines.append(
                f'| {title} | {entry["trial"]} | {entry["params"]["lr"]:.2e} '
                f'| {entry["val_mAP"]:.2f} ({rung1["epochs"]} epochs) | '
                f'{score} | {rise} | {chosen} |')
    return '\n'.join(lines) + '\n'


def regime_report(work_dir: str, regime: str) -> str:
    """``final_<regime>.md``: the final table, the verdicts, then the
    recipes they were trained with (the final runs read once for both
    tables)."""
    runs = load_final_runs(work_dir, regime)
    return (final_table(work_dir, regime, runs) + '\n' +
            verdict_table(work_dir, regime, runs) + '\n' +
            recipes_table(work_dir, regime))


def reproduce(work_dir: str,
              out_dir: str,
              regime: str,
              key: str,
              seed: int = 0) -> dict:
    """Train one final run of ``work_dir`` again, into ``out_dir``, with its
    recorded config and options (the same recipe, length and seed, this
    checkout's code), test it once, and compare its test mAP with the
    recorded one against the row's spread over its seeds.

    The check: the difference is within two sample standard deviations of
    the row's test mAP over the recorded seeds (about the 95 % range of a
    run at another seed, so a re-run of the same seed on the same platform
    should land well inside it).

    Returns:
        dict: ``recorded`` and ``reproduced`` test mAP, ``std`` over the
        recorded seeds, ``seeds``, ``difference``, ``within``.

    Raises:
        FileNotFoundError: the row has no recorded result at that seed.
        ValueError: fewer than two recorded seeds (no spread to compare to).
    """
    by_seed = load_final_runs(work_dir, regime).get(key, {})
    recorded = by_seed.get(seed)
    if recorded is None:
        raise FileNotFoundError(
            f'no recorded final run {regime}/{key} at seed {seed} in '
            f'{osp.join(work_dir, "final", regime, key)} (rows: '
            f'{", ".join(r[0] for r in final_rows(regime))})')
    if len(by_seed) < 2:
        raise ValueError(f'{regime}/{key} has {len(by_seed)} recorded '
                         'seed(s); the spread needs at least two')
    std = float(np.std([r['test']['mAP'] for r in by_seed.values()], ddof=1))
    run_dir = final_run_dir(out_dir, regime, key, seed)
    res = train_run(
        run_dir, recorded['config'], recorded['options'], test=True)
    difference = res['test']['mAP'] - recorded['test']['mAP']
    return dict(
        recorded=recorded['test']['mAP'],
        reproduced=res['test']['mAP'],
        std=std,
        seeds=sorted(by_seed),
        difference=difference,
        within=bool(abs(difference) <= 2 * std))


def choose_epochs(rows: List[dict], ladder: Sequence[int]) -> tuple:
    """The regime's run length from its pilot rows: the smallest count of
    ``ladder`` at which every method passed, or the largest count that was
    run when none passed.

    Returns:
        tuple: (epochs, whether the criterion was met).
    """
    by_epochs: Dict[int, List[bool]] = {}
    for row in rows:
        by_epochs.setdefault(row['epochs'], []).append(row['ok'])
    for epochs in ladder:
        if epochs in by_epochs and all(by_epochs[epochs]):
            return epochs, True
    if not by_epochs:
        raise ValueError('no pilot rows')
    return max(by_epochs), False


def rung_epochs(epochs: int) -> List[int]:
    """The two rungs' lengths when the full rung is ``epochs`` long."""
    return [max(2, round(epochs * RUNG0_SHARE)), epochs]


def plan_hours(pilots: Dict[str, List[dict]],
               epochs: Dict[str, int],
               tune_epochs: Dict[str, int],
               seeds: int = 3) -> dict:
    """The campaign's CPU hours: the pilot as run, tuning and final runs
    estimated from each method's seconds per epoch in its pilot runs (its
    median logged step time x steps per epoch, the smallest over its pilot
    runs: wall times include pauses, and other work on the machine only
    ever slows a step; the rows trained with MLIC's or the baseline's
    recipe at those methods' rates).

    Returns:
        dict: ``pilot``, ``tuning``, ``final`` and ``total`` hours.
    """
    hours = dict(pilot=0.0, tuning=0.0, final=0.0)
    for regime, rows in pilots.items():
        hours['pilot'] += sum(r['wall_s'] for r in rows) / 3600
        rate = {}
        for key, *_ in METHODS:
            mine = [
                r['median_iter_s'] * STEPS_PER_EPOCH for r in rows
                if r['method'] == key
            ]
            # the least disturbed run: other work only ever slows a step
            rate[key] = float(min(mine)) if mine else 0.0
        short, full = rung_epochs(tune_epochs[regime])
        per_method = NUM_TRIALS * short + PROMOTED * full
        hours['tuning'] += sum(rate.values()) * per_method / 3600
        rows = final_rows(regime)
        # one of the T rows is MLIC itself (its tuned T) and is not run
        runs = len(rows) - (1 if any(r[0] == 'mlic_t1' for r in rows) else 0)
        mean_rate = sum(rate[r[3]] for r in rows) / len(rows)
        hours['final'] += mean_rate * runs * epochs[regime] * seeds / 3600
    hours['total'] = sum(hours.values())
    return hours


def run_campaign(work_dir: str, ladder: Sequence[int],
                 seeds: Sequence[int]) -> None:
    """The whole protocol, resumable: both pilots, the run lengths and the
    budget check (written to ``plan.json``), tuning, final runs, tables."""
    pilots = {}
    for regime in ('pretrained', 'scratch'):
        pilots[regime] = run_pilot(work_dir, regime, ladder, METHODS)
        with open(osp.join(work_dir, f'pilot_{regime}.md'), 'w') as f:
            f.write(pilot_table(pilots[regime]))
    epochs, met = {}, {}
    for regime, rows in pilots.items():
        epochs[regime], met[regime] = choose_epochs(rows, ladder)
    tune_epochs = dict(epochs)
    hours = plan_hours(pilots, epochs, tune_epochs, len(seeds))
    halved = hours['total'] > BUDGET_HOURS
    if halved:
        tune_epochs = {r: max(4, e // 2) for r, e in epochs.items()}
        hours = plan_hours(pilots, epochs, tune_epochs, len(seeds))
    plan = dict(
        epochs=epochs,
        criterion_met=met,
        tuning_epochs=tune_epochs,
        tuning_halved=halved,
        estimated_hours=hours,
        seeds=list(seeds))
    _write_json(osp.join(work_dir, 'plan.json'), plan)
    print(f'plan: {json.dumps(plan)}', flush=True)
    for regime in ('pretrained', 'scratch'):
        for key, _, stem in METHODS:
            tune_method(work_dir, regime, key, stem, tune_epochs[regime])
    for regime in ('pretrained', 'scratch'):
        run_finals(work_dir, regime, epochs[regime], seeds, None)
    write_reports(work_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    pilot = sub.add_parser('pilot', help='the epochs pilot')
    pilot.add_argument('--regime', choices=sorted(REGIMES), required=True)
    pilot.add_argument(
        '--epochs', nargs='+', type=int, default=list(PILOT_LADDER))
    pilot.add_argument('--only', nargs='+', help='method keys')
    sub.add_parser('trials', help='print the search space\'s trial points')
    tune = sub.add_parser('tune', help='successive halving per method')
    final = sub.add_parser('final', help='the chosen recipes over seeds')
    for p in (tune, final):
        p.add_argument('--regime', choices=sorted(REGIMES), required=True)
        p.add_argument(
            '--epochs',
            type=int,
            required=True,
            help='the full run length the pilot chose for the regime')
        p.add_argument('--only', nargs='+', help='row keys')
    final.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    table = sub.add_parser('table', help='the tables of the finished runs')
    again = sub.add_parser(
        'reproduce',
        help='train one recorded final run again and compare its test mAP')
    again.add_argument('--regime', choices=sorted(REGIMES), required=True)
    again.add_argument('--row', required=True, help='row key, e.g. mlic')
    again.add_argument('--seed', type=int, default=0)
    again.add_argument(
        '--out-dir',
        default='work_dirs/multiglyphs_protocol_reproduce',
        help='where the new run goes (the recorded runs are not touched)')
    curves = sub.add_parser(
        'curves',
        help='per-epoch mean training loss of final runs, side by side')
    curves.add_argument('--regime', choices=sorted(REGIMES), required=True)
    curves.add_argument('--seed', type=int, default=0)
    curves.add_argument(
        '--rows', nargs='+', help='row keys (default: every row with a log)')
    curves.add_argument(
        '--key',
        default='loss',
        help='the logged training value, e.g. graph/present_present')
    graph = sub.add_parser(
        'graph', help='the last epoch\'s graph diagnostics of each final run')
    graph.add_argument('--regime', choices=sorted(REGIMES), required=True)
    graph.add_argument('--seed', type=int, default=0)
    stability = sub.add_parser(
        'stability',
        help='each final run\'s training-loss rise beside its test mAP')
    stability.add_argument('--regime', choices=sorted(REGIMES), required=True)
    progress_cmd = sub.add_parser(
        'progress', help='what the final runs have done and what is left')
    progress_cmd.add_argument(
        '--update-doc',
        metavar='FILE',
        help=f'also write it, with the time, between the lines '
        f'"{PROGRESS_MARKER}" and "{DOC_MARKER_END}" of FILE')
    campaign = sub.add_parser(
        'campaign', help='pilot, tuning and final runs of both regimes')
    campaign.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    amend = sub.add_parser(
        'amend',
        help='amendment 2: the promoted trials at the final length, then '
        'the final runs of the recipes that changed')
    amend.add_argument(
        '--regime',
        nargs='+',
        choices=sorted(REGIMES),
        default=['pretrained', 'scratch'])
    amend.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    amend.add_argument(
        '--code-root',
        default=REPO_ROOT,
        help='the checkout whose training code, configs and mlic train the '
        'runs (the campaign\'s fixed checkout; default: this one)')
    for p in (final, table):
        p.add_argument(
            '--update-doc',
            metavar='FILE',
            help='also write each regime\'s tables between the lines '
            f'"{DOC_MARKER.format(prefix="", regime="REGIME")}" and '
            f'"{DOC_MARKER_END}" of FILE (docs/benchmarks.md; the '
            'amendment\'s between "amended_final_REGIME" markers)')
    for p in (pilot, tune, final, table, campaign, amend, again, curves, graph,
              stability, progress_cmd):
        p.add_argument(
            '--work-dir',
            default='benchmarks/multiglyphs_protocol',
            help='where the runs and tables go')
    args = parser.parse_args()
    if args.command == 'campaign':
        run_campaign(args.work_dir, PILOT_LADDER, args.seeds)
        return
    if args.command == 'amend':
        run_amendment(args.work_dir, args.regime, args.seeds,
                      osp.abspath(args.code_root))
        return
    if args.command == 'reproduce':
        out = reproduce(args.work_dir, args.out_dir, args.regime, args.row,
                        args.seed)
        print(f'| run | test mAP |\n| --- | ---: |\n'
              f'| recorded ({args.regime}, {args.row}, seed {args.seed}) | '
              f'{out["recorded"]:.2f} |\n| reproduced here | '
              f'{out["reproduced"]:.2f} |\n\ndifference '
              f'{out["difference"]:+.2f}; the row\'s spread over seeds '
              f'{", ".join(map(str, out["seeds"]))}: std {out["std"]:.2f}; ' +
              ('within two std'
               if out['within'] else 'OUTSIDE two std: not reproduced'))
        sys.exit(0 if out['within'] else 1)
    if args.command == 'curves':
        print(
            curves_table(args.work_dir, args.regime, args.seed, args.rows,
                         args.key),
            end='')
        return
    if args.command == 'progress':
        text = progress(args.work_dir)
        print(text, end='')
        if args.update_doc:
            write_progress(args.update_doc, text)
            print(f'progress replaced in {args.update_doc}')
        return
    if args.command == 'graph':
        print(graph_table(args.work_dir, args.regime, args.seed), end='')
        return
    if args.command == 'stability':
        print(stability_table(args.work_dir, args.regime), end='')
        return
    if args.command == 'trials':
        for i, trial in enumerate(sample_trials()):
            print(i, json.dumps(trial))
        return
    methods = [m for m in METHODS if not args.only or m[0] in args.only] \
        if args.command in ('pilot', 'tune') else METHODS
    if args.command == 'pilot':
        rows = run_pilot(args.work_dir, args.regime, args.epochs, methods)
        table = pilot_table(rows)
        out = osp.join(args.work_dir, f'pilot_{args.regime}.md')
        with open(out, 'w') as f:
            f.write(table)
        print(table)
        print(f'written to {out}')
    elif args.command == 'tune':
        # rung 0 of every method before any rung 1 would need the rungs
        # split; a method is tuned whole, in METHODS order.
        for key, _, stem in methods:
            record = tune_method(args.work_dir, args.regime, key, stem,
                                 args.epochs)
            print(f'[tune {args.regime} {key}] choice: trial '
                  f'{record["choice"]["trial"]} '
                  f'{json.dumps(record["choice"]["params"])}')
    elif args.command == 'final':
        run_finals(args.work_dir, args.regime, args.epochs, args.seeds,
                   args.only)
    if args.command in ('final', 'table'):
        if not osp.isdir(args.work_dir):
            raise SystemExit(f'no runs: {args.work_dir} does not exist '
                             '(--work-dir is the folder of the campaign)')
        for regime, text in write_reports(args.work_dir,
                                          args.update_doc).items():
            print(f'{regime}:\n{text}')
        if args.update_doc:
            print(f'tables replaced in {args.update_doc}')


if __name__ == '__main__':
    main()
