# Copyright (c) mmir contributors. All rights reserved.
"""Layer-wise learning-rate decay by the depths of a model's backbone."""
import warnings
from functools import partial
from typing import Callable, List, Optional

import torch.nn as nn
from mmpretrain.engine.optimizers import \
    LearningRateDecayOptimWrapperConstructor

from mmir.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class BackboneLayerDecayOptimWrapperConstructor(
        LearningRateDecayOptimWrapperConstructor):
    """mmpretrain's layer-wise lr decay, with the depths of the backbone.

    For any model with a ``backbone``: mmseg segmentors, mmdet detectors
    and self-supervised algorithms.  mmpretrain's constructor asks the
    whole model for ``get_layer_depth``, which mmseg's ``EncoderDecoder``
    does not have; mmseg's own constructor accepts only backbones named
    BEiT, MAE or ConvNeXt.  This one asks the backbone (any mmpretrain
    ViT, e.g. :class:`~mmir.models.AttnViT`): patch embedding, CLS token
    and position embedding get depth 0, block ``i`` depth ``i + 1``, and
    everything outside the backbone the top depth, so the lr of a
    depth-``d`` parameter is ``lr * rate ** (L + 1 - d)`` (``L`` blocks)
    and necks and heads train at ``lr``.  Weight-decay rules come from
    ``paramwise_cfg`` as in mmpretrain (``bias_decay_mult``,
    ``flat_decay_mult``, ``custom_keys``).
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   get_layer_depth: Optional[Callable] = None,
                   **kwargs) -> None:
        """Add parameters with the backbone's layer depths."""
        if get_layer_depth is None and not hasattr(module, 'get_layer_depth'):
            get_layer_depth = partial(
                module.backbone.get_layer_depth, prefix='backbone.')
        super().add_params(params, module, prefix, get_layer_depth, **kwargs)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SegLayerDecayOptimWrapperConstructor(
        BackboneLayerDecayOptimWrapperConstructor):
    """Deprecated name of :class:`BackboneLayerDecayOptimWrapperConstructor`.

    Kept so that configs of other projects that name it still build.
    """

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            'mmir.SegLayerDecayOptimWrapperConstructor is deprecated; use '
            'mmir.BackboneLayerDecayOptimWrapperConstructor',
            DeprecationWarning,
            stacklevel=2)
        super().__init__(*args, **kwargs)
