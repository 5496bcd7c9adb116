"""Evaluate a checkpoint: python tools/test.py CONFIG CHECKPOINT."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mlic import register_all_modules
from mlic.datasets.utils import set_data_root
from mlic.registry import RUNNERS
from mlic.utils import setup_distributed_for_device
from mlic.utils.cli import (output_dir_problems, output_file_problems, refuse,
                            run_tool)


def parse_args():
    parser = argparse.ArgumentParser(description='Test a classifier')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument(
        '--out',
        help='also write scores and targets to this .pkl file, for '
        'tools/analysis_tools/eval_metric.py')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace the --out file if it exists')
    parser.add_argument(
        '--data-root',
        help='dataset folder for the train, val and test datasets (a '
        '--cfg-options data_root=... would be ignored)')
    parser.add_argument(
        '--print-config',
        action='store_true',
        help='log the full config at start (else it goes to the work dir)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    cfg.launcher = args.launcher
    if args.print_config:
        cfg.print_config = True
    if args.data_root is not None:
        set_data_root(cfg, args.data_root)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.out is not None:
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, dict):
            evaluator = [evaluator]
        cfg.test_evaluator = list(evaluator) + [
            dict(type='DumpMultiLabelPredictions', out_file_path=args.out)
        ]
    return cfg


def check_outputs(cfg, args) -> None:
    """Before the model is built or an image read: ``--out`` and the work
    dir can be written, and ``--out`` replaces nothing without
    ``--force``."""
    inputs = [args.config, args.checkpoint]
    refuse(
        output_file_problems(
            args.out,
            '--out',
            force=args.force,
            inputs=inputs,
            suffixes=('.pkl', '.pickle')) +
        # the work dir gets a new timestamped folder: it may hold the
        # checkpoint, only its writability matters
        output_dir_problems(cfg.work_dir, 'the work dir'))


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    check_outputs(cfg, args)
    setup_distributed_for_device(cfg, args.launcher)
    # runner_type (QuietRunner in mlic's configs) as mmengine's tools do.
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
        Runner.from_cfg(cfg)
    # a checkpoint that does not fit the config, an unreadable file: a
    # message, not a traceback (run_tool)
    runner.test()


if __name__ == '__main__':
    run_tool(main)
