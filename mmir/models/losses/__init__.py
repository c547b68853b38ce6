# Copyright (c) mmir contributors. All rights reserved.
from .attention_distill_loss import (AttentionCELoss, AttentionKLLoss,
                                     attention_ce_loss, attention_kl_loss)
from .respix_loss import ResPixLoss, sliding_window_normalize
from .revdet_loss import (RevDetLoss, replaced_token_accuracy,
                          replaced_token_labels)

__all__ = [
    'AttentionCELoss', 'AttentionKLLoss', 'attention_ce_loss',
    'attention_kl_loss', 'ResPixLoss', 'sliding_window_normalize',
    'RevDetLoss', 'replaced_token_accuracy', 'replaced_token_labels'
]
