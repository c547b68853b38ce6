# Copyright (c) mmir contributors. All rights reserved.
from .attn_vit import AttnViT

__all__ = ['AttnViT']
