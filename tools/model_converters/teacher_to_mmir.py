# Copyright (c) mmir contributors. All rights reserved.
"""Convert an MAE, DINO or iBOT ViT checkpoint to an mmir NMI-HAD teacher
(mmpretrain names; use it with ``teacher_key_map='mmpretrain'``)."""
import argparse

from mmir.checkpoint import describe
from mmir.checkpoint.formats import teacher_to_mmir


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('src', help='teacher checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument(
        '--prefix',
        default='',
        help='prefix of the ViT weights in SRC, removed (iBOT: backbone.)')
    return parser.parse_args()


def main() -> None:
    """Convert and print what was written."""
    args = parse_args()
    try:
        checkpoint = teacher_to_mmir(args.src, args.dst, args.prefix)
    except KeyError as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe(checkpoint, args.dst))


if __name__ == '__main__':
    main()
