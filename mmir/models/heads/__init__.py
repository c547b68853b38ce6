# Copyright (c) mmir contributors. All rights reserved.
from .attention_distill_head import AttentionDistillHead
from .cim_heads import ResPixConvHead, ResPixHead, RevDetHead
from .itpn_clip_head import iTPNClipDistillHead
from .itpn_mfm_head import iTPNMFMHead

__all__ = [
    'AttentionDistillHead', 'iTPNClipDistillHead', 'iTPNMFMHead',
    'ResPixConvHead', 'ResPixHead', 'RevDetHead'
]
