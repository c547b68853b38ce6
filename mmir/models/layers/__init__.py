# Copyright (c) mmir contributors. All rights reserved.
from .attention import attention_logits

__all__ = ['attention_logits']
