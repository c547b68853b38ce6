# Copyright (c) mmir contributors. All rights reserved.
"""Version checks against the bounds in ``requirements/mminstall.txt``.

The bounds are written once, in the requirement files; ``setup.py`` turns
them into the ``mim`` extra of the installed metadata, and this module reads
them back from there, warning (never failing) on a mismatch.
"""
import warnings
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import InvalidRequirement, Requirement


def unsupported_versions() -> list:
    """List installed packages outside mmir's ``mim`` extra bounds.

    Returns:
        list: ``(requirement, installed version)`` pairs; empty when mmir
        runs from a source tree without installed metadata.
    """
    try:
        declared = requires('mmir') or []
    except PackageNotFoundError:
        return []
    mismatches = []
    for line in declared:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or 'mim' not in str(req.marker):
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            continue
        if not req.specifier.contains(installed, prereleases=True):
            mismatches.append((str(req), installed))
    return mismatches


def warn_if_unsupported_versions() -> None:
    """Warn once for each dependency outside the tested bounds."""
    for req, installed in unsupported_versions():
        warnings.warn(f'mmir is tested with {req.split(";")[0]}, found '
                      f'{installed}; results may differ.',
                      stacklevel=2)
