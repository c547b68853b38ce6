# Copyright (c) mmir contributors. All rights reserved.
"""Time one PAD-MAE training step: frozen by requires_grad against lr 0.

The model is PAD's ViT-B/16 MAE with adapters, 224 px
(``configs/pad/pad_vit-base-p16_8xb256-amp-coslr-100e_msip.py``, random
weights), or the demo-size one at 64 px (``--tiny``, from
``configs/pad/pad_vit-128d-p8_demo-mae-pre_1xb16-200i_synthir-64px.py``).
Two ways to run the same step (MAE loss, backward, AdamW with the config's
lr and betas, weight decay except on biases and 1-D parameters):

* ``mmir``: ``PADMAE`` as built.  The frozen parameters have
  ``requires_grad=False``: no gradient tensors, no weight-gradient work
  in backward (input gradients still flow through the frozen blocks to
  the adapters of earlier blocks), no optimizer state.
* ``lr0``: the common OpenMMLab way of freezing (``paramwise_cfg`` with
  ``lr_mult=0``): every parameter requires grad and the frozen ones sit in
  an AdamW group with lr 0 and weight decay 0, so backward computes all
  weight gradients and AdamW keeps state for all of them.

Before timing, one fp32 step of each variant is run from the same weights
in train mode, the RNG seeded before each loss so that the MAE masks and
the adapters' dropout match (the adapters' zero-initialised up-projections
and scale predictors get small random weights first, so that every
trainable parameter has a gradient).  The losses and the updated trainable
parameters must agree and the frozen parameters must not change; the run
stops otherwise.  Each (variant, precision, device) is then timed in a
fresh subprocess and printed with its peak and step memory, as defined in
:mod:`mmir.utils.step_benchmark`.  Numbers are printed, never checked.
"""
import argparse
import copy
import logging
import os.path as osp
import sys
from typing import Dict, Tuple

import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from mmir.models import PADMAE
from mmir.registry import MODELS
from mmir.utils.step_benchmark import (benchmark_main, parse_args,
                                       time_steps, training_step)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = dict(
    base='configs/pad/pad_vit-base-p16_8xb256-amp-coslr-100e_msip.py',
    tiny='configs/pad/pad_vit-128d-p8_demo-mae-pre_1xb16-200i_synthir-64px.py')
TINY = 'the demo PAD-MAE: 128-d 6-block ViT, patch 8, 64 px'
VARIANTS = ('mmir', 'lr0')
# Agreement required between the variants' fp32 steps.
RTOL, ATOL = 1e-5, 1e-7


def build_model(tiny: bool, seed: int) -> Tuple[PADMAE, ConfigDict, int]:
    """The PAD-MAE of the config (``init_cfg=None``), random weights.

    Args:
        tiny (bool): The demo-size config instead of ViT-B/16.
        seed (int): Seeds the weights.

    Returns:
        Tuple[PADMAE, ConfigDict, int]: The model, the config's AdamW
        settings and the input size.
    """
    cfg = Config.fromfile(osp.join(REPO, CONFIGS['tiny' if tiny else 'base']))
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    cfg.model.init_cfg = None
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    # init_weights logs every parameter at INFO level.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    model.init_weights()
    return model, cfg.optim_wrapper.optimizer, model.backbone.img_size[0]


