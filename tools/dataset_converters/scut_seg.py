# Copyright (c) mmir contributors. All rights reserved.
"""Convert the SCUT-Seg release to mmir's SCUT-Seg layout (see
docs/datasets/downstream.md)."""
import argparse

from mmir.datasets.converters.common import LINK_MODES, run_and_report
from mmir.datasets.converters.scut_seg import convert


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('src', help='release root')
    parser.add_argument('dst', help='output root, e.g. data/scut_seg')
    parser.add_argument(
        '--img-dir', default='images', help='image folder in src')
    parser.add_argument(
        '--ann-dir', default='labels', help='label folder in src')
    parser.add_argument('--img-suffix', default='.jpg')
    parser.add_argument(
        '--link', choices=LINK_MODES, default='copy',
        help='how the unchanged images are placed')
    return parser.parse_args()


def main() -> None:
    """Convert and print the summary."""
    args = parse_args()
    run_and_report(
        convert,
        src=args.src,
        dst=args.dst,
        img_dir=args.img_dir,
        ann_dir=args.ann_dir,
        img_suffix=args.img_suffix,
        link=args.link)


if __name__ == '__main__':
    main()
