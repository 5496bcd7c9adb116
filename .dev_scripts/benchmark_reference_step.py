"""Training step of mlic's MLIC vs the reference implementation's step,
side by side, on the same weights and batches.

    python .dev_scripts/benchmark_reference_step.py \\
        [--config configs/mlic/mlic_coco.py] [--batch-size 8] \\
        [--shape 224 224] [--rounds 3] [--iters 3] [--warmup 1] \\
        [--profile K] [--cfg-options k=v ...] [--out-json FILE]

The reference step is rebuilt from docs/method.md, the way the reference
code computes it (its repository is not a dependency;
``mlic.testing.ReferenceStyleMLIC``, shared with the tests): a torchvision
ResNet trunk, ``nn.Transformer`` fed sequence-first with the
label embedding repeated per image, the co-occurrence ``Linear`` on
[F, g] with g repeated per label, the gated GNN as six ``Linear`` layers
called three times (anchor, then the positive and the negative view, each
its own pass), the element-wise classifier on [F, H], the contrastive loss
as a Python loop over images with boolean indexing and one cross-entropy
per image, the asymmetric loss with a detached focal weight, PyTorch's
``AdamW`` with its defaults (the single-tensor loop on the CPU) and an EMA
over ``state_dict()`` that writes ``d * e + (1 - d) * m`` into every
tensor. Its step: forward with losses, ``zero_grad``, backward, optimiser
step, EMA update.

mlic's step is what the runner does for the config: ``train_step`` (data
preprocessor, forward and losses, backward, optimiser step, ``zero_grad``
through the config's optimiser wrapper) and the config's EMA. Both models
get mlic's initial weights (renamed with the reference converter's table),
and before timing their losses are checked equal on one batch with
dropout off, so the two time the same function. The learning-rate and
momentum schedulers are left out of both (microseconds).

Each side runs in its own process, as each code base trains in its own:
mlic's applies what the tools' runner applies from the config
(``keep_freed_host_memory``, ``channels_last``), the reference's runs
with the defaults. Rounds alternate reference and mlic processes, so a
slower machine slows both; the figure per side is its best round (mean
of ``--iters`` steps after ``--warmup``). ``--profile K`` also prints the
K operators with the most self CPU time in each step (torch.profiler over
one step after the timing), the table docs/benchmarks.md records.
Nothing is asserted about speed here. The comparison is float32 on both
sides (the reference's mixed precision is CUDA autocast), so a config's
``AnyDeviceAmpOptimWrapper`` is replaced by ``OptimWrapper``.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmpretrain.structures import DataSample

from mlic import register_all_modules
from mlic.apis.official_checkpoint import PREFIXES
from mlic.engine.runtime_switches import (apply_model_switches,
                                          ema_from_config, ema_hook_config,
                                          use_float32)
from mlic.registry import MODELS
from mlic.testing import ReferenceStyleMLIC

MEAN = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)

# mlic name prefix -> reference name prefix: the converter's table read
# the other way.
TO_REFERENCE = [(ours, theirs) for theirs, ours in PREFIXES]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default='configs/mlic/mlic_coco.py')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--shape', type=int, nargs=2, default=(224, 224), metavar=('H', 'W'))
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--profile',
        type=int,
        default=0,
        metavar='K',
        help='print the top K operators by self CPU time of one step each')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-json')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    # internal: what one child process does
    parser.add_argument(
        '--side',
        choices=['check', 'reference', 'mlic'],
        help=argparse.SUPPRESS)
    parser.add_argument('--side-out', help=argparse.SUPPRESS)
    return parser.parse_args()


# ---- the reference step --------------------------------------------------


class StateDictEMA:
    """EMA that rebuilds both state dicts every step and writes
    ``d * e + (1 - d) * m`` into every tensor (weights and buffers)."""

    def __init__(self, model, decay):
        import copy
        self.module = copy.deepcopy(model).eval()
        self.decay = decay

    @torch.no_grad()
    def update(self, model):
        for e, m in zip(self.module.state_dict().values(),
                        model.state_dict().values()):
            e.copy_(self.decay * e + (1. - self.decay) * m)


def to_reference_name(name):
    for ours, theirs in TO_REFERENCE:
        if name.startswith(ours):
            return theirs + name[len(ours):]
    raise KeyError(f'no reference name for {name}')


def build_reference(cfg, mlic_model):
    head = cfg.model.head
    tcfg = head.transformer
    num_steps = head.graph_encoder.num_steps
    model = ReferenceStyleMLIC(
        num_classes=head.num_classes,
        depth=cfg.model.backbone.depth,
        dim=mlic_model.head.in_channels,
        num_steps=num_steps,
        gamma_neg=head.loss.gamma_neg,
        tau=head.contrastive_loss.tau,
        dropout=tcfg.dropout,
        num_encoder_layers=tcfg.num_encoder_layers,
        num_decoder_layers=tcfg.num_decoder_layers,
        ffn_dim=tcfg.ffn_dim,
        num_heads=tcfg.num_heads)
    state = {
        to_reference_name(k): v
        for k, v in mlic_model.state_dict().items()
    }
    model.load_state_dict(state, strict=True)
    return model


# ---- batches and steps ---------------------------------------------------


def make_batch(batch_size, shape, num_classes, gen):
    """One batch in each side's input form, from the same pixels/labels."""
    pixels = torch.randint(
        0, 256, (batch_size, 3, *shape), dtype=torch.uint8, generator=gen)
    y = (torch.rand(batch_size, num_classes, generator=gen)
         < 3.0 / num_classes).float()
    y[:, 0] = 1  # every image has a present label (the reference needs it)
    # the reference's loader hands over normalised RGB floats
    reference = ((pixels.flip(1).float() - MEAN) / STD, y)
    ours = dict(
        inputs=list(pixels),
        data_samples=[
            DataSample().set_gt_label(row.nonzero().flatten().tolist())
            for row in y
        ])
    return reference, ours


