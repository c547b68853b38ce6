# Copyright (c) mmir contributors. All rights reserved.
"""Write the InfMix (UNIP) pre-training list: InfPre, IN-1K subset, COCO."""
import argparse

from mmir.datasets.converters.infmix import SOURCE_DIRS, convert
from mmir.datasets.converters.pretrain_common import (
    convert_synthir, format_summary)


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'data_root', help='root of the list (or the SynthIR root)')
    parser.add_argument(
        '--out', default=None,
        help='list file, relative to data_root (default infmix.txt, or '
        'lists/infmix_synthir.txt with --synthir)')
    parser.add_argument(
        '--sources', nargs='+', default=list(SOURCE_DIRS),
        choices=list(SOURCE_DIRS), help='sources to list (default: all)')
    for tag, folder in SOURCE_DIRS.items():
        parser.add_argument(
            f'--{tag}-dir', default=folder,
            help=f'{tag} folder, relative to data_root (default {folder})')
    parser.add_argument(
        '--per-class', type=int, default=200,
        help='ImageNet-1K images per class (default 200)')
    parser.add_argument(
        '--synthir', action='store_true',
        help='list a SynthIR tree instead (source tag "synthir")')
    parser.add_argument(
        '--synthir-images', default='soda/InfraredSemanticLabel/JPEGImages',
        help='SynthIR image folder used with --synthir (8-bit jpgs)')
    return parser.parse_args()


def main() -> None:
    """Write the list and print its per-source counts."""
    args = parse_args()
    if args.synthir:
        summary = convert_synthir(args.data_root,
                                  args.out or 'lists/infmix_synthir.txt',
                                  args.synthir_images)
    else:
        source_dirs = {tag: getattr(args, f'{tag}_dir') for tag in SOURCE_DIRS}
        summary = convert(args.data_root, args.out or 'infmix.txt',
                          args.sources, source_dirs, args.per_class)
    print(format_summary(summary))


if __name__ == '__main__':
    main()
