# Copyright (c) mmir contributors. All rights reserved.
"""Write SynthIR's image classification lists (each frame labelled by its
largest object; mmpretrain CustomDataset format) for AdaViPro's infrared
row."""
import argparse

from mmir.datasets.synthir.classification import (
    CLASSES, write_classification_lists)


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('synthir_root', help='a SynthIR tree (coco layout)')
    parser.add_argument(
        '--out-dir', default='cls',
        help='output folder relative to synthir_root (default cls)')
    return parser.parse_args()


def main() -> None:
    """Write the lists and print the frames per class and split."""
    args = parse_args()
    counts = write_classification_lists(args.synthir_root, args.out_dir)
    for split, per_class in counts.items():
        print(f'{split}: ' + ', '.join(
            f'{name} {count}' for name, count in zip(CLASSES, per_class)))


if __name__ == '__main__':
    main()
