# Copyright (c) mmir contributors. All rights reserved.
from .attention_nmi import attention_nmi, closest_layer
from .ema import cosine_momentum, ema_update_
from .freeze import freeze, is_frozen
from .pretrained_last import init_cfg_with_pretrained, pretrained_last
from .selfsup_preprocessor import selfsup_preprocessor
from .trunc_normal_init import trunc_normal_init_

__all__ = [
    'attention_nmi', 'closest_layer', 'cosine_momentum', 'ema_update_',
    'freeze', 'init_cfg_with_pretrained', 'is_frozen',
    'selfsup_preprocessor', 'pretrained_last', 'trunc_normal_init_'
]
