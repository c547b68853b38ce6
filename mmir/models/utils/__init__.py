# Copyright (c) mmir contributors. All rights reserved.
from .attention_kl import attention_kl_loss
from .attention_nmi import attention_nmi, closest_layer
from .selfsup_preprocessor import selfsup_preprocessor
from .strict_pretrained import StrictPretrainedInit, strict_pretrained_last

__all__ = [
    'attention_kl_loss', 'attention_nmi', 'closest_layer',
    'selfsup_preprocessor', 'StrictPretrainedInit', 'strict_pretrained_last'
]
