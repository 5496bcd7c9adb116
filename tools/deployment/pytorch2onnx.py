"""Export a trained mlic model to ONNX; optionally check it against PyTorch
with ONNX Runtime.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT
        --output-file model.onnx [--shape H W] [--dynamic-export]
        [--opset 17] [--verify] [--cfg-options k=v ...]

The graph: ``input`` (B, 3, H, W) float32, preprocessed as the config's
data preprocessor does (printed here and stored in the file's metadata:
channel order, mean, std; docs/deployment.md), to ``scores`` (B, C),
sigmoid probabilities. ``--shape`` defaults to the config's test size.
``--dynamic-export`` makes the batch dimension dynamic (else it is 1).
``--verify`` runs ONNX Runtime on random batches (2 and 3 when dynamic,
else 1) and fails unless every score is within 1e-4 of PyTorch's.
CHECKPOINT may be ``none`` for random weights (to try an export). The
output is checked before the model is built; an existing file is replaced
only with ``--force``. A ``--shape`` the model cannot take (too small for
its strides) is refused, naming it.
Needs ``pip install -e ".[deploy]"`` (onnx, onnxruntime).
"""
import argparse
import sys

from mmengine.config import Config, DictAction

from mlic.apis import init_model
from mlic.apis.onnx_export import (DEPLOY_HINT, check_input_shape, export_onnx,
                                   input_shape_of, preprocessing_spec,
                                   require_onnx, verify_onnx)
from mlic.utils.cli import output_file_problems, positive_int, refuse, run_tool
from mlic.utils.package_files import find_config


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="a path or URL, or 'none'")
    parser.add_argument('--output-file', required=True)
    parser.add_argument(
        '--shape', type=positive_int, nargs=2, metavar=('H', 'W'))
    parser.add_argument('--dynamic-export', action='store_true')
    parser.add_argument('--opset', type=positive_int, default=17)
    parser.add_argument('--verify', action='store_true')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace --output-file if it exists')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    args = parse_args()
    refuse(
        output_file_problems(
            args.output_file,
            '--output-file',
            force=args.force,
            inputs=[args.config, args.checkpoint],
            suffixes=('.onnx', )))
    try:
        require_onnx()
    except ImportError:
        sys.exit(DEPLOY_HINT)
    cfg = Config.fromfile(find_config(args.config))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    shape = tuple(args.shape) if args.shape else input_shape_of(cfg)
    if shape is None:
        sys.exit('the config resizes to no fixed size; pass --shape H W')
    checkpoint = None if args.checkpoint.lower() == 'none' else \
        args.checkpoint
    model = init_model(cfg, checkpoint, device='cpu')
    try:
        check_input_shape(model, shape)
    except ValueError as err:
        sys.exit(f'error: --shape: {err}')
    export_onnx(
        model,
        args.output_file,
        shape,
        dynamic_batch=args.dynamic_export,
        opset=args.opset)
    spec = preprocessing_spec(model)
    print(f'wrote {args.output_file}: input (B, 3, {shape[0]}, {shape[1]}) '
          f'{spec["channel_order"]} float32, (x - mean) / std with mean '
          f'{spec["mean"]} and std {spec["std"]}; output scores '
          f'(B, {len(model.dataset_meta["classes"])}) sigmoid; batch '
          f'{"dynamic" if args.dynamic_export else "1"}')
    if args.verify:
        batches = (2, 3) if args.dynamic_export else (1, )
        try:
            report = verify_onnx(model, args.output_file, shape, batches)
        except AssertionError as err:
            sys.exit(f'verification failed: {err}')
        for row in report:
            print(f'verified batch {row["batch_size"]}: max |ONNX Runtime - '
                  f'PyTorch| = {row["max_abs_diff"]:.2e} (limit 1e-4)')


if __name__ == '__main__':
    run_tool(main)
