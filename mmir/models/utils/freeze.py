# Copyright (c) mmir contributors. All rights reserved.
"""Freezing a module: the one place that says what frozen means in mmir.

A module frozen by :func:`freeze`

* has ``requires_grad=False`` on every parameter, so it gets no gradient
  tensor, autograd skips its backward work, DDP does not reduce it, and
  optimizers built over the model skip it (an optimizer skips parameters
  whose ``grad`` is None: no state, no weight decay);
* with ``eval_mode=True`` (the default) stays in eval mode: ``train()`` on
  it or on any parent leaves its dropout, drop path and normalisation
  statistics in inference behaviour, so a frozen teacher or tokenizer gives
  the same output in every training step;
* keeps its weights in ``state_dict()``: checkpoints save and load them as
  usual.

:func:`is_frozen` tells whether a module is frozen so.
"""
import torch.nn as nn


class _EvalOnlyTrain:
    """A frozen module's ``train``: it always sets eval mode.

    An object rather than a bound method, so that the module still pickles
    and deep-copies with it (the copy's ``train`` serves the copy).
    """

    def __init__(self, module: nn.Module) -> None:
        self.module = module

    def __call__(self, mode: bool = True) -> nn.Module:
        return nn.Module.train(self.module, False)


def freeze(module: nn.Module, eval_mode: bool = True) -> nn.Module:
    """Freeze ``module`` (see the module docstring).

    Args:
        module (nn.Module): The module to freeze.
        eval_mode (bool): Whether the module also stays in eval mode.
            False freezes the weights only, for parts that must keep their
            training behaviour (PAD's frozen blocks, whose adapters train).
            Defaults to True.

    Returns:
        nn.Module: ``module``.
    """
    module.requires_grad_(False)
    if eval_mode:
        module.train = _EvalOnlyTrain(module)
        module.eval()
    return module


def is_frozen(module: nn.Module) -> bool:
    """Whether ``module`` was frozen by :func:`freeze` with eval mode.

    Args:
        module (nn.Module): The module.

    Returns:
        bool: True if no parameter requires a gradient and ``train()``
        keeps it in eval mode.
    """
    return (isinstance(module.__dict__.get('train'), _EvalOnlyTrain)
            and not any(p.requires_grad for p in module.parameters()))
