# Copyright (c) mmir contributors. All rights reserved.
from .attention_distill_loss import (AttentionCELoss, AttentionKLLoss,
                                     attention_ce_loss, attention_kl_loss)

__all__ = [
    'AttentionCELoss', 'AttentionKLLoss', 'attention_ce_loss',
    'attention_kl_loss'
]
