"""The speed switches side by side: one training-step benchmark per switch,
interleaved over rounds, in one table.

    python .dev_scripts/benchmark_switches.py CONFIG [--batch-size B]
        [--shape H W] [--iters N] [--warmup W] [--rounds R] [--only NAME ...]

Each switch is the config line a user would write (see docs/benchmarks.md),
run through ``benchmark_train.py`` in its own process (so each starts
cold and memory peaks do not mix). Every row is float32 except the
mixed-precision one, and the ``plain`` row turns off the switches a config
ships on (the MLIC recipe sets ``channels_last``, fused AdamW and the
foreach EMA), so each row differs from ``plain`` by one switch; the
``config defaults`` row is the config as shipped, in float32. Rounds run
every switch once, in the same order, and the table keeps each switch's
fastest round, so slow drift on a shared machine hits all of them alike.
Nothing is asserted about speed.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import tempfile

#: name -> (benchmark_train.py flags, --cfg-options, the config line)
SWITCHES = {
    'plain': ([], [], '-'),
    'channels-last': (['--channels-last'], [], 'channels_last = True'),
    'bf16 autocast (CPU) / fp16 (CUDA)':
    (['--amp'], [], 'tools/train.py --amp'),
    'fused AdamW': ([], ['optim_wrapper.optimizer.fused=True'],
                    "optim_wrapper = dict(optimizer=dict(fused=True))"),
    'foreach AdamW': ([], ['optim_wrapper.optimizer.foreach=True'],
                      "optim_wrapper = dict(optimizer=dict(foreach=True))"),
    'foreach EMA':
    ([], ['custom_hooks.0.ema_type=ForeachExponentialMovingAverage'],
     "EMAHook's ema_type='ForeachExponentialMovingAverage'"),
    'activation checkpointing': ([], ['model.backbone.with_cp=True'],
                                 'model = dict(backbone=dict(with_cp=True))'),
    'torch.compile': (['--compile'], [], 'compile = True'),
    'config defaults': ([], [], "the config's own lines"),
}


def switches_on_in(config):
    """--cfg-options that turn off the switches the config turns on, each
    keyed by the row that turns it on."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    off = {}
    if cfg.get('channels_last', False):
        off['channels-last'] = 'channels_last=False'
    if cfg.optim_wrapper.get('optimizer', {}).get('fused'):
        off['fused AdamW'] = 'optim_wrapper.optimizer.fused=False'
    hooks = cfg.get('custom_hooks', [])
    if hooks and hooks[0].get('type') == 'EMAHook' and hooks[0].get(
            'ema_type') == 'ForeachExponentialMovingAverage':
        off['foreach EMA'] = \
            'custom_hooks.0.ema_type=ExponentialMovingAverage'
    return off


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int)
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'))
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument(
        '--only', nargs='+', choices=list(SWITCHES), metavar='NAME')
    return parser.parse_args()


def run_once(args, flags, options):
    """benchmark_train.py once: (its JSON figures, None) or (None, the last
    line of its output)."""
    tool = osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools',
        'analysis_tools', 'benchmark_train.py')
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'figures.json')
        cmd = [
            sys.executable, tool, args.config, '--iters',
            str(args.iters), '--warmup',
            str(args.warmup), '--out-json', out
        ] + flags
        if args.batch_size:
            cmd += ['--batch-size', str(args.batch_size)]
        if args.shape:
            cmd += ['--shape'] + [str(s) for s in args.shape]
        if options:
            cmd += ['--cfg-options'] + options
        proc = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not osp.isfile(out):
            return None, proc.stdout.strip().splitlines()[-1:]
        with open(out) as f:
            return json.load(f), None


def main():
    args = parse_args()
    names = args.only or list(SWITCHES)
    if 'plain' not in names:
        names = ['plain'] + names
    turned_on = switches_on_in(args.config)
    best, errors = {}, {}
    for round_ in range(args.rounds):
        for name in names:
            flags, options, _ = SWITCHES[name]
            if name != 'config defaults':
                options = options + [
                    option for row, option in turned_on.items() if row != name
                ]
            if '--amp' not in flags:
                flags = flags + ['--fp32']
            result, error = run_once(args, flags, options)
            print(
                f'round {round_ + 1}/{args.rounds}, {name}: ' +
                (f'{result["images_per_s"]:.2f} images/s'
                 if result else f'failed: {error}'),
                flush=True)
            if result is None:
                errors[name] = error
            elif name not in best or result['step_ms'] < best[name]['step_ms']:
                best[name] = result
    plain = best.get('plain')
    print(f'\n{args.config}: best of {args.rounds} rounds, {args.iters} '
          f'steps each after {args.warmup} warm-up')
    print('| switch | config line | images/s | speed-up | ms/step | forward '
          '| backward | optimiser + EMA | peak RSS / CUDA MiB |')
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for name in names:
        line = SWITCHES[name][2]
        if name not in best:
            print(f'| {name} | {line} | failed: {errors.get(name)} |')
            continue
        r = best[name]
        ratio = (f'{plain["step_ms"] / r["step_ms"]:.2f}x' if plain else '-')
        p = r['parts']
        print(f'| {name} | {line} | {r["images_per_s"]:.2f} | {ratio} | '
              f'{r["step_ms"]:.0f} | {p.get("forward", 0):.0f} | '
              f'{p.get("backward", 0):.0f} | '
              f'{p.get("optimiser + EMA", 0):.0f} | '
              f'{r["peak_memory_mib"]:.0f} |')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
