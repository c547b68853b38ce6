# Copyright (c) mmir contributors. All rights reserved.
"""Convert the SODA release to mmir's SODA layout (see
docs/datasets/downstream.md)."""
import argparse

from mmir.datasets.converters.common import LINK_MODES, run_and_report
from mmir.datasets.converters.soda import convert


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        'src', help='release root or its InfraredSemanticLabel folder')
    parser.add_argument('dst', help='output root, e.g. data/soda')
    parser.add_argument(
        '--link', choices=LINK_MODES, default='copy',
        help='how the unchanged images are placed')
    return parser.parse_args()


def main() -> None:
    """Convert and print the summary."""
    args = parse_args()
    run_and_report(convert, src=args.src, dst=args.dst, link=args.link)


if __name__ == '__main__':
    main()