def set_dropout(model, p):
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = p
        elif isinstance(m, nn.MultiheadAttention):
            m.dropout = p


@torch.no_grad()
def check_same_function(cfg, ours, reference, batch):
    (x, y), data = batch
    dropout = cfg.model.head.transformer.dropout
    set_dropout(ours, 0.0)
    set_dropout(reference, 0.0)
    ours.eval()
    reference.eval()
    processed = ours.data_preprocessor(data, False)
    losses = ours(processed['inputs'], processed['data_samples'], mode='loss')
    bce, ctr = reference.losses(x, y)
    set_dropout(ours, dropout)
    set_dropout(reference, dropout)
    ours.train()
    reference.train()
    for name, got, expected in (('classification', losses['loss'], bce),
                                ('contrastive', losses['loss_contrastive'],
                                 ctr)):
        rel = float((got - expected).abs() / expected.abs().clamp(min=1e-6))
        if rel > 1e-3:
            raise SystemExit(
                f'the two steps do not compute the same {name} loss: mlic '
                f'{float(got):.6f}, reference {float(expected):.6f}')
    return float(bce), float(ctr)


class ReferenceStep:

    def __init__(self, model, cfg):
        opt = cfg.optim_wrapper.optimizer
        self.model = model
        self.optimizer = torch.optim.AdamW(
            model.parameters(),
            lr=opt.lr,
            betas=tuple(opt.betas),
            eps=opt.eps,
            weight_decay=opt.weight_decay)
        self.ema = StateDictEMA(model, 1 - ema_momentum(cfg))

    def __call__(self, batch):
        x, y = batch[0]
        bce, ctr = self.model.losses(x, y)
        loss = bce + ctr
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.ema.update(self.model)


class MlicStep:

    def __init__(self, model, cfg):
        self.model = model
        self.optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        self.ema = ema_from_config(cfg, model)

    def __call__(self, batch):
        self.model.train_step(batch[1], self.optim_wrapper)
        if self.ema is not None:
            self.ema.update_parameters(self.model)


def ema_momentum(cfg):
    hook = ema_hook_config(cfg)
    if hook is None:
        raise SystemExit(f'{cfg.filename} has no EMAHook')
    if 'momentum' not in hook:
        raise SystemExit(f'{cfg.filename}: its {hook["type"]} sets no '
                         'fixed momentum for the reference\'s EMA to use')
    return hook['momentum']


