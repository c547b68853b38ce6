# Copyright (c) mmir contributors. All rights reserved.
"""Per-class visibility of a SynthIR tree: can the image show each label?

For every connected region of each class in the label maps of a layout,
the contrast is the absolute difference of the mean 8-bit intensity
inside the region and on its ring (a 7x7 dilation minus the region).  The
table gives each class's pixel share, number of regions, median contrast
and fraction of regions below 3 levels; classes whose median contrast is
below the threshold (15 levels, see ``mmir.datasets.synthir.visibility``)
are flagged.  ``--out`` also writes the report as JSON.
"""
import argparse
import json
import os
import os.path as osp

from mmir.datasets.synthir.visibility import (LOW_CONTRAST, RING_SIZE,
                                              VISIBILITY_THRESHOLD,
                                              format_table,
                                              synthir_visibility)

SEG_LAYOUTS = ('soda', 'mfnet', 'scut_seg')


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        'root',
        nargs='?',
        default='data/synthir',
        help='root of a SynthIR tree (holds meta.json)')
    parser.add_argument(
        '--layout',
        default='soda',
        choices=SEG_LAYOUTS,
        help='segmentation layout whose images and labels are read')
    parser.add_argument(
        '--num-images',
        type=int,
        default=None,
        help='use only the first N images (by name); default all')
    parser.add_argument(
        '--threshold',
        type=float,
        default=VISIBILITY_THRESHOLD,
        help='flag classes whose median contrast (8-bit levels) is lower')
    parser.add_argument(
        '--low',
        type=float,
        default=LOW_CONTRAST,
        help='regions below this contrast count as invisible')
    parser.add_argument(
        '--ring-size',
        type=int,
        default=RING_SIZE,
        help='side of the square dilation that makes the ring')
    parser.add_argument('--out', help='also write the report to this JSON')
    return parser.parse_args()


def main() -> None:
    """Compute, print and optionally save the report."""
    args = parse_args()
    report = synthir_visibility(
        args.root,
        layout=args.layout,
        num_images=args.num_images,
        threshold=args.threshold,
        low=args.low,
        ring_size=args.ring_size)
    print(format_table(report))
    if args.out:
        folder = osp.dirname(args.out)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)
        print(f'report written to {args.out}')


if __name__ == '__main__':
    main()
