# Copyright (c) mmir contributors. All rights reserved.
"""Time one iTPN pixel pre-training step: MIM, MIM + MFM, and a reference
that drops the masked units late.

The model is iTPN-B (``--arch base``: HiViT-B 3/3/24 with the 256-d
integral pyramid, the 8 x 512 decoder and mmpretrain's normalised-pixel
MAE head) at ``--img-size`` (224 by default), random weights, or a demo
layout for CPU runs (``--arch demo``: the 128-d 1/1/6 HiViT, a 64-d
pyramid, a 2 x 128 decoder).  Three variants of the same step (losses,
backward, AdamW):

* ``mim``: ``iTPN`` with the pixel target only.  ``forward_masked`` drops
  the masked 75 % of the units right after the patch embedding, so stages
  1-2, the pyramid and the main stage see the visible units only.
* ``mim+mfm``: the same with masked feature modeling (``iTPNMFMHead``):
  an EMA copy of the backbone runs every unit of the image without
  gradients, and three small decoders predict its stage features.
* ``reference``: ``mim`` with the backbone a straightforward port would
  have (:class:`LateDropHiViT`): every unit runs through the patch
  embedding and stages 1-2, the stage-1 and stage-2 outputs (the
  pyramid's lateral inputs) are kept for every unit, and the masked
  units are dropped from all three only before the main stage.

Before timing, the two backbones get the same weights and the same random
mask (the RNG seeded before each), and their stages 1-3 of the visible
units and their MIM losses must agree in fp32; the run stops otherwise
and prints ``equivalence check: ok`` when they do.  Each (variant,
precision, device) is then timed in a fresh subprocess and printed with
its peak and step memory, as defined in :mod:`mmir.utils.step_benchmark`,
followed by the ratios ``reference / mim`` and ``mim+mfm / mim`` of the
time per step and of the memory.  Numbers are printed, never checked.
"""
import argparse
import logging
import os.path as osp
import sys
from typing import Dict, Tuple

import torch
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from mmir.models import iTPN, iTPNHiViT
from mmir.models.backbones.itpn_hivit import gather_units, random_masking
from mmir.registry import MODELS
from mmir.utils.step_benchmark import (Results, benchmark_main,
                                       benchmark_parser, time_steps,
                                       training_step)

SCRIPT = osp.abspath(__file__)
PATCH_SIZE = 16
MASK_RATIO = 0.75
# Widths and depths of everything but the backbone, per --arch.
ARCHS = dict(
    base=dict(
        fpn_dim=256,
        decoder=dict(
            decoder_embed_dim=512, decoder_depth=8, decoder_num_heads=16),
        mfm=dict()),
    demo=dict(
        fpn_dim=64,
        decoder=dict(
            decoder_embed_dim=128, decoder_depth=2, decoder_num_heads=4),
        mfm=dict(decoder_depth=1, num_heads=4)))
VARIANTS = ('mim', 'mim+mfm', 'reference')
# Ratios printed after the table: (numerator, denominator) variants.
RATIOS = (('reference', 'mim'), ('mim+mfm', 'mim'))
# Agreement required between the two backbones (fp32; the early stages
# multiply matrices of different sizes, so not always bit for bit).
RTOL, ATOL = 1e-5, 1e-6


class LateDropHiViT(iTPNHiViT):
    """``iTPNHiViT`` whose :meth:`forward_masked` drops the masked units
    only before the main stage, as a straightforward port does.

    Patch embedding, stages 1-2 and their outputs (the pyramid's lateral
    inputs) are computed for every unit; the visible units are then taken
    from the three stage outputs.  The mask is drawn from the RNG as
    ``iTPNHiViT.forward_masked`` draws it, so with the same seed both give
    the same mask and, for the visible units, the same stages.
    """

    def forward_masked(self, x: torch.Tensor, mask_ratio: float = 0.75
                       ) -> Tuple[Tuple[torch.Tensor, ...], torch.Tensor,
                                  torch.Tensor]:
        """As ``iTPNHiViT.forward_masked``, the units dropped late."""
        grid = self.grid_of(x)
        units = self.patch_embed(x)
        kept, mask, restore = random_masking(units.shape[0], units.shape[1],
                                             mask_ratio, x.device)
        stage1, stage2, x = (
            gather_units(stage, kept) for stage in self._early_stages(units))
        if self.ape:
            x = x + gather_units(
                self._pos_embed(grid).expand(units.shape[0], -1, -1), kept)
        x, _ = self._main_stage(self.pos_drop(x), False)
        return (stage1, stage2, x), mask, restore


def parse_args() -> argparse.Namespace:
    """The options of :func:`benchmark_parser` with ``--arch`` and
    ``--img-size``."""
    parser = benchmark_parser(__doc__)
    parser.add_argument(
        '--arch',
        choices=sorted(ARCHS),
        default='base',
        help='iTPN-B, or the demo layout for CPU runs')
    parser.add_argument(
        '--img-size',
        type=int,
        default=224,
        help=f'image side, a multiple of {PATCH_SIZE}')
    args = parser.parse_args()
    if args.img_size % PATCH_SIZE:
        parser.error(f'--img-size must be a multiple of {PATCH_SIZE}')
    return args


