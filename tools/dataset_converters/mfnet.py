# Copyright (c) mmir contributors. All rights reserved.
"""Convert the MFNet release to mmir's thermal-only MFNet-T layout (see
docs/datasets/downstream.md)."""
import argparse

from mmir.datasets.converters.common import run_and_report
from mmir.datasets.converters.mfnet import convert


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'src', help='release root with images/, labels/ and split files')
    parser.add_argument('dst', help='output root, e.g. data/mfnet')
    return parser.parse_args()


def main() -> None:
    """Convert and print the summary."""
    args = parse_args()
    run_and_report(convert, src=args.src, dst=args.dst)


if __name__ == '__main__':
    main()
