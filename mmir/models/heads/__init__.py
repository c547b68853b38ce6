# Copyright (c) mmir contributors. All rights reserved.
from .attention_distill_head import AttentionDistillHead

__all__ = ['AttentionDistillHead']