def build_model(arch: str, img_size: int, variant: str, seed: int) -> iTPN:
    """The ``iTPN`` of a variant, random weights.

    Args:
        arch (str): A key of :data:`ARCHS` (also the backbone's ``arch``).
        img_size (int): Image side.
        variant (str): One of :data:`VARIANTS`.
        seed (int): Seeds the weights.

    Returns:
        iTPN: The model, on CPU.
    """
    init_default_scope('mmir')
    layout = ARCHS[arch]
    width = iTPNHiViT.arch_zoo[arch]['embed_dims']
    grid = img_size // PATCH_SIZE
    cfg = dict(
        type='mmir.iTPN',
        backbone=dict(
            type=LateDropHiViT
            if variant == 'reference' else 'mmir.iTPNHiViT',
            arch=arch,
            img_size=img_size,
            pyramid=dict(fpn_dim=layout['fpn_dim'], fpn_depth=2)),
        neck=dict(
            type='mmir.iTPNDecoder',
            grid=(grid, grid),
            fpn_dim=layout['fpn_dim'],
            **layout['decoder']),
        head=dict(
            type='mmpretrain.MAEPretrainHead',
            norm_pix=True,
            patch_size=PATCH_SIZE,
            loss=dict(
                type='mmpretrain.PixelReconstructionLoss', criterion='L2')),
        mask_ratio=MASK_RATIO)
    if variant == 'mim+mfm':
        cfg['mfm_head'] = dict(
            type='mmir.iTPNMFMHead',
            in_dims=layout['decoder']['decoder_embed_dim'],
            stage_dims=(width // 4, width // 2, width),
            **layout['mfm'])
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    # init_weights logs every parameter at INFO level.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    model.init_weights()
    return model


def make_images(batch_size: int, size: int, seed: int,
                device: str) -> torch.Tensor:
    """A reproducible batch of random images."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(
        batch_size, 3, size, size, generator=generator).to(device)


def total_loss(model: iTPN, images: torch.Tensor) -> torch.Tensor:
    """The sum of the model's losses on one batch."""
    return sum(model.loss(images, []).values())


def check_equivalence(args: argparse.Namespace) -> None:
    """The reference backbone must give the efficient one's visible-unit
    stages and MIM loss for the same weights and mask; exit otherwise."""
    efficient = build_model(args.arch, args.img_size, 'mim', args.seed)
    reference = build_model(args.arch, args.img_size, 'reference',
                            args.seed)
    reference.load_state_dict(efficient.state_dict())
    images = make_images(args.batch_size, args.img_size, args.seed, 'cpu')
    outputs, losses = [], []
    with torch.no_grad():
        for model in (efficient, reference):
            torch.manual_seed(args.seed)
            outputs.append(model.backbone.forward_masked(images, MASK_RATIO))
            torch.manual_seed(args.seed)
            losses.append(total_loss(model, images))
    (stages, mask, restore), (ref_stages, ref_mask, ref_restore) = outputs
    same_mask = torch.equal(mask, ref_mask) and torch.equal(
        restore, ref_restore)
    stage_diff = max((stage - ref).abs().max().item()
                     for stage, ref in zip(stages, ref_stages))
    ok = same_mask and all(
        torch.allclose(stage, ref, RTOL, ATOL)
        for stage, ref in zip(stages, ref_stages)) and torch.allclose(
            losses[0], losses[1], RTOL, ATOL)
    print(f'equivalence check: {"ok" if ok else "MISMATCH"} (fp32, same '
          f'weights, same mask: {same_mask}, {stages[2].shape[1]} of '
          f'{mask.shape[1]} units visible; stages 1-3 max |diff| '
          f'{stage_diff:.2e}; MIM loss mim {losses[0].item():.6f}, '
          f'reference {losses[1].item():.6f})')
    if not ok:
        sys.exit(f'itpn_step: the reference and the efficient backbone '
                 f'disagree (tolerance {RTOL} relative + {ATOL})')


def time_variant(args: argparse.Namespace, variant: str, precision: str,
                 device: str) -> Dict[str, float]:
    """Images/s and memory of ``warmup + iters`` steps of one variant."""
    model = build_model(args.arch, args.img_size, variant, args.seed)
    model.to(device).train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=1.5e-4,
        betas=(0.9, 0.95),
        weight_decay=0.05)
    images = make_images(args.batch_size, args.img_size, args.seed, device)
    step = training_step(lambda: total_loss(model, images), optimizer,
                         device, precision)
    return time_steps(step, device, args.warmup, args.iters, args.batch_size)


def print_ratios(results: Results, device: str, precision: str) -> None:
    """The :data:`RATIOS` of one device and precision, where both ran.

    Time is per step (the inverse of images/s); peak and step memory as
    in the table.
    """
    for top, bottom in RATIOS:
        numerator = results.get((top, precision, device))
        denominator = results.get((bottom, precision, device))
        if numerator is None or denominator is None:
            continue
        time = denominator['images_per_s'] / numerator['images_per_s']
        peak = numerator['peak_gib'] / denominator['peak_gib']
        step = numerator['step_gib'] / denominator['step_gib']
        print(f'{top + " / " + bottom:<20}{precision:<10}{device:<7}'
              f'time {time:.2f}x, peak {peak:.2f}x, step {step:.2f}x')


def print_all_ratios(results: Results) -> None:
    """:func:`print_ratios` of every device and precision that ran."""
    print('ratios (time per step, peak and step memory):')
    for device in dict.fromkeys(device for _, _, device in results):
        for precision in dict.fromkeys(p for _, p, _ in results):
            print_ratios(results, device, precision)


def main() -> None:
    """Check the reference, then time every combination, print a table
    and the ratios."""
    args = parse_args()
    model = 'iTPN-B' if args.arch == 'base' else f'iTPN {args.arch}'
    benchmark_main(
        args,
        SCRIPT,
        f'iTPN pre-training step, {model}, {args.img_size} px, mask ratio '
        f'{MASK_RATIO}',
        VARIANTS,
        check_equivalence,
        time_variant,
        options=['--arch', args.arch, '--img-size',
                 str(args.img_size)],
        summarise=print_all_ratios)


if __name__ == '__main__':
    main()
