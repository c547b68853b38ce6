# Copyright (c) mmir contributors. All rights reserved.
"""Checkpoint the torch random state so that resumed training is exact."""
from typing import Dict

import torch
from mmengine.hooks import Hook

from mmir.registry import HOOKS

RNG_KEY = 'torch_rng_state'


@HOOKS.register_module()
class TorchRNGStateHook(Hook):
    """Save and restore the torch random state with the checkpoint.

    mmengine's ``resume`` restores weights, optimizer, schedulers and the
    iteration, and replays the data loader up to that iteration, so the
    data pipeline's numpy/python random draws repeat.  It does not restore
    the main process's torch generator, which model-side randomness
    (dropout, drop path) draws from: without this hook iterations after a
    resume differ from an uninterrupted run.  The CPU state and, when CUDA
    is initialised, the state of every visible GPU are stored under
    ``checkpoint['torch_rng_state']``.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the current torch generator states."""
        state: Dict[str, object] = dict(cpu=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint[RNG_KEY] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the generator states (mmengine calls this on resume)."""
        if RNG_KEY not in checkpoint:
            return
        state = checkpoint[RNG_KEY]
        torch.set_rng_state(state['cpu'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
