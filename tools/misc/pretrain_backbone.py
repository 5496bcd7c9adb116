"""Pretrain the MultiGlyphs backbone on SingleGlyphs and write its
checkpoint, with the test accuracy, a linear probe on MultiGlyphs and the
checkpoint's sha256.

    python tools/misc/pretrain_backbone.py \
        [--config configs/pretrain/resnet18-narrow_singleglyphs.py] \
        [--work-dir work_dirs/pretrain_singleglyphs] \
        [--out checkpoints/resnet18-narrow_singleglyphs.pth] \
        [--probe-data-root data/multiglyphs] [--cfg-options k=v ...]

Steps:

1. ``tools/train.py CONFIG --work-dir DIR`` (seed 0; deterministic on the
   CPU), unless DIR already holds the final checkpoint of a finished run.
2. The final checkpoint's weights (the EMA model, as every mlic
   checkpoint's ``state_dict``) are cut to the backbone (``backbone.``
   prefix removed), floating-point tensors stored as float16, and written
   atomically to ``--out``; ``load_checkpoint``/``init_cfg=dict(
   type='Pretrained', checkpoint=OUT)`` cast them back to the model's
   float32. The file's bytes depend only on the weights (the archive is
   written from memory), so the same run gives the same sha256.
3. Linear probe: global-average-pooled backbone features of MultiGlyphs'
   training scenes (the 5,000 of the protocol) and its 1,000 validation
   scenes; an L2-regularised logistic regression per label on the training
   features, mAP on validation (the test split is not read).
   The same probe on a randomly initialised backbone is printed beside it.
4. ``--out`` + ``.json``: accuracy, probe mAPs, sha256, size, the config
   and the platform.
"""
import argparse
import hashlib
import io
import json
import os
import os.path as osp
import platform
import re
import subprocess
import sys

import numpy as np
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = 'configs/pretrain/resnet18-narrow_singleglyphs.py'
ACCURACY = re.compile(r'Epoch\(val\).*?accuracy/top1: ([\d.]+)')


def backbone_state(state_dict: dict, half: bool = True) -> dict:
    """The ``backbone.`` entries of a classifier's state dict, prefix
    removed, floating-point tensors as float16 when ``half``."""
    out = {}
    for key, value in state_dict.items():
        if not key.startswith('backbone.'):
            continue
        if half and value.is_floating_point():
            value = value.half()
        out[key[len('backbone.'):]] = value.contiguous()
    if not out:
        raise ValueError('the checkpoint has no backbone.* weights')
    return out


def save_checkpoint_bytes(state: dict, path: str) -> str:
    """Write ``{'state_dict': state}`` to ``path`` atomically; its sha256.

    The archive is serialised in memory (its internal name is then always
    ``archive``, not the file's), so equal weights give equal bytes.
    """
    buffer = io.BytesIO()
    torch.save(dict(state_dict=state), buffer)
    data = buffer.getvalue()
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def train(config: str, work_dir: str, cfg_options: list) -> str:
    """Run tools/train.py unless ``work_dir`` has the final checkpoint;
    the path of that checkpoint."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    if cfg_options:
        from mmengine.config import DictAction
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o'] + cfg_options).o)
    final = osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    if osp.isfile(final):
        print(f'{final} exists: training skipped', flush=True)
        return final
    cmd = [
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir',
        work_dir
    ]
    if cfg_options:
        cmd += ['--cfg-options'] + cfg_options
    print(' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return final


def last_accuracy(work_dir: str) -> float:
    """The last validation top-1 accuracy in the run's logs."""
    found = []
    for root, _, files in sorted(os.walk(work_dir)):
        for name in sorted(files):
            if name.endswith('.log'):
                with open(osp.join(root, name)) as f:
                    found += ACCURACY.findall(f.read())
    if not found:
        raise ValueError(f'no validation accuracy in the logs of {work_dir}')
    return float(found[-1])


def probe_model(cfg, state: dict):
    """The pretraining config's classifier in eval mode, its backbone set
    from ``state`` (or left as initialised when ``state`` is None)."""
    from mlic import register_all_modules
    from mlic.registry import MODELS
    register_all_modules()
    model = MODELS.build(cfg.model)
    if state is not None:
        model.backbone.load_state_dict(
            {
                k: v.float() if v.is_floating_point() else v
                for k, v in state.items()
            },
            strict=True)
    model.cfg = cfg
    return model.eval()


