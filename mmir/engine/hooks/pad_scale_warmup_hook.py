# Copyright (c) mmir contributors. All rights reserved.
"""PAD's delayed training of the patchwise scale predictors."""
import math
from typing import List

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmir.registry import HOOKS


@HOOKS.register_module()
class PADScaleWarmupHook(Hook):
    """Keep the patchwise scales at 0.5 for the first part of training.

    `PAD <https://arxiv.org/abs/2312.08192>`_ trains the adapters first and
    lets the per-token scale predictors learn only after ``start_ratio`` of
    the iterations.  Until then their gradients are zeroed (a gradient hook,
    so DDP still synchronises the same parameter set throughout); with the
    zero initialisation, AdamW then leaves them exactly at zero, i.e.
    ``s = 0.5``.  The phase follows from ``runner.iter`` alone, so resuming
    lands in the right phase, and the switch is logged once.

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
        self._handles: List = []

    def before_train(self, runner) -> None:
        """Attach the gradient gates to every patchwise scale predictor."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        preds = [
            m.scale_pred for m in model.modules()
            if getattr(m, 'scale_mode', None) == 'patchwise'
        ]
        if not preds:
            raise RuntimeError('PADScaleWarmupHook found no patchwise '
                               'adapter scale in the model')
        self._handles = [p.register_hook(self._gate) for p in preds]
        self.frozen = self._frozen_at(runner)
        print_log(
            f'PADScaleWarmupHook: {len(preds)} patchwise scales train from '
            f'iteration {self._start(runner)}; '
            f'{"frozen at 0.5" if self.frozen else "trained"} now '
            f'(iteration {runner.iter})',
            logger='current')

    def _start(self, runner) -> int:
        """First iteration at which the scales train."""
        return int(math.ceil(self.start_ratio * runner.max_iters))

    def _frozen_at(self, runner) -> bool:
        """Whether the scales are frozen at the current iteration."""
        return runner.iter < self._start(runner)

    def _gate(self, grad: torch.Tensor) -> torch.Tensor:
        """Zero the scale gradients while frozen."""
        return torch.zeros_like(grad) if self.frozen else grad

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
        """Remove the gradient gates."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
