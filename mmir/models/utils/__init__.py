# Copyright (c) mmir contributors. All rights reserved.
from .attention_nmi import attention_nmi, closest_layer
from .freeze import freeze, is_frozen
from .pretrained_last import pretrained_last
from .selfsup_preprocessor import selfsup_preprocessor

__all__ = [
    'attention_nmi', 'closest_layer', 'freeze', 'is_frozen',
    'selfsup_preprocessor', 'pretrained_last'
]
