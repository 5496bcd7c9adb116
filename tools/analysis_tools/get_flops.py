"""Parameters and FLOPs of a config's model, whole and by part.

    python tools/analysis_tools/get_flops.py CONFIG [--shape H W]

Counted with mmengine's ``get_model_complexity_info`` (fvcore-style op
counting: one fused multiply-add is one FLOP, as OpenMMLab's tables
report; attention's two products added, as mmengine has no rule for
``scaled_dot_product_attention``) on one image of H x W (default: the
config's test resize) through
the inference path (``mode='tensor'``), so training-only work such as
MLIC's contrastive graph passes is not in it. The backbone's and the head's
share come from the same count, by module, not from separate runs.
"""
import argparse

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.jit_handles import get_shape
from mmengine.config import Config, DictAction

from mlic import register_all_modules
from mlic.apis.onnx_export import input_shape_of
from mlic.registry import MODELS


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'))
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args()


class TensorMode(nn.Module):
    """The classifier's inference path as a plain module for the tracer."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def sdpa_flops(inputs, outputs) -> int:
    """``scaled_dot_product_attention`` has no rule in mmengine: count its
    two matrix products, Q K^T and (softmax) V, as multiply-adds."""
    q, k, v = (get_shape(x) for x in inputs[:3])
    *batch, length, dims = q
    source = k[-2]
    count = 1
    for b in batch:
        count *= b
    return count * length * source * (dims + v[-1])


def human(n: float) -> str:
    for unit, size in (('G', 1e9), ('M', 1e6), ('K', 1e3)):
        if n >= size:
            return f'{n / size:.2f} {unit}'
    return f'{n:.0f}'


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    cfg.model.get('backbone', {}).pop('init_cfg', None)  # no download
    model = MODELS.build(cfg.model).eval()
    if args.shape:
        shape = tuple(args.shape)
    else:
        shape = input_shape_of(cfg) or (224, 224)
    inputs = torch.zeros(1, 3, *shape)
    analyzer = FlopAnalyzer(TensorMode(model), inputs)
    analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_flops)
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    by_module = analyzer.by_module()
    params = parameter_count(model)
    rows = [('model', by_module['model'], params[''])]
    for part in ('backbone', 'neck', 'head'):
        if getattr(model, part, None) is not None:
            rows.append((part, by_module[f'model.{part}'], params[part]))
    print(f'{args.config}: input 1 x 3 x {shape[0]} x {shape[1]}')
    print('| part | FLOPs | parameters |')
    print('| --- | ---: | ---: |')
    for name, flops, count in rows:
        print(f'| {name} | {human(flops)} | {human(count)} |')
    skipped = analyzer.unsupported_ops()
    if skipped:
        print('not counted (no FLOP rule): ' +
              ', '.join(f'{op} x{n}' for op, n in sorted(skipped.items())))


if __name__ == '__main__':
    main()
