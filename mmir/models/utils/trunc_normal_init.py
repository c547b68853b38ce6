# Copyright (c) mmir contributors. All rights reserved.
"""The initialisation of HiViT/iTPN (and timm ViTs)."""
import torch.nn as nn
from mmengine.model.weight_init import trunc_normal_


def trunc_normal_init_(module: nn.Module) -> None:
    """Truncated-normal (std .02) Linear weights with zero biases and unit
    LayerNorms, for ``module`` and everything in it (other layers keep
    their own initialisation)."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            trunc_normal_(layer.weight, std=.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.LayerNorm):
            nn.init.ones_(layer.weight)
            nn.init.zeros_(layer.bias)
