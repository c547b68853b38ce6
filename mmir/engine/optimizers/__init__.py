# Copyright (c) mmir contributors. All rights reserved.
from .seg_layer_decay import SegLayerDecayOptimWrapperConstructor

__all__ = ['SegLayerDecayOptimWrapperConstructor']
