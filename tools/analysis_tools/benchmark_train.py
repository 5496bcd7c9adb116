"""Time full training steps of a config's model, split into parts.

    python tools/analysis_tools/benchmark_train.py CONFIG [--batch-size B] \\
        [--shape H W] [--iters N] [--warmup W] [--amp] [--channels-last] \\
        [--compile] [--device cpu|cuda] [--with-data] [--fp32]

A step is what the runner does: data preprocessing, forward and losses,
backward, optimiser step and the EMA update of the config's ``EMAHook``,
with the config's optimiser wrapper (``--amp`` switches it to mixed
precision as ``tools/train.py --amp`` does: bfloat16 on the CPU, float16
with loss scaling on CUDA; ``--fp32`` switches a config that trains in
mixed precision, as the MLIC recipe does, to float32; the header says
which precision ran). Batches are synthetic (random pixels, about 3
positive labels an image) unless ``--with-data``, which also times the
config's real train DataLoader, so you see whether the pipeline or the
model limits the speed. After ``--warmup`` steps it prints images/s, ms per
step split into data (``--with-data``), forward (the data preprocessor,
the model and its losses), backward and optimiser + EMA, and peak
memory: CUDA's peak allocated bytes, or on the CPU the process's peak
resident set (which includes Python and the libraries).

Nothing here is asserted about speed; compare figures measured in one run
on an otherwise idle machine.
"""
import argparse
import json
import resource
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmpretrain.structures import DataSample

from mlic import register_all_modules
from mlic.apis.onnx_export import input_shape_of
from mlic.engine.runtime_switches import (MIXED_PRECISION_WRAPPERS,
                                          apply_model_switches,
                                          ema_from_config, use_float32,
                                          use_mixed_precision)
from mlic.registry import MODELS


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument(
        '--batch-size', type=int, help="default: the config's train batch")
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help="default: the config's test resize, else 224 x 224")
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument('--amp', action='store_true')
    precision.add_argument(
        '--fp32',
        action='store_true',
        help="float32 even where the config's optimiser wrapper is a mixed "
        'precision one')
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='as the config line channels_last = True')
    parser.add_argument('--compile', action='store_true')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--with-data', action='store_true')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--out-json',
        help='also write the figures to this JSON file (read by '
        'benchmark_switches.py and compare_methods.py --speed)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


def synthetic_batches(batch_size, shape, num_classes, seed):
    """An endless stream of batches as the DataLoader gives them."""
    gen = torch.Generator().manual_seed(seed)
    while True:
        inputs = [
            torch.randint(
                0, 256, (3, *shape), dtype=torch.uint8, generator=gen)
            for _ in range(batch_size)
        ]
        positives = torch.rand(batch_size, num_classes, generator=gen) < \
            3.0 / num_classes
        samples = [
            DataSample().set_gt_label(row.nonzero().flatten().tolist())
            for row in positives
        ]
        yield dict(inputs=inputs, data_samples=samples)


class Timer:
    """Wall time of code regions; waits for CUDA work before reading."""

    def __init__(self, device):
        self.sync = torch.cuda.synchronize if device.startswith('cuda') else (
            lambda: None)
        self.totals = {}

    def mark(self):
        self.sync()
        return time.perf_counter()

    def add(self, key, start):
        end = self.mark()
        self.totals[key] = self.totals.get(key, 0.0) + end - start
        return end


