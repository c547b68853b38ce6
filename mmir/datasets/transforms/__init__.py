# Copyright (c) mmir contributors. All rights reserved.
"""Data transforms for infrared images."""
from .intensity import INFRARED_MEAN, INFRARED_STD, InfraredNormalize, RGB2Gray
from .loading import LoadInfraredImage
from .roi_crop import RandomRoICrop

__all__ = [
    'INFRARED_MEAN', 'INFRARED_STD', 'InfraredNormalize', 'LoadInfraredImage',
    'RGB2Gray', 'RandomRoICrop'
]
