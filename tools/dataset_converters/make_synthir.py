# Copyright (c) mmir contributors. All rights reserved.
"""Generate SynthIR, mmir's synthetic infrared dataset."""
import argparse
import json

from mmir.datasets.synthir import LAYOUTS, generate_synthir


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--out-dir', default='data/synthir', help='root of the tree')
    parser.add_argument('--num-images', type=int, default=300)
    parser.add_argument('--height', type=int, default=96)
    parser.add_argument('--width', type=int, default=128)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--layouts',
        nargs='+',
        default=list(LAYOUTS),
        choices=LAYOUTS,
        help='dataset layouts to write')
    return parser.parse_args()


def main() -> None:
    """Generate the tree and print its summary."""
    args = parse_args()
    meta = generate_synthir(
        args.out_dir,
        num_images=args.num_images,
        height=args.height,
        width=args.width,
        seed=args.seed,
        layouts=args.layouts)
    print(f'SynthIR written to {args.out_dir}:')
    print(json.dumps(meta, indent=2))


if __name__ == '__main__':
    main()
