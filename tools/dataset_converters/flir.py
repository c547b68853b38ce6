# Copyright (c) mmir contributors. All rights reserved.
"""Convert a FLIR ADAS release (v1 or v2, thermal) to a 3-class COCO tree
(see docs/datasets/downstream.md)."""
from mmir.datasets.converters.cli import converter_parser, run_and_report
from mmir.datasets.converters.flir import convert


def main() -> None:
    """Convert and print the summary."""
    parser = converter_parser(__doc__, 'release root (v1 or v2 layout)',
                              'data/flir')
    run_and_report(convert, **vars(parser.parse_args()))


if __name__ == '__main__':
    main()
