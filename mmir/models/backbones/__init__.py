# Copyright (c) mmir contributors. All rights reserved.
from .adapter_vit import AdapterViT
from .attn_vit import AttnViT

__all__ = ['AdapterViT', 'AttnViT']
