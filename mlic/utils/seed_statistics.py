"""Statistics over training seeds, shared by the benchmark tools.

``compare_methods.py`` and ``multiglyphs_protocol.py`` both report a
row's mean ± std over seeds and a paired difference between two rows with
its 95 % interval; this module is the one place that computes them, so the
tables of the two tools cannot drift apart. numpy and scipy (Student's t
quantile, ``scipy.stats.t.ppf``) do the arithmetic; neither offers the
paired interval as one call.
"""
from typing import Optional, Sequence, Tuple

import numpy as np


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``); the std is NaN
    for a single value, which the tables print as a bare mean.

    Args:
        values: one figure per seed, at least one.
    """
    values = np.asarray(values, np.float64)
    if values.size == 0:
        raise ValueError('mean_std needs at least one value, got none')
    std = float(values.std(ddof=1)) if values.size > 1 else float('nan')
    return float(values.mean()), std


def paired_interval(differences: Sequence[float],
                    confidence: float = 0.95) -> Optional[Tuple[float, float]]:
    """Mean of per-seed paired differences and the half-width of its
    two-sided ``confidence`` interval from Student's t with ``n - 1``
    degrees of freedom; None with fewer than two differences (no spread
    to estimate).

    Args:
        differences: ``row[seed] - other[seed]`` for each seed both rows
            have.
        confidence: the interval's coverage. Defaults to 0.95.

    Returns:
        tuple | None: ``(mean, half_width)``; the interval is
        ``[mean - half_width, mean + half_width]``.
    """
    # scipy.stats takes about half a second to import; only tables need it
    from scipy import stats
    diffs = np.asarray(differences, np.float64)
    if diffs.size < 2:
        return None
    quantile = stats.t.ppf(0.5 + confidence / 2, diffs.size - 1)
    half = float(quantile * diffs.std(ddof=1) / np.sqrt(diffs.size))
    return float(diffs.mean()), half
