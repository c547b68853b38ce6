# Copyright (c) mmir contributors. All rights reserved.
"""mmir: self-supervised pre-training and dense prediction on infrared."""
import _mmir_scope
from .checkpoint import register_checkpoint_safe_globals
from .utils.dependency import warn_if_unsupported_versions
from .version import __version__, version_info

_mmir_scope.install()
register_checkpoint_safe_globals()
warn_if_unsupported_versions()

__all__ = ['__version__', 'version_info']
