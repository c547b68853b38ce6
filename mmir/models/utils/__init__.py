# Copyright (c) mmir contributors. All rights reserved.
from .attention_kl import attention_kl_loss
from .attention_nmi import attention_nmi, closest_layer
from .strict_pretrained import StrictPretrainedInit

__all__ = [
    'attention_kl_loss', 'attention_nmi', 'closest_layer',
    'StrictPretrainedInit'
]
