# Copyright (c) mmir contributors. All rights reserved.
"""Keep only the student (``backbone.*``) of an mmir NMI-HAD checkpoint, for
the mmseg fine-tuning configs."""
import argparse

from mmir.checkpoint import describe
from mmir.checkpoint.formats import mmir_to_mmseg


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('src', help='NMI-HAD checkpoint, e.g. epoch_100.pth')
    parser.add_argument('dst', help='output checkpoint')
    return parser.parse_args()


def main() -> None:
    """Convert and print what was written."""
    args = parse_args()
    try:
        checkpoint = mmir_to_mmseg(args.src, args.dst)
    except KeyError as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe(checkpoint, args.dst))


if __name__ == '__main__':
    main()