def build_optimizer(model: PADMAE, variant: str,
                    settings: ConfigDict) -> torch.optim.AdamW:
    """AdamW over the trainable parameters, and for ``lr0`` the frozen ones.

    For ``lr0`` every parameter of ``model`` is set to require grad.

    Args:
        model (PADMAE): The model as built.
        variant (str): ``'mmir'`` or ``'lr0'``.
        settings (ConfigDict): The config's ``lr``, ``betas`` and
            ``weight_decay``.

    Returns:
        torch.optim.AdamW: The optimizer.
    """
    decay, no_decay, frozen = [], [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            frozen.append(param)
        elif param.ndim <= 1 or name.endswith('.bias'):
            no_decay.append(param)
        else:
            decay.append(param)
    groups = [dict(params=decay), dict(params=no_decay, weight_decay=0.0)]
    if variant == 'lr0':
        model.requires_grad_(True)
        groups.append(dict(params=frozen, lr=0.0, weight_decay=0.0))
    return torch.optim.AdamW(
        groups,
        lr=settings.lr,
        betas=tuple(settings.betas),
        weight_decay=settings.weight_decay)


def mae_loss(model: PADMAE, images: torch.Tensor) -> torch.Tensor:
    """The MAE loss of one batch."""
    return model.loss(images, [])['loss']


def make_images(batch_size: int, size: int, seed: int,
                device: str) -> torch.Tensor:
    """A reproducible batch of random images."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(
        batch_size, 3, size, size, generator=generator).to(device)


def step_once(model: PADMAE, variant: str, settings: ConfigDict,
              images: torch.Tensor,
              seed: int) -> Tuple[float, Dict[str, torch.Tensor]]:
    """One seeded fp32 step of a variant on a copy of ``model``.

    Args:
        model (PADMAE): The model as built; left unchanged.
        variant (str): ``'mmir'`` or ``'lr0'``.
        settings (ConfigDict): The config's AdamW settings.
        images (torch.Tensor): The batch.
        seed (int): Seeds the RNG before the loss (masks, dropout).

    Returns:
        Tuple[float, Dict[str, torch.Tensor]]: The loss and the parameters
        after the update.
    """
    model = copy.deepcopy(model)
    optimizer = build_optimizer(model, variant, settings)
    torch.manual_seed(seed)
    loss = mae_loss(model, images)
    loss.backward()
    optimizer.step()
    return loss.item(), {
        name: param.detach()
        for name, param in model.named_parameters()
    }


def check_step(args: argparse.Namespace) -> None:
    """Both variants must make the same fp32 step; exit otherwise."""
    model, settings, size = build_model(args.tiny, args.seed)
    # Zero-output adapters would leave most adapter weights without a
    # gradient, and their dropout without effect.
    torch.manual_seed(args.seed)
    for adapter in model.backbone.adapters():
        torch.nn.init.normal_(adapter.up.weight, std=0.02)
        torch.nn.init.normal_(adapter.scale_pred, std=0.02)
    model.train()
    images = make_images(args.batch_size, size, args.seed, 'cpu')
    before = {
        name: param.detach().clone()
        for name, param in model.named_parameters()
    }
    trainable = {
        name
        for name, param in model.named_parameters() if param.requires_grad
    }
    numel = {name: param.numel() for name, param in model.named_parameters()}
    losses, after = zip(*(step_once(model, variant, settings, images,
                                    args.seed) for variant in VARIANTS))
    loss_diff = abs(losses[0] - losses[1])
    param_diff = max((after[0][name] - after[1][name]).abs().max().item()
                     for name in trainable)
    frozen_kept = all(
        torch.equal(params[name], value) for params in after
        for name, value in before.items() if name not in trainable)
    ok = (loss_diff <= ATOL + RTOL * abs(losses[1]) and all(
        torch.allclose(after[0][name], after[1][name], RTOL, ATOL)
        for name in trainable) and frozen_kept)
    print(f'step check (fp32, train mode, same weights, masks and dropout): '
          f'loss mmir {losses[0]:.6f}, lr0 {losses[1]:.6f}, |diff| '
          f'{loss_diff:.2e}; trainable '
          f'{sum(numel[name] for name in trainable) / 1e6:.2f}M of '
          f'{sum(numel.values()) / 1e6:.2f}M parameters, max |diff| '
          f'after the update {param_diff:.2e}; frozen tensors unchanged: '
          f'{frozen_kept}: {"OK" if ok else "MISMATCH"}')
    if not ok:
        sys.exit(f'pad_mae_step: the two variants disagree (tolerance '
                 f'{RTOL} relative + {ATOL}, frozen parameters exact)')


def time_variant(args: argparse.Namespace, variant: str, precision: str,
                 device: str) -> dict:
    """Images/s and memory of ``warmup + iters`` steps of one variant."""
    model, settings, size = build_model(args.tiny, args.seed)
    model.to(device).train()
    optimizer = build_optimizer(model, variant, settings)
    images = make_images(args.batch_size, size, args.seed, device)
    step = training_step(lambda: mae_loss(model, images), optimizer, device,
                         precision)
    return time_steps(step, device, args.warmup, args.iters, args.batch_size)


def main() -> None:
    """Check the step, then time every combination and print a table."""
    args = parse_args(__doc__, TINY)
    model = 'tiny 64 px' if args.tiny else 'ViT-B/16 224 px'
    benchmark_main(args, osp.abspath(__file__), f'PAD-MAE step, {model}',
                   VARIANTS, check_step, time_variant)


if __name__ == '__main__':
    main()
