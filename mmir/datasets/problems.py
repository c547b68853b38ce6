# Copyright (c) mmir contributors. All rights reserved.
"""One way to report bad files: every problem at once, named by file."""
from typing import Sequence

MAX_LISTED = 20


class DatasetError(ValueError):
    """Bad or missing dataset files; the message lists them by path."""


def format_problems(problems: Sequence[str], what: str) -> str:
    """List problems: the first 20 and the count of the rest.

    Args:
        problems (Sequence[str]): One line per problem, each naming its
            file, e.g. ``'a/b.png: label 37 >= 21 classes'``.
        what (str): Where they were found, e.g. ``'SODADataset at /data'``.

    Returns:
        str: A message like ``'<what>: 3 problems:\\n  <p1>\\n  ...'``.
    """
    listed = '\n  '.join(problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    tail = f'\n  ... and {more} more' if more > 0 else ''
    noun = 'problem' if len(problems) == 1 else 'problems'
    return f'{what}: {len(problems)} {noun}:\n  {listed}{tail}'


def raise_if_problems(problems: Sequence[str],
                      what: str,
                      error: type = DatasetError) -> None:
    """Raise ``error`` listing ``problems`` when there are any.

    Args:
        problems (Sequence[str]): One line per problem, each naming a file.
        what (str): Where they were found.
        error (type): Exception class to raise. Defaults to
            :class:`DatasetError`.
    """
    if problems:
        raise error(format_problems(problems, what))