def pooled_features(model,
                    data_root: str,
                    split: str,
                    batch_size: int = 256) -> tuple:
    """(N, D) pooled backbone features and (N, C) labels of a MultiGlyphs
    split (the protocol's 1,000-scene validation carve-out).

    The images go through the config's test pipeline and data preprocessor
    (``mlic.apis.preprocess_images``) and the classifier's
    backbone and pooling neck (:func:`probe_model`), as in pretraining.
    """
    from mlic.apis import preprocess_images
    from mlic.datasets import MultiGlyphs
    dataset = MultiGlyphs(
        data_root=data_root, split=split, num_val=1000, test_mode=True)
    paths = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]
    labels = np.zeros((len(dataset), len(dataset.metainfo['classes'])),
                      np.float32)
    for i in range(len(dataset)):
        labels[i, dataset.get_cat_ids(i)] = 1
    feats = []
    with torch.no_grad():
        for start in range(0, len(paths), batch_size):
            data = preprocess_images(model, paths[start:start + batch_size])
            feats.append(model.extract_feat(data['inputs'])[-1])
    return torch.cat(feats).numpy(), labels


def linear_probe(train: tuple, val: tuple, l2: float = 1.0) -> float:
    """Validation mAP of a linear multi-label classifier on the features.

    The objective of scikit-learn's ``LogisticRegression(C=1/l2)`` per label
    (summed logistic loss + ``l2 / 2 * ||w||^2``, bias unpenalised) on
    standardised features, fitted for all labels at once with full-batch
    L-BFGS in torch: the same minimiser, and seconds instead of minutes for
    30 separate scikit-learn fits.
    """
    from mlic.evaluation import multilabel_metrics
    x = torch.from_numpy(train[0]).double()
    mean, std = x.mean(0), x.std(0).clamp_min(1e-12)
    x = (x - mean) / std
    x_val = (torch.from_numpy(val[0]).double() - mean) / std
    y = torch.from_numpy(train[1]).double()
    weight = torch.zeros(
        x.shape[1], y.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(y.shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([weight, bias],
                                  max_iter=500,
                                  tolerance_grad=1e-9,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            x @ weight + bias, y,
            reduction='sum') + 0.5 * l2 * (weight**2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    with torch.no_grad():
        scores = torch.sigmoid(x_val @ weight + bias).numpy()
    return float(multilabel_metrics(scores, val[1])['mAP'])


def main():
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument(
        '--work-dir', default='work_dirs/pretrain_singleglyphs')
    parser.add_argument(
        '--out', default='checkpoints/resnet18-narrow_singleglyphs.pth')
    parser.add_argument('--probe-data-root', default='data/multiglyphs')
    parser.add_argument(
        '--no-probe', action='store_true', help='skip the linear probe')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    raw_options = sys.argv[sys.argv.index('--cfg-options') + 1:] \
        if '--cfg-options' in sys.argv else []

    from mmengine.config import Config

    from mlic.utils.checkpoint import safe_torch_load
    final = train(args.config, args.work_dir, raw_options)
    accuracy = last_accuracy(args.work_dir)
    checkpoint = safe_torch_load(final, map_location='cpu')
    state = backbone_state(checkpoint['state_dict'])
    sha256 = save_checkpoint_bytes(state, args.out)
    report = dict(
        config=args.config,
        checkpoint=args.out,
        sha256=sha256,
        size_bytes=os.path.getsize(args.out),
        test_accuracy_top1=accuracy,
        platform=f'{platform.machine()} {platform.system()}, '
        f'torch {torch.__version__}')
    print(f'SingleGlyphs test top-1 accuracy: {accuracy:.2f} %')
    print(f'{args.out}: sha256 {sha256}, '
          f'{report["size_bytes"] / 2**20:.2f} MiB')
    if not args.no_probe:
        cfg = Config.fromfile(args.config)
        probes = {}
        for name, weights in (('pretrained', state), ('random init', None)):
            torch.manual_seed(0)
            # one model for both splits (a random backbone too)
            model = probe_model(cfg, weights)
            train_set = pooled_features(model, args.probe_data_root, 'train')
            val_set = pooled_features(model, args.probe_data_root, 'val')
            probes[name] = linear_probe(train_set, val_set)
        report['linear_probe_val_mAP'] = probes
        print('linear probe on MultiGlyphs (5,000 train scenes, validation '
              'mAP on 1,000): ' + ', '.join(f'{k} {v:.2f}'
                                            for k, v in probes.items()))
    with open(args.out + '.json', 'w') as f:
        json.dump(report, f, indent=1)


if __name__ == '__main__':
    main()
