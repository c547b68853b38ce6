# Copyright (c) mmir contributors. All rights reserved.
"""The command line of the converter tools in ``tools/dataset_converters``:
their argument parser, and running a converter with its summary or its
problem list printed."""
import argparse
import json
import sys
from typing import Callable

from ..problems import DatasetError
from .output_tree import LINK_MODES


def converter_parser(description: str, src_help: str, dst_example: str,
                     link: bool = True) -> argparse.ArgumentParser:
    """The command line every converter tool starts from.

    Args:
        description (str): The tool's docstring.
        src_help (str): What ``src`` is.
        dst_example (str): A typical output root, e.g. ``'data/soda'``.
        link (bool): Whether the converter takes ``--link``. Defaults to
            True.

    Returns:
        argparse.ArgumentParser: With ``src``, ``dst`` and maybe ``--link``;
        its parsed arguments are the converter's keyword arguments.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help=src_help)
    parser.add_argument('dst', help=f'output root, e.g. {dst_example}')
    if link:
        parser.add_argument(
            '--link',
            choices=LINK_MODES,
            default='copy',
            help='how the unchanged images are placed')
    return parser


def run_and_report(convert: Callable[..., dict], **kwargs) -> None:
    """Run a converter from a command-line tool and print its summary.

    Args:
        convert (Callable[..., dict]): A converter's ``convert``.
        **kwargs: Its arguments.

    Raises:
        SystemExit: With the problem list (exit status 1) when the
            converter raises :class:`DatasetError`.
    """
    try:
        summary = convert(**kwargs)
    except DatasetError as err:
        sys.exit(str(err))
    print(json.dumps(summary, indent=2))
