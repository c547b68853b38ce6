# Copyright (c) mmir contributors. All rights reserved.
"""Convert the SODA release to mmir's SODA layout (see
docs/datasets/downstream.md)."""
from mmir.datasets.converters.cli import converter_parser, run_and_report
from mmir.datasets.converters.soda import convert


def main() -> None:
    """Convert and print the summary."""
    parser = converter_parser(
        __doc__, 'release root or its InfraredSemanticLabel folder',
        'data/soda')
    run_and_report(convert, **vars(parser.parse_args()))


if __name__ == '__main__':
    main()
