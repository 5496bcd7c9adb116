"""Reading mmengine training logs, shared by the benchmark tools.

``multiglyphs_protocol.py`` (loss curves, stability, graph tables) and
``compare_methods.py`` (the partial-label table's graph diagnostics) read
the same per-step records of ``tools/train.py``'s text log. mmengine's
``LogProcessor`` writes those lines and its ``MessageHub`` holds the values
while a run is live, but neither reads a finished log back, and the JSON
scalars file (``vis_data/scalars.json``) is not kept for the committed runs:
hence these few regular expressions over the text log.
"""
import math
import re
from typing import Dict, Tuple

import numpy as np

#: a training log record: epoch, iteration, iterations per epoch, the rest
#: of its line
TRAIN_RECORD = re.compile(r'Epoch\(train\)\s*\[(\d+)\]\[\s*(\d+)/(\d+)\](.*)')

#: the learning rate of a log record
LR = re.compile(r'(?<![\w/])lr: ([\d.eE+-]+)')


def train_records(text: str,
                  key: str) -> Dict[Tuple[int, int], Tuple[int, float, float]]:
    """``{(epoch, iteration): (iterations per epoch, lr, value)}`` of the
    training log records that log ``key``; ``lr`` is NaN where a record
    logs none.

    A resumed run logs again the steps after its checkpoint: each step
    counts once, the later record (resumes are exact, so they agree).

    Raises:
        ValueError: no record logs ``key``.
    """
    value_of = re.compile(r'(?<![\w/])' + re.escape(key) +
                          r': ([-\d.eE+]+|nan|inf)')
    records = {}
    for epoch, it, per_epoch, rest in TRAIN_RECORD.findall(text):
        found = value_of.search(rest)
        if found:
            lr = LR.search(rest)
            records[(int(epoch),
                     int(it))] = (int(per_epoch),
                                  float(lr.group(1)) if lr else math.nan,
                                  float(found.group(1)))
    if not records:
        raise ValueError(f'the log holds no training {key}')
    return records


def epoch_means(text: str,
                key: str = 'loss') -> Dict[int, Tuple[float, float]]:
    """``{epoch: (learning rate, mean of a logged value)}`` of a training
    log.

    The learning rate is the one logged at the epoch's first record; the
    value is the mean of the epoch's records that log ``key`` (``loss`` by
    default; any scalar of the log line, e.g. ``graph/present_present``),
    each step once (:func:`train_records`). The logged ``loss`` is the sum
    of the loss terms; in logs written before ``loss_cls`` was logged (the
    campaign's), MLIC's ``loss`` is its classification term alone
    (docs/visualization.md).

    Raises:
        ValueError: no record with a learning rate logs ``key``.
    """
    by_epoch: Dict[int, list] = {}
    for (epoch, _), (_, lr, value) in sorted(train_records(text, key).items()):
        if not math.isnan(lr):  # a record without a learning rate
            by_epoch.setdefault(epoch, []).append((lr, value))
    if not by_epoch:
        raise ValueError(f'the log holds no training {key}')
    return {
        epoch: (records[0][0], float(np.mean([v for _, v in records])))
        for epoch, records in by_epoch.items()
    }


def last_epoch_mean(text: str, key: str) -> float:
    """Mean of a logged training value over the last epoch's records that
    are not NaN; NaN when all are. The graph diagnostics log NaN for a
    logging window without the pair they average (with 10 % of the labels
    known, two known positives in one image are rare), so a plain mean
    (:func:`epoch_means`) would be NaN for the whole epoch.

    Raises:
        ValueError: no record logs ``key`` (:func:`train_records`).
    """
    records = train_records(text, key)
    last = max(epoch for epoch, _ in records)
    values = [
        value for (epoch, _), (_, _, value) in records.items()
        if epoch == last and not math.isnan(value)
    ]
    return float(np.mean(values)) if values else float('nan')


def loss_rise(means: Dict[int, Tuple[float, float]]) -> float:
    """The largest rise of an epoch's mean training loss over the lowest
    mean of the epochs before it, as a fraction (0 when it never rises).
    The protocol's stability tables and the partial-label table report it.

    A label-free sign of an unstable run: a run whose loss only falls gives
    0; MLIC's first final run, whose loss went from 115 (epoch 6) to 164
    (epoch 8), gives 0.42.

    Args:
        means: :func:`epoch_means` of a log.
    """
    rise, lowest = 0.0, math.inf
    for epoch in sorted(means):
        loss = means[epoch][1]
        if lowest < math.inf:
            rise = max(rise, loss / lowest - 1)
        lowest = min(lowest, loss)
    return rise


#: The graph diagnostics a run logs (GraphDiagnosticsHook), with the
#: headings the tables give them.
GRAPH_KEYS = [('graph/present_present', 'A present-present'),
              ('graph/present_absent', 'A present-absent'),
              ('graph/corr_with_data', 'corr. with P(j \\| i)'),
              ('graph/contrastive_minus_log2', 'contrastive - log 2')]
