# Copyright (c) mmir contributors. All rights reserved.
from .pad_scale_warmup_hook import PADScaleWarmupHook
from .rng_state_hook import TorchRNGStateHook

__all__ = ['PADScaleWarmupHook', 'TorchRNGStateHook']
