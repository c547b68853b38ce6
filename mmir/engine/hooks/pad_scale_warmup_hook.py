# Copyright (c) mmir contributors. All rights reserved.
"""PAD's delayed training of the patchwise scale predictors."""
import math
from typing import List

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from mmir.registry import HOOKS


@HOOKS.register_module()
class PADScaleWarmupHook(Hook):
    """Keep the patchwise scales at 0.5 for the first part of training.

    `PAD <https://arxiv.org/abs/2312.08192>`_ trains the adapters first and
    lets the per-token scale predictors (``scale_pred``) learn only from
    iteration ``ceil(start_ratio * max_iters)`` on.  The authors freeze them
    with ``requires_grad=False`` after building the optimizer, so while
    frozen the predictors are in the optimizer with ``grad=None``: AdamW
    keeps no state for them (no step count, no moments) and applies no
    weight decay, and their first trained step is AdamW's step 1.

    This hook gives the same updates without changing which parameters
    require gradients, which DDP does not allow mid-run.  While frozen:

    1. a tensor hook on each predictor replaces its gradient by zeros, so
       DDP reduces the same parameter set in both phases and gradient
       clipping sees zeros;
    2. a step pre-hook on every optimizer of ``runner.optim_wrapper`` (an
       ``OptimWrapper`` or each one of an ``OptimWrapperDict``) sets the
       predictors' ``grad`` to None just before each step, so the
       optimizer skips them as it skips PAD's frozen parameters.

    The predictors therefore keep their values (zero at initialisation,
    i.e. ``s = 0.5``) exactly.  The phase follows from ``runner.iter``
    alone and the optimizer state is checkpointed as usual, so resuming in
    either phase continues the same run; the switch is logged once.  Both
    hooks are removed in :meth:`after_train`.

    Args:
        start_ratio (float): Fraction of ``runner.max_iters`` after which the
            scale predictors train. Defaults to 0.6.
    """

    priority = 'NORMAL'

    def __init__(self, start_ratio: float = 0.6) -> None:
        if not 0 <= start_ratio <= 1:
            raise ValueError(f'start_ratio must be in [0, 1], got '
                             f'{start_ratio}')
        self.start_ratio = start_ratio
        self.frozen = True
        self._params: List[torch.nn.Parameter] = []
        self._handles: List = []

    def before_train(self, runner) -> None:
        """Attach the gradient and optimizer-step gates.

        Raises:
            RuntimeError: If the model has no patchwise adapter scale.
            TypeError: If ``runner.optim_wrapper`` holds no torch optimizer.
        """
        self.after_train(runner)
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._params = [
            m.scale_pred for m in model.modules()
            if getattr(m, 'scale_mode', None) == 'patchwise'
        ]
        if not self._params:
            raise RuntimeError('PADScaleWarmupHook found no patchwise '
                               'adapter scale in the model')
        optimizers = self._optimizers(runner.optim_wrapper)
        self._handles = [p.register_hook(self._gate) for p in self._params]
        self._handles += [
            opt.register_step_pre_hook(self._drop_grads) for opt in optimizers
        ]
        self.frozen = self._frozen_at(runner)
        print_log(
            f'PADScaleWarmupHook: {len(self._params)} patchwise scales train '
            f'from iteration {self._start(runner)}; '
            f'{"frozen at 0.5" if self.frozen else "trained"} now '
            f'(iteration {runner.iter})',
            logger='current')

    @staticmethod
    def _optimizers(optim_wrapper) -> List[torch.optim.Optimizer]:
        """The torch optimizers of an optimizer wrapper (dict)."""
        wrappers = [w for _, w in optim_wrapper.items()] if isinstance(
            optim_wrapper, OptimWrapperDict) else [optim_wrapper]
        optimizers = [getattr(w, 'optimizer', None) for w in wrappers]
        if not all(
                isinstance(opt, torch.optim.Optimizer)
                for opt in optimizers):
            raise TypeError('PADScaleWarmupHook needs runner.optim_wrapper '
                            'to be a built OptimWrapper or OptimWrapperDict, '
                            f'got {type(optim_wrapper).__name__}')
        return optimizers

    def _start(self, runner) -> int:
        """First iteration at which the scales train."""
        return int(math.ceil(self.start_ratio * runner.max_iters))

    def _frozen_at(self, runner) -> bool:
        """Whether the scales are frozen at the current iteration."""
        return runner.iter < self._start(runner)

    def _gate(self, grad: torch.Tensor) -> torch.Tensor:
        """Zero the scale gradients while frozen."""
        return torch.zeros_like(grad) if self.frozen else grad

    def _drop_grads(self, optimizer: torch.optim.Optimizer, args,
                    kwargs) -> None:
        """Hide the scale gradients from the optimizer while frozen."""
        if self.frozen:
            for param in self._params:
                param.grad = None

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Switch phase when the iteration reaches the threshold."""
        frozen = self._frozen_at(runner)
        if frozen != self.frozen:
            print_log(
                f'PADScaleWarmupHook: patchwise scales train from '
                f'iteration {runner.iter}',
                logger='current')
        self.frozen = frozen

    def after_train(self, runner) -> None:
        """Remove the gradient and optimizer-step gates."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
