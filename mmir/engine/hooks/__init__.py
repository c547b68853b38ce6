# Copyright (c) mmir contributors. All rights reserved.
from .gumbel_temperature_hook import GumbelTemperatureHook
from .pad_scale_warmup_hook import PADScaleWarmupHook
from .rng_state_hook import TorchRNGStateHook

__all__ = ['GumbelTemperatureHook', 'PADScaleWarmupHook', 'TorchRNGStateHook']
