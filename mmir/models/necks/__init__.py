# Copyright (c) mmir contributors. All rights reserved.
"""Necks; those built on mmseg are registered only when it is installed."""
from importlib.util import find_spec

from .itpn_decoder import iTPNDecoder
from .itpn_pyramid import iTPNPyramid
from .simple_fpn import SimpleFPN

__all__ = ['iTPNDecoder', 'iTPNPyramid', 'SimpleFPN']

if find_spec('mmseg') is not None:
    from .ll_fpn import LLFPN
    __all__ += ['LLFPN']
