"""Time the batched contrastive co-occurrence loss against a per-image loop.

    python .dev_scripts/benchmark_contrastive_loss.py [--batch 64]
        [--classes 80] [--dims 2048] [--repeats 10] [--threads N]

Both compute the same value (checked before timing); the loop is the
reference's approach (one image at a time, boolean indexing, one
cross-entropy per image). Forward + backward on the CPU; prints the median
time of each and the ratio.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from mlic.models import cooccurrence_contrastive_loss


def per_image_loop(anchor, positive, negative, targets, tau=1.0):
    total = anchor.new_zeros(())
    for b in range(anchor.size(0)):
        present = targets[b] > 0
        a = anchor[b][present]
        k = a.size(0)
        if k == 0:
            continue
        s_pos = (a * positive[b][present]).sum(-1, keepdim=True) / tau
        s_neg = (a * negative[b][present]).sum(-1, keepdim=True) / tau
        pair = a @ a.t() / tau
        pair = pair[~torch.eye(k, dtype=torch.bool)].view(k, k - 1)
        logits = torch.cat([s_pos, s_neg, pair], dim=1)
        total = total + F.cross_entropy(logits, torch.zeros(
            k, dtype=torch.long))
    return total / anchor.size(0)


def time_it(fn, anchor, others, repeats):
    times = []
    for _ in range(repeats + 1):
        anchor.grad = None
        start = time.perf_counter()
        fn(anchor, *others).backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])  # first run warms up


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--classes', type=int, default=80)
    parser.add_argument('--dims', type=int, default=2048)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    B, C, D = args.batch, args.classes, args.dims
    anchor = torch.randn(B, C, D).mul_(0.05).requires_grad_()
    positive = torch.randn(B, C, D).mul_(0.05)
    negative = torch.randn(B, C, D).mul_(0.05)
    # About 3 labels per image as on MS-COCO, with one empty image.
    targets = (torch.rand(B, C) < 3.0 / C).float()
    targets[0] = 0
    others = (positive, negative, targets)

    batched = cooccurrence_contrastive_loss(anchor, *others)
    looped = per_image_loop(anchor, *others)
    torch.testing.assert_close(batched, looped, rtol=1e-5, atol=1e-6)

    t_loop = time_it(per_image_loop, anchor, others, args.repeats)
    t_batched = time_it(cooccurrence_contrastive_loss, anchor, others,
                        args.repeats)
    print(f'B={B} C={C} D={D}, threads={torch.get_num_threads()}, '
          f'forward+backward, median of {args.repeats}')
    print(f'{"per-image loop":>16}: {t_loop * 1e3:8.2f} ms')
    print(f'{"batched (mlic)":>16}: {t_batched * 1e3:8.2f} ms')
    print(f'{"speed-up":>16}: {t_loop / t_batched:8.1f}x')


if __name__ == '__main__':
    main()