def time_steps(step, batches, warmup, iters):
    for i in range(warmup):
        step(batches[i % len(batches)])
    start = time.perf_counter()
    for i in range(iters):
        step(batches[(warmup + i) % len(batches)])
    return (time.perf_counter() - start) / iters


def profile_step(step, batch, top):
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step(batch)
    return prof.key_averages().table(
        sort_by='self_cpu_time_total', row_limit=top, max_name_column_width=48)


def load_config(args):
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    if cfg.model.head.get('type') != 'MLICHead':
        raise SystemExit(f'{args.config} is not an MLIC config: the '
                         'reference step exists for MLIC only')
    cfg.model.backbone.pop('init_cfg', None)  # no download for a timing
    use_float32(cfg)  # float32 on both sides, as the comparison is stated
    return cfg


def run_side(args):
    """One child process: the equality check, or one side's timing."""
    register_all_modules()
    cfg = load_config(args)
    torch.manual_seed(args.seed)
    ours = MODELS.build(cfg.model)
    reference = build_reference(cfg, ours)
    gen = torch.Generator().manual_seed(args.seed)
    batches = [
        make_batch(args.batch_size, tuple(args.shape),
                   cfg.model.head.num_classes, gen) for _ in range(2)
    ]
    if args.side == 'check':
        bce, ctr = check_same_function(cfg, ours, reference, batches[0])
        return dict(classification=bce, contrastive=ctr)
    if args.side == 'reference':
        del ours
        reference.train()
        step = ReferenceStep(reference, cfg)
    else:
        del reference
        ours.train()
        # what the tools' runner applies from the config
        ours = apply_model_switches(cfg, ours)
        step = MlicStep(ours, cfg)
    seconds = time_steps(step, batches, args.warmup, args.iters)
    result = dict(seconds=seconds)
    if args.profile:
        result['profile'] = profile_step(step, batches[0], args.profile)
    return result


def run_child(args, side):
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'result.json')
        cmd = [sys.executable, osp.abspath(__file__)
               ] + sys.argv[1:] + ['--side', side, '--side-out', out]
        proc = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not osp.isfile(out):
            raise SystemExit(f'the {side} process failed:\n' +
                             '\n'.join(proc.stdout.splitlines()[-20:]))
        with open(out) as f:
            return json.load(f)


def main():
    args = parse_args()
    if args.side:
        result = run_side(args)
        with open(args.side_out, 'w') as f:
            json.dump(result, f)
        return

    check = run_child(args, 'check')
    best, profiles = dict(reference=float('inf'), mlic=float('inf')), {}
    for round_index in range(args.rounds):
        for side in best:
            result = run_child(args, side)
            best[side] = min(best[side], result['seconds'])
            if 'profile' in result:
                profiles[side] = result['profile']

    base = best['reference']
    print(f'{args.config}: batch {args.batch_size}, '
          f'{args.shape[0]} x {args.shape[1]}, float32, CPU, '
          f'{torch.get_num_threads()} threads; best of {args.rounds} '
          f'rounds (one process per side and round, alternating) of '
          f'{args.iters} steps after {args.warmup} warm-up; same weights, '
          f'losses checked equal first (classification '
          f'{check["classification"]:.4f}, contrastive '
          f'{check["contrastive"]:.4f})')
    print('| step | ms/step | images/s | speed-up |')
    print('| --- | ---: | ---: | ---: |')
    for side, seconds in best.items():
        print(f'| {side} | {1000 * seconds:.0f} | '
              f'{args.batch_size / seconds:.2f} | {base / seconds:.2f}x |')
    for side, table in profiles.items():
        print(f'\n{side}: top {args.profile} operators by self CPU time, '
              'one step')
        print(table)
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(
                dict(
                    ms_per_step={
                        k: 1000 * v
                        for k, v in best.items()
                    },
                    speedup=base / best['mlic'],
                    batch_size=args.batch_size,
                    shape=list(args.shape)), f)


if __name__ == '__main__':
    main()
