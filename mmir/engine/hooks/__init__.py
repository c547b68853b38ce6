# Copyright (c) mmir contributors. All rights reserved.
from .rng_state_hook import TorchRNGStateHook

__all__ = ['TorchRNGStateHook']
