# Copyright (c) mmir contributors. All rights reserved.
"""Convert the SCUT-Seg release to mmir's SCUT-Seg layout (see
docs/datasets/downstream.md)."""
from mmir.datasets.converters.cli import converter_parser, run_and_report
from mmir.datasets.converters.scut_seg import convert


def main() -> None:
    """Convert and print the summary."""
    parser = converter_parser(__doc__, 'release root', 'data/scut_seg')
    parser.add_argument(
        '--img-dir', default='images', help='image folder in src')
    parser.add_argument(
        '--ann-dir', default='labels', help='label folder in src')
    parser.add_argument('--img-suffix', default='.jpg')
    run_and_report(convert, **vars(parser.parse_args()))


if __name__ == '__main__':
    main()
