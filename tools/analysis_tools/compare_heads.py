"""Train every head on MultiDigits with one schedule and seed; print a table.

    python tools/analysis_tools/compare_heads.py [--work-dir work_dirs/compare]
        [--only mlic csra ...] [--cfg-options k=v ...]

Each row is ``tools/train.py CONFIG`` with ``randomness.seed=0`` (the
configs share the backbone, data, schedule and EMA of
configs/mlic/mlic_multidigits.py), run in turn in a subprocess. Reported:
the last epoch's validation mAP, CF1 and OF1 (the reference metric, EMA
weights), the parameter count, and training images/s on this machine (batch
size over the mean iteration time of the log, all epochs). Writes
``results.md`` in the work dir.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ROWS = [
    ('baseline (GAP + linear)', 'baseline',
     'configs/baseline/resnet18_gap_linear_multidigits.py'),
    ('baseline + MultiLabelSupConLoss', 'baseline_supcon',
     'configs/baseline/resnet18_gap_linear_supcon_multidigits.py'),
    ('CSRA (mmpretrain)', 'csra', 'configs/csra/csra_multidigits.py'),
    ('ML-GCN-style', 'mlgcn', 'configs/ml_gcn/mlgcn_multidigits.py'),
    ('Query2Label-style', 'q2l', 'configs/query2label/q2l_multidigits.py'),
    ('MLIC', 'mlic', 'configs/mlic/mlic_multidigits.py'),
]
VAL = re.compile(r'Epoch\(val\) \[(\d+)\].*?multi-label/mAP: ([\d.]+).*?'
                 r'multi-label/CF1: ([\d.]+).*?multi-label/OF1: ([\d.]+)')
ITER = re.compile(r'Epoch\(train\).*?\btime: ([\d.]+)')


def count_parameters(config):
    from mmengine.config import Config

    from mlic.registry import MODELS
    from mlic.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    batch = cfg.train_dataloader.batch_size
    return sum(p.numel() for p in model.parameters()), batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/compare')
    parser.add_argument('--only', nargs='+', help='row keys to run')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args()
    rows = [r for r in ROWS if not args.only or r[1] in args.only]
    os.makedirs(args.work_dir, exist_ok=True)
    table = ['| head | config | mAP | CF1 | OF1 | parameters | train images/s |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    for title, key, config in rows:
        work_dir = osp.join(args.work_dir, key)
        log_path = osp.join(args.work_dir, f'{key}.log')
        cmd = [sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'),
               osp.join(REPO_ROOT, config), '--work-dir', work_dir,
               '--cfg-options', 'randomness.seed=0'] + args.cfg_options
        print(f'[{key}] {" ".join(cmd)}', flush=True)
        with open(log_path, 'w') as log:
            code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        text = open(log_path).read()
        if code != 0:
            raise RuntimeError(f'{key} failed; see {log_path}')
        epoch, mAP, cf1, of1 = VAL.findall(text)[-1]
        times = [float(t) for t in ITER.findall(text)]
        params, batch = count_parameters(osp.join(REPO_ROOT, config))
        speed = batch / (sum(times) / len(times))
        table.append(f'| {title} | `{config}` | {float(mAP):.2f} | '
                     f'{float(cf1):.2f} | {float(of1):.2f} | '
                     f'{params / 1e6:.2f} M | {speed:.0f} |')
        print(table[-1], flush=True)
    out = osp.join(args.work_dir, 'results.md')
    with open(out, 'w') as f:
        f.write('\n'.join(table) + '\n')
    print('\n'.join(table))
    print(f'written to {out}')


if __name__ == '__main__':
    main()
