"""Time mlic's multi-label metrics against a per-label/per-image loop.

    python .dev_scripts/benchmark_metrics.py [--skip-loop]

For 100,000 x 81 (NUS-WIDE sized) and 10,000 x 500 (VG-500 sized) random
scores (about 3 positives per image), prints the wall time, first call and
best of three, of ``mlic.evaluation.multilabel_metrics`` (mAP,
threshold and top-3 metrics together) on one thread beside a plain loop in
the reference's style (one label at a time for AP and counts, one image at
a time for the top-k step), after checking that both give the same numbers.
"""
import argparse
import os
import time

# One core, so the figures do not depend on the core count; set before
# numpy loads its BLAS.
os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')

import numpy as np  # noqa: E402

from mlic.evaluation import multilabel_metrics  # noqa: E402

EPS = np.finfo(np.float64).eps


def loop_metrics(scores, targets, threshold=0.5, topk=3):
    """The reference's way: python loops over labels and images."""
    N, C = scores.shape
    aps = np.zeros(C)
    for c in range(C):
        order = np.argsort(scores[:, c], kind='stable')[::-1]
        t = targets[order, c]
        tp = np.cumsum(t)
        rec = tp / max(tp[-1], EPS)
        prec = tp / np.arange(1, N + 1)
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))
        for i in range(mpre.size - 1, 0, -1):
            mpre[i - 1] = max(mpre[i - 1], mpre[i])
        i = np.where(mrec[1:] != mrec[:-1])[0]
        aps[c] = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])

    def counts(sc):
        gt = np.array([np.sum(targets[:, c] == 1) for c in range(C)], float)
        pd = np.array([np.sum(sc[:, c] >= threshold) for c in range(C)], float)
        tp = np.array([
            np.sum(targets[:, c] * (sc[:, c] >= threshold)) for c in range(C)
        ], float)
        m = lambda x: np.maximum(x, EPS)  # noqa: E731
        cp, cr = np.mean(m(tp) / m(pd)), np.mean(m(tp) / m(gt))
        op, orr = m(tp.sum()) / m(pd.sum()), m(tp.sum()) / m(gt.sum())
        return cp, cr, op, orr

    top = scores.copy()
    for i in range(N):
        top[i, np.argsort(-scores[i], kind='stable')[topk:]] = 0
    return 100 * aps.mean(), counts(scores), counts(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--skip-loop',
        action='store_true',
        help='time only mlic, not the loop')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--ties',
        action='store_true',
        help='round the scores to 2 decimals (many ties)')
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    print(f'{"N x C":>13} | {"mlic 1st call (s)":>17} | {"mlic best (s)":>13} '
          f'| {"loop (s)":>9} | speed-up')
    for N, C in ((100_000, 81), (10_000, 500)):
        scores = rng.random((N, C), dtype=np.float32)
        if args.ties:
            scores = np.round(scores, 2)
        targets = (rng.random((N, C)) < 3.0 / C).astype(np.int64)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            multilabel_metrics(scores, targets)
            times.append(time.perf_counter() - start)
        # The first call pays for fresh memory pages, as a real one does.
        t_first, t_ours = times[0], min(times)
        row = f'{N:>7} x {C:<3} | {t_first:17.3f} | {t_ours:13.3f}'
        if args.skip_loop:
            print(f'{row} | {"-":>9} |')
            continue
        start = time.perf_counter()
        mAP, _, _ = loop_metrics(scores, targets)
        t_loop = time.perf_counter() - start
        # float32 scores tie (about 300 pairs per label at N = 100,000):
        # the loop breaks ties by position, mlic's default ranks a tie as
        # one block, so the check uses mlic's rule that matches the loop.
        same_rule = multilabel_metrics(scores, targets, ties='reference')
        assert abs(mAP - same_rule['mAP']) < 1e-9, (mAP, same_rule['mAP'])
        print(f'{row} | {t_loop:9.3f} | {t_loop / t_first:6.1f}x')


if __name__ == '__main__':
    main()
