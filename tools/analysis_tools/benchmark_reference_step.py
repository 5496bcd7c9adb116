"""Training step of mlic's MLIC vs the reference implementation's step,
side by side, on the same weights and batches.

    python tools/analysis_tools/benchmark_reference_step.py \\
        [--config configs/mlic/mlic_coco.py] [--batch-size 8] \\
        [--shape 224 224] [--rounds 3] [--iters 3] [--warmup 1] \\
        [--profile K] [--cfg-options k=v ...] [--out-json FILE]

The reference step is rebuilt here, from docs/method.md, the way the
reference code computes it (its repository is not a dependency): a
torchvision ResNet trunk, ``nn.Transformer`` fed sequence-first with the
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
import torch.nn.functional as F
import torchvision
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmpretrain.structures import DataSample

from mlic.apis.official_checkpoint import PREFIXES
from mlic.engine.runtime_switches import (apply_model_switches,
                                          ema_from_config, ema_hook_config,
                                          use_float32)
from mlic.registry import MODELS
from mlic.utils import register_all_modules

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


class ResNetTokens(nn.Module):
    """torchvision's ResNet up to its last stage, as (B, N, D) tokens."""

    def __init__(self, depth):
        super().__init__()
        net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
        for name in ('conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2',
                     'layer3', 'layer4'):
            setattr(self, name, getattr(net, name))

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.flatten(2).transpose(1, 2)


class GatedGraphSixLinear(nn.Module):
    """The gated GNN as six separate ``Linear`` layers, one call per view."""

    def __init__(self, dim, num_steps):
        super().__init__()
        for name in ('fc1_w', 'fc1_u', 'fc2_w', 'fc2_u', 'fc3_w', 'fc3_u'):
            setattr(self, name, nn.Linear(dim, dim, bias=False))
        self.num_steps = num_steps

    def forward(self, h, adjacency):
        for _ in range(self.num_steps):
            m = torch.bmm(adjacency, h)
            z = torch.sigmoid(self.fc1_w(m) + self.fc1_u(h))
            r = torch.sigmoid(self.fc2_w(m) + self.fc2_u(h))
            cand = torch.tanh(self.fc3_w(m) + self.fc3_u(r * h))
            h = (1 - z) * h + z * cand
        return h


class PerLabelScorer(nn.Module):

    def __init__(self, num_classes, width):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(num_classes, width))
        self.bias = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        return (x * self.weight).sum(2) + self.bias


class ReferenceStyleMLIC(nn.Module):
    """MLIC computed the way the reference code computes it (module names
    as in its checkpoints). ``forward(x, y)`` returns (bce, ctr)."""

    def __init__(self, num_classes, depth, dim, num_steps, gamma_neg, tau,
                 dropout, num_encoder_layers, num_decoder_layers, ffn_dim,
                 num_heads):
        super().__init__()
        self.backbone = ResNetTokens(depth)
        self.query_embed = nn.Embedding(num_classes, dim)
        self.attention = nn.Transformer(
            d_model=dim,
            nhead=num_heads,
            num_encoder_layers=num_encoder_layers,
            num_decoder_layers=num_decoder_layers,
            dim_feedforward=ffn_dim,
            dropout=dropout)
        self.net = nn.Linear(2 * dim, num_classes)
        self.encoder = GatedGraphSixLinear(dim, num_steps)
        self.fc = PerLabelScorer(num_classes, 2 * dim)
        self.gamma_neg, self.tau = gamma_neg, tau

    def asymmetric_loss(self, logits, y):
        p = torch.sigmoid(logits)
        loss = y * torch.log(p.clamp(min=1e-5)) + (1 - y) * torch.log(
            (1 - p).clamp(min=1e-5))
        with torch.no_grad():
            p_t = p * y + (1 - p) * (1 - y)
            w = torch.pow(1 - p_t, self.gamma_neg * (1 - y))
        return -(loss * w).sum() / logits.numel() * 1000

    def contrastive_loop(self, anchor, pos, neg, y):
        total = 0.0
        for i in range(anchor.size(0)):
            keep = y[i] == 1
            a, p, n = anchor[i][keep], pos[i][keep], neg[i][keep]
            k = a.size(0)
            logits = [(a * p).sum(-1, keepdim=True) / self.tau,
                      (a * n).sum(-1, keepdim=True) / self.tau]
            pairs = a @ a.t() / self.tau
            # drop the diagonal: (k, k) -> (k, k - 1)
            pairs = pairs.flatten()[1:].view(k - 1, k + 1)[:, :-1]
            logits.append(pairs.reshape(k, k - 1))
            logits = torch.cat(logits, -1)
            total = total + F.cross_entropy(logits,
                                            torch.zeros(k, dtype=torch.long))
        return total / anchor.size(0)

    def forward(self, x, y):
        tokens = self.backbone(x)
        g = tokens.mean(1)
        queries = self.query_embed.weight.unsqueeze(1).repeat(1, x.size(0), 1)
        feats = self.attention(tokens.permute(1, 0, 2),
                               queries).permute(1, 0, 2)
        adjacency = torch.sigmoid(
            self.net(
                torch.cat(
                    [feats, g.unsqueeze(1).repeat(1, feats.size(1), 1)], -1)))
        graph = self.encoder(feats, adjacency)
        logits = self.fc(torch.cat([feats, graph], -1))
        both = torch.bmm(y.unsqueeze(-1), y.unsqueeze(1))
        with torch.no_grad():
            pos = self.encoder(feats, adjacency * both)
            neg = self.encoder(feats, adjacency * (1 - both))
        ctr = self.contrastive_loop(graph, pos, neg, y)
        return self.asymmetric_loss(logits, y), ctr


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
    bce, ctr = reference(x, y)
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
        bce, ctr = self.model(x, y)
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
