# Copyright (c) mmir contributors. All rights reserved.
"""The command-line face shared by ``tools/train.py`` and ``tools/test.py``.
"""
import argparse
import os
import os.path as osp
from typing import Any, Mapping

from mmengine.config import Config, DictAction


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher``, local rank.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. key=value or a.b=1; keys '
        'must exist in the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_common_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line and export ``LOCAL_RANK`` if unset.

    Args:
        parser (argparse.ArgumentParser): The tool's parser, completed by
            :func:`add_common_arguments`.

    Returns:
        argparse.Namespace: The arguments.
    """
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def check_cfg_options(cfg: Config, options: Mapping[str, Any]) -> None:
    """Refuse ``--cfg-options`` keys that do not exist in the config.

    mmengine adds unknown keys silently, so a typo such as
    ``train_dataloader.batch_sise=2`` would be ignored.  A key is accepted
    when its full path exists, or when its first missing component would be
    added to a dict with a ``type`` (a module spec, whose new entries become
    constructor arguments and are checked when the module is built).

    Args:
        cfg (Config): The loaded config.
        options (Mapping[str, Any]): Dotted keys to values.

    Raises:
        KeyError: Naming the key and the config file.
    """
    for key in options:
        node = cfg._cfg_dict
        for depth, part in enumerate(key.split('.')):
            if isinstance(node, (list, tuple)) and part.isdigit():
                if int(part) >= len(node):
                    _unknown(cfg, key, '.'.join(key.split('.')[:depth + 1]))
                node = node[int(part)]
            elif isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, Mapping) and 'type' in node:
                break
            else:
                _unknown(cfg, key, '.'.join(key.split('.')[:depth + 1]))


def _unknown(cfg: Config, key: str, missing: str) -> None:
    """Raise the error for an unknown option key."""
    raise KeyError(f'--cfg-options key "{key}": "{missing}" does not exist '
                   f'in {cfg.filename}')


def merge_common_args(cfg: Config, args: Any) -> Config:
    """Apply the arguments ``tools/train.py`` and ``tools/test.py`` share.

    ``--cfg-options`` (checked by :func:`check_cfg_options`), ``--launcher``
    and ``--work-dir``, whose default is ``work_dirs/<config stem>``.

    Args:
        cfg (Config): The loaded config, changed in place.
        args (Any): Parsed arguments with ``config``, ``cfg_options``,
            ``launcher`` and ``work_dir``.

    Returns:
        Config: ``cfg``.
    """
    if args.cfg_options is not None:
        check_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
