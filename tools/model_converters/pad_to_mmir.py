# Copyright (c) mmir contributors. All rights reserved.
"""Convert a PAD pre-training checkpoint of the authors' code (MAE-repo
names: encoder, adapters, decoder) to an mmir checkpoint: mmpretrain's MAE
with an ``mmir.AdapterMAEViT`` backbone, whose ``backbone.`` weights the
fine-tuning configs load."""
import argparse

from mmir.checkpoint import describe
from mmir.checkpoint.formats import pad_to_mmir


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'src', help='the authors\' checkpoint (checkpoint-<epoch>.pth)')
    parser.add_argument('dst', help='output checkpoint')
    return parser.parse_args()


def main() -> None:
    """Convert and print what was written."""
    args = parse_args()
    try:
        checkpoint = pad_to_mmir(args.src, args.dst)
    except KeyError as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe(checkpoint, args.dst))


if __name__ == '__main__':
    main()