def peak_memory(device):
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated() / 2**20, 'CUDA peak allocated'
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, 'peak RSS of the process'


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    torch.manual_seed(args.seed)
    if args.amp:
        use_mixed_precision(cfg)
    if args.fp32:
        use_float32(cfg)
    if cfg.optim_wrapper.get('type') in MIXED_PRECISION_WRAPPERS:
        precision = 'bfloat16 autocast' if args.device == 'cpu' else \
            'mixed precision (AMP)'
    else:
        precision = 'float32'
    # No ImageNet download for a timing: the weights do not change it.
    cfg.model.get('backbone', {}).pop('init_cfg', None)
    model = MODELS.build(cfg.model).to(args.device)
    model.train()
    # as the tools' runner does for these config lines
    model = apply_model_switches(cfg, model, args.channels_last)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    ema = ema_from_config(cfg, model)
    forward = model
    if args.compile:
        try:
            forward = torch.compile(model)
        except Exception as err:  # a backend missing on this machine
            raise SystemExit(f'torch.compile is not available here: {err}')
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    shape = tuple(args.shape) if args.shape else (input_shape_of(cfg) or
                                                  (224, 224))
    # mmpretrain's CSRA head keeps no num_classes attribute
    num_classes = getattr(model.head, 'num_classes', None) or \
        cfg.model.head.num_classes
    if hasattr(model.head, 'set_label_statistics') and not bool(
            getattr(model.head, 'adjacency_ready', True)):
        # ML-GCN's graph comes from the training labels through a hook at
        # the start of training; any graph times the same, so take the
        # synthetic labels' expectation (3 positives an image).
        counts = torch.full((num_classes, ), 3.0 * 1000 / num_classes)
        model.head.set_label_statistics(
            torch.outer(counts, counts) / 1000 +
            torch.diag(counts * (1 - counts / 1000)), counts)
        model.head.to(args.device)
    if args.with_data:
        from mmengine.runner import Runner
        loader_cfg = dict(cfg.train_dataloader, batch_size=batch_size)
        batches = iter(Runner.build_dataloader(loader_cfg, seed=args.seed))
    else:
        batches = synthetic_batches(batch_size, shape, num_classes, args.seed)

    timer = Timer(args.device)
    total_steps = args.warmup + args.iters
    for step in range(total_steps):
        if step == args.warmup:
            timer.totals.clear()
            if args.device.startswith('cuda'):
                torch.cuda.reset_peak_memory_stats()
        start = timer.mark()
        try:
            batch = next(batches)
        except StopIteration:
            raise SystemExit(f'the train set ran out after {step} batches; '
                             'use fewer --iters')
        t = timer.add('data', start) if args.with_data else start
        data = model.data_preprocessor(batch, True)
        inputs = data['inputs']
        with optim_wrapper.optim_context(model):
            losses = forward(inputs, data['data_samples'], mode='loss')
        loss, _ = model.parse_losses(losses)
        t = timer.add('forward', t)
        optim_wrapper.backward(loss)
        t = timer.add('backward', t)
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        if ema is not None:
            ema.update_parameters(model)
        timer.add('optimiser + EMA', t)
        if not torch.isfinite(loss):
            raise SystemExit(f'non-finite loss at step {step}: {loss}')

    per_step = {k: 1000 * v / args.iters for k, v in timer.totals.items()}
    step_ms = sum(per_step.values())
    memory, what = peak_memory(args.device)
    switches = [
        name for name, on in (('amp', args.amp), (
            'channels-last',
            args.channels_last or cfg.get('channels_last', False)),
                              ('compile', args.compile), ('real data',
                                                          args.with_data))
        if on
    ]
    print(f'{args.config}: batch {batch_size}, {shape[0]} x {shape[1]}, '
          f'{args.device}, {precision}, {torch.get_num_threads()} threads, '
          f'{args.iters} steps after {args.warmup} warm-up; switches: '
          f'{", ".join(switches) or "none"}; EMA: '
          f'{"yes" if ema is not None else "no"}')
    print('| images/s | ms/step | ' + ' | '.join(per_step) +
          ' | peak memory (MiB) |')
    print('| ---: ' * (len(per_step) + 3) + '|')
    images_per_s = 1000 * batch_size / step_ms
    print(f'| {images_per_s:.2f} | {step_ms:.1f} | ' +
          ' | '.join(f'{v:.1f}' for v in per_step.values()) +
          f' | {memory:.0f} ({what}) |')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(
                dict(
                    images_per_s=images_per_s,
                    step_ms=step_ms,
                    parts=per_step,
                    peak_memory_mib=memory,
                    memory_kind=what), f)


if __name__ == '__main__':
    main()
