# Copyright (c) mmir contributors. All rights reserved.
from typing import Tuple

__version__ = '0.1.0'


def parse_version_info(version_str: str) -> Tuple:
    """Parse a version string into a tuple.

    Args:
        version_str (str): The version string, e.g. ``'0.1.0'`` or
            ``'0.2.0rc1'``.

    Returns:
        Tuple: The version parts, e.g. ``(0, 1, 0)`` or
        ``(0, 2, 0, 'rc1')``.
    """
    parts = []
    for part in version_str.split('.'):
        if part.isdigit():
            parts.append(int(part))
        elif 'rc' in part:
            number, rc = part.split('rc')
            parts.extend([int(number), f'rc{rc}'])
    return tuple(parts)


version_info = parse_version_info(__version__)
