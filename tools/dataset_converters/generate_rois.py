# Copyright (c) mmir contributors. All rights reserved.
"""Write PAD's offline RoI proposals, ``roi/<stem>.txt``, for a folder."""
import argparse
import json
import os.path as osp

from mmir.datasets.converters.rois import generate_rois


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('image_dir', help='folder of images, e.g. thermal/')
    parser.add_argument(
        '--out-dir',
        help='folder of the RoI files; defaults to roi/ beside image_dir')
    parser.add_argument(
        '--workers', type=int, default=4, help='worker processes')
    return parser.parse_args()


def main() -> None:
    """Propose, filter and write the RoIs; print the summary."""
    args = parse_args()
    image_dir = osp.normpath(args.image_dir)
    out_dir = args.out_dir or osp.join(osp.dirname(image_dir), 'roi')
    summary = generate_rois(image_dir, out_dir, workers=args.workers)
    print(json.dumps(summary, indent=2))


if __name__ == '__main__':
    main()
