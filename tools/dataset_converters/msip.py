# Copyright (c) mmir contributors. All rights reserved.
"""Write the MSIP (PAD) pre-training list: the 8 sources, paper rules."""
import argparse

from mmir.datasets.converters.msip import RULES, convert
from mmir.datasets.converters.pretrain_common import (
    convert_synthir, format_summary)


def source_dir(text: str) -> tuple:
    """Parse ``SOURCE=DIR``."""
    source, sep, folder = text.partition('=')
    if not sep or source not in RULES:
        raise argparse.ArgumentTypeError(
            f'expected SOURCE=DIR with SOURCE in {list(RULES)}, got {text!r}')
    return source, folder


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'root', help='MSIP root (or the SynthIR root with --synthir)')
    parser.add_argument(
        '--out', default=None,
        help='list file, relative to root (default msip.txt, or '
        'lists/msip_synthir.txt with --synthir)')
    parser.add_argument(
        '--sources', nargs='+', default=list(RULES), choices=list(RULES),
        help='sources to list (default: all 8)')
    parser.add_argument(
        '--source-dir', nargs='+', type=source_dir, default=[],
        metavar='SOURCE=DIR',
        help='image folder of a source, replacing its default')
    parser.add_argument(
        '--synthir', action='store_true',
        help='list a SynthIR tree instead (source tag "synthir")')
    parser.add_argument(
        '--synthir-images', default='soda/InfraredSemanticLabel/JPEGImages',
        help='SynthIR image folder used with --synthir')
    return parser.parse_args()


def main() -> None:
    """Write the list and print its per-source counts."""
    args = parse_args()
    if args.synthir:
        summary = convert_synthir(args.root,
                                  args.out or 'lists/msip_synthir.txt',
                                  args.synthir_images)
    else:
        summary = convert(args.root, args.out or 'msip.txt', args.sources,
                          dict(args.source_dir))
    print(format_summary(summary))


if __name__ == '__main__':
    main()
