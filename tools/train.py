"""Train a model: python tools/train.py CONFIG [--work-dir DIR] [--resume]."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mlic import register_all_modules
from mlic.datasets.utils import set_data_root
from mlic.engine.runtime_switches import use_mixed_precision
from mlic.models.backbones import align_pretrained_depth
from mlic.registry import RUNNERS
from mlic.utils import setup_distributed_for_device
from mlic.utils.cli import output_dir_problems, refuse, run_tool
from mlic.utils.errors import ConfigError


def parse_args():
    parser = argparse.ArgumentParser(description='Train a classifier')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; with no path, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision (bf16 autocast on a machine without a GPU)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the LR by the real total batch size')
    parser.add_argument(
        '--data-root',
        help='dataset folder for the train, val and test datasets (a '
        '--cfg-options data_root=... would be ignored)')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also log to TensorBoard (<work_dir>/<timestamp>/vis_data); '
        'needs pip install tensorboard')
    parser.add_argument(
        '--print-config',
        action='store_true',
        help='log the full config at start (else it goes to the work dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value, e.g. '
        'train_cfg.max_epochs=1')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def add_tensorboard(cfg):
    """Add mmengine's TensorboardVisBackend to the config's visualizer."""
    import importlib.util
    if importlib.util.find_spec('tensorboard') is None:
        raise SystemExit('--tensorboard needs the tensorboard package: '
                         'pip install tensorboard (or pip install -e '
                         '".[vis]")')
    backends = cfg.visualizer.setdefault('vis_backends', [])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))


def merge_args(cfg, args):
    """Apply the command-line options to the config."""
    cfg.launcher = args.launcher
    if args.print_config:
        cfg.print_config = True
    if args.data_root is not None:
        set_data_root(cfg, args.data_root)
    if args.tensorboard:
        add_tensorboard(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        use_mixed_precision(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
        cfg.default_hooks.checkpoint.save_best = None
    if args.auto_scale_lr:
        if 'base_batch_size' not in (cfg.get('auto_scale_lr') or {}):
            raise ConfigError(
                f'{args.config} has no auto_scale_lr.base_batch_size, so '
                '--auto-scale-lr cannot know what to scale from; add '
                'auto_scale_lr = dict(base_batch_size=N, enable=False) to it, '
                'N being the total batch size its LR was chosen for')
        cfg.auto_scale_lr.enable = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # --cfg-options model.backbone.depth=50 also picks ResNet-50 weights
    align_pretrained_depth(cfg.get('model'))
    return cfg


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    # before the data or the model are built
    refuse(output_dir_problems(cfg.work_dir, 'the work dir'))
    setup_distributed_for_device(cfg, args.launcher)
    # runner_type (QuietRunner in mlic's configs) as mmengine's tools do.
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
        Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    # a load_from or --resume file that cannot be used, a schedule that does
    # not fit the run, an unwritable work dir: one `error:` line (other
    # errors keep their traceback)
    run_tool(main)
