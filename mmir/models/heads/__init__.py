# Copyright (c) mmir contributors. All rights reserved.
from .attention_distill_head import AttentionDistillHead
from .itpn_clip_head import iTPNClipDistillHead
from .itpn_mfm_head import iTPNMFMHead

__all__ = ['AttentionDistillHead', 'iTPNClipDistillHead', 'iTPNMFMHead']
