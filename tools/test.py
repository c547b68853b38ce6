# Copyright (c) mmir contributors. All rights reserved.
"""Evaluate a checkpoint with an mmir, mmpretrain, mmseg or mmdet config."""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.runner import Runner

import mmir  # noqa: F401  (checkpoint allow-list, ``mmir::`` configs)
from mmir.engine import setup_cpu_distributed
from mmir.utils.cli import (add_common_arguments, merge_common_args,
                            parse_common_args)


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='dump the predictions to this pickle file')
    parser.add_argument(
        '--amp', action='store_true', help='enable automatic mixed precision')
    add_common_arguments(parser)
    return parse_common_args(parser)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Fold the command-line arguments into the config."""
    merge_common_args(cfg, args)
    cfg.load_from = args.checkpoint
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out must be a pickle file, got {args.out}')
        cfg.test_evaluator = [
            *(cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else
              [cfg.test_evaluator]),
            dict(type='DumpResults', out_file_path=args.out)
        ]
    return cfg


def main() -> None:
    """Build the runner from the config and test."""
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    setup_cpu_distributed(cfg)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if runner.rank == 0:
        for name, value in metrics.items():
            print(f'{name}: {value}')


if __name__ == '__main__':
    main()
