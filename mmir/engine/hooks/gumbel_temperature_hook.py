# Copyright (c) mmir contributors. All rights reserved.
"""AdaViPro's Gumbel-Softmax temperature schedule."""
from typing import Optional

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop

from mmir.registry import HOOKS


@HOOKS.register_module()
class GumbelTemperatureHook(Hook):
    """Decay a mask generator's temperature exponentially, with a floor.

    `AdaViPro <https://arxiv.org/abs/2403.13282>`_ starts its Gumbel-Softmax
    at tau0 = 5 and multiplies the temperature by ``decay`` every epoch.
    This hook sets the ``tau`` buffer of the module at ``module`` (e.g.
    :class:`~mmir.models.prompts.RegionMaskGenerator`) to

        ``max(tau0 * decay ** step, min_tau)``

    where tau0 and ``min_tau`` are the module's ``initial_tau`` and
    ``min_tau``.  The value is a function of the runner's counter, not a
    running product, so it is exact after ``--resume`` and the same on
    every rank.

    - ``by_epoch=True``: ``step = runner.epoch``, set before each training
      epoch (epoch-based loops).
    - ``by_epoch=False``: ``step = runner.iter // interval``, set before
      each training iteration: every ``interval`` iterations count as one
      "epoch" (iteration-based loops, e.g. the CPU demo).  An
      iteration-based loop runs ``before_train_epoch`` only once, so it
      needs this mode; the hook refuses ``by_epoch=True`` there.

    Args:
        decay (float): Factor per epoch, in (0, 1]. Defaults to 0.98.
        module (str): Dotted path of the generator inside the model
            (unwrapped from DDP). Defaults to 'mask_generator'.
        by_epoch (bool): Count epochs (True) or groups of ``interval``
            iterations (False). Defaults to True.
        interval (int): Iterations per step when ``by_epoch=False``.
            Defaults to 1.
    """

    priority = 'NORMAL'

    def __init__(self,
                 decay: float = 0.98,
                 module: str = 'mask_generator',
                 by_epoch: bool = True,
                 interval: int = 1) -> None:
        if not 0 < decay <= 1:
            raise ValueError(f'decay must be in (0, 1], got {decay}')
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.decay = decay
        self.module = module
        self.by_epoch = by_epoch
        self.interval = interval
        self._last: Optional[float] = None

    def _generator(self, runner) -> nn.Module:
        """The module whose ``tau`` is scheduled."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        try:
            generator = model.get_submodule(self.module)
        except AttributeError as error:
            raise AttributeError(
                f'GumbelTemperatureHook: {type(model).__name__} has no '
                f'module {self.module!r}') from error
        for name in ('tau', 'initial_tau', 'min_tau'):
            if not hasattr(generator, name):
                raise AttributeError(
                    f'GumbelTemperatureHook: {self.module!r} '
                    f'({type(generator).__name__}) has no {name!r}')
        return generator

    def temperature(self, generator: nn.Module, step: int) -> float:
        """The temperature at a step of the schedule.

        Args:
            generator (nn.Module): Has ``initial_tau`` and ``min_tau``.
            step (int): Epoch (or group of ``interval`` iterations).

        Returns:
            float: ``max(initial_tau * decay ** step, min_tau)``.
        """
        return max(generator.initial_tau * self.decay**step,
                   generator.min_tau)

    def _set(self, runner, step: int) -> None:
        """Set the generator's temperature for ``step``; log changes."""
        generator = self._generator(runner)
        tau = self.temperature(generator, step)
        generator.tau.fill_(tau)
        if tau != self._last:
            print_log(
                f'GumbelTemperatureHook: tau = {tau:.6g} (step {step})',
                logger='current')
        self._last = tau

    def before_train(self, runner) -> None:
        """Check the module and the loop kind.

        Raises:
            ValueError: If ``by_epoch`` is set in an iteration-based loop.
        """
        self._generator(runner)
        loop = getattr(runner, 'train_loop', None)
        if self.by_epoch and isinstance(loop, IterBasedTrainLoop):
            raise ValueError('GumbelTemperatureHook(by_epoch=True) in an '
                             'iteration-based loop would never decay; use '
                             'by_epoch=False with an interval')

    def before_train_epoch(self, runner) -> None:
        """Set the temperature of this epoch (``by_epoch=True``)."""
        if self.by_epoch:
            self._set(runner, runner.epoch)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Set the temperature of this iteration (``by_epoch=False``)."""
        if not self.by_epoch:
            self._set(runner, runner.iter // self.interval)
