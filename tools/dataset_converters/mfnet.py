# Copyright (c) mmir contributors. All rights reserved.
"""Convert the MFNet release to mmir's thermal-only MFNet-T layout (see
docs/datasets/downstream.md)."""
from mmir.datasets.converters.cli import converter_parser, run_and_report
from mmir.datasets.converters.mfnet import convert


def main() -> None:
    """Convert and print the summary."""
    parser = converter_parser(
        __doc__,
        'release root with images/, labels/ and split files',
        'data/mfnet',
        link=False)
    run_and_report(convert, **vars(parser.parse_args()))


if __name__ == '__main__':
    main()
