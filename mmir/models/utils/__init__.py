# Copyright (c) mmir contributors. All rights reserved.
from .attention_nmi import attention_nmi, closest_layer
from .selfsup_preprocessor import selfsup_preprocessor
from .strict_pretrained import StrictPretrainedInit, pretrained_last

__all__ = [
    'attention_nmi', 'closest_layer',
    'selfsup_preprocessor', 'StrictPretrainedInit', 'pretrained_last'
]
