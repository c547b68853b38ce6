# Copyright (c) mmir contributors. All rights reserved.
from .adapter import AdaptedFFN, Adapter
from .attention import attention_logits
from .rel_pos_attention import RelPosAttention

__all__ = ['AdaptedFFN', 'Adapter', 'attention_logits', 'RelPosAttention']
