# Copyright (c) mmir contributors. All rights reserved.
"""Datasets and data transforms of mmir.

Segmentation datasets subclass mmseg's and detection datasets mmdet's; they
are registered only when that library is installed, so that ``import mmir``
works with mmpretrain alone.
"""
from importlib.util import find_spec

from .class_names import (FLIR_CATEGORIES, MFNET_CLASSES, SCUT_SEG_CLASSES,
                          SODA_CLASSES, SYNTHIR_CLASSES)
from .problems import DatasetError
from .synthir import generate_synthir

# >>> always-available modules (insert imports below this line)
from .transforms import *  # noqa: F401,F403
from .infmix import InfMixDataset
from .msip import CropBorder, MSIPDataset
from .pretrain_list import PretrainListDataset

__all__ = [
    'DatasetError', 'FLIR_CATEGORIES', 'MFNET_CLASSES', 'SCUT_SEG_CLASSES',
    'SODA_CLASSES', 'SYNTHIR_CLASSES', 'generate_synthir'
]
# >>> always-available names (insert `__all__ += [...]` below this line)
__all__ += transforms.__all__  # noqa: F405
__all__ += [
    'CropBorder', 'InfMixDataset', 'MSIPDataset', 'PretrainListDataset'
]

if find_spec('mmseg') is not None:
    from .soda import SODADataset
    __all__ += ['SODADataset']
    # >>> mmseg-based datasets (insert below this line)
    from .mfnet import MFNetDataset
    from .scut_seg import SCUTSegDataset
    __all__ += ['MFNetDataset', 'SCUTSegDataset']

if find_spec('mmdet') is not None:
    # >>> mmdet-based datasets (insert below this line)
    from .flir import FLIRDataset
    __all__ += ['FLIRDataset']
