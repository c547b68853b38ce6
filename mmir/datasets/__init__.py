# Copyright (c) mmir contributors. All rights reserved.
"""Datasets of mmir.

Segmentation datasets subclass mmseg's and are registered only when mmseg
is installed, so that ``import mmir`` works with mmpretrain alone.
"""
from importlib.util import find_spec

from .class_names import (FLIR_CATEGORIES, MFNET_CLASSES, SCUT_SEG_CLASSES,
                          SODA_CLASSES, SYNTHIR_CLASSES)
from .synthir import generate_synthir

__all__ = [
    'FLIR_CATEGORIES', 'MFNET_CLASSES', 'SCUT_SEG_CLASSES', 'SODA_CLASSES',
    'SYNTHIR_CLASSES', 'generate_synthir'
]

if find_spec('mmseg') is not None:
    from .soda import SODADataset
    __all__ += ['SODADataset']
