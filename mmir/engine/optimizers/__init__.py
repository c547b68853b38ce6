# Copyright (c) mmir contributors. All rights reserved.
from .backbone_layer_decay import (BackboneLayerDecayOptimWrapperConstructor,
                                   SegLayerDecayOptimWrapperConstructor)

__all__ = [
    'BackboneLayerDecayOptimWrapperConstructor',
    'SegLayerDecayOptimWrapperConstructor'
]
