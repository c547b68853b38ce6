# Copyright (c) mmir contributors. All rights reserved.
"""Convert a UNIP student released by the authors (timm/MAE names) to an
mmir checkpoint whose ``backbone.`` weights the fine-tuning configs load."""
import argparse

from mmir.checkpoint import describe
from mmir.checkpoint.formats import unip_to_mmir


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('src', help='the authors\' checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument(
        '--last-heads',
        type=int,
        default=16,
        help='head count of the last block in pre-training (the teacher\'s: '
        '16 for MAE-L and iBOT-L, 12 for DINO-B; default %(default)s). The '
        'weight shapes do not reveal it, so it is recorded in meta; set '
        'model.backbone.last_heads to it to keep the distilled grouping')
    return parser.parse_args()


def main() -> None:
    """Convert and print what was written."""
    args = parse_args()
    try:
        checkpoint = unip_to_mmir(args.src, args.dst, args.last_heads)
    except KeyError as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe(checkpoint, args.dst))


if __name__ == '__main__':
    main()
