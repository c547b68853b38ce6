# Copyright (c) mmir contributors. All rights reserved.
from .adapter_mae_vit import AdapterMAEViT, AdapterMILANViT
from .adapter_mixin import AdapterMixin
from .adapter_vit import AdapterViT
from .attn_vit import AttnViT
from .itpn_hivit import iTPNHiViT
from .loaded_last import BEiTViT, ResNet

__all__ = [
    'AdapterMAEViT', 'AdapterMILANViT', 'AdapterMixin', 'AdapterViT',
    'AttnViT', 'BEiTViT', 'iTPNHiViT', 'ResNet'
]
