# Copyright (c) mmir contributors. All rights reserved.
"""Convert an iTPN checkpoint of the authors' code (pixel or CLIP
pre-training, ImageNet fine-tuning, or an mmdet/mmseg model) to an mmir
checkpoint: ``backbone.`` (HiViT with its integral pyramid) and the
pre-training decoder or head.  Prints every source key with its mmir name
or the reason it was dropped."""
import argparse

from mmir.checkpoint.formats import describe_itpn, itpn_to_mmir


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('src', help='the authors\' checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    return parser.parse_args()


def main() -> None:
    """Convert and print what was written, key by key."""
    args = parse_args()
    try:
        checkpoint = itpn_to_mmir(args.src, args.dst)
    except KeyError as error:
        raise SystemExit(f'error: {error.args[0]}') from None
    print(describe_itpn(checkpoint, args.dst))


if __name__ == '__main__':
    main()
