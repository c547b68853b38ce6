# Copyright (c) mmir contributors. All rights reserved.
"""Time one NMI-HAD training step: mmir's against an explicit reference.

The model is UNIP-S with an MAE-L teacher cut at layer 18, 224 px
(``configs/unip/unip-s_infmix.py``, random weights), or a tiny version
(``--tiny``).  Two implementations of the same step (loss, backward, AdamW):

* ``mmir``: ``NMIHAD.loss``.  The teacher runs blocks 1..l*-1 with the fused
  attention kernel and only q and k of block l*; the student computes only
  q and k of its last block.  Nothing the loss does not use is evaluated.
* ``naive``: a straightforward implementation.  Teacher and student run
  all their blocks (and the final norm) with explicit attention,
  ``softmax(q k^T / sqrt(d)) @ v`` materialised, and the logits of teacher
  block l* and student block 12 are kept for the same KL loss.
* ``auto``: ``mmir`` with ``teacher_layer='auto'``: every step is a first
  step, l* chosen by the NMI of every teacher layer on the batch (layer by
  layer, in chunks of ``nmi_chunk`` images) before the loss.  Its peak
  memory against ``mmir``'s shows what the choice adds to the first step.

Before timing, the ``mmir`` and ``naive`` losses are compared on one batch
with the same weights (eval mode: no drop path); the run stops if they
differ.  Each
(variant, precision, device) is then timed in a fresh subprocess and
printed with its peak and step memory, as defined in
:mod:`mmir.utils.step_benchmark`.  Numbers are printed, never checked.
"""
import argparse
import os.path as osp
import sys
from typing import Callable, Dict, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer

from mmir.models import AttnViT, NMIHAD
from mmir.registry import MODELS
from mmir.utils.step_benchmark import (benchmark_main, parse_args,
                                       time_steps, training_step)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/unip/unip-s_infmix.py')
TINY = '64-d 4-block student, 128-d 6-block teacher (l* = 4), 32 px'
CHECKED = ('mmir', 'naive')
VARIANTS = CHECKED + ('auto', )
# Loss agreement required before timing (fp32, fused vs explicit softmax).
RTOL, ATOL = 1e-4, 1e-6


def build_model(tiny: bool, seed: int) -> Tuple[NMIHAD, int]:
    """The NMI-HAD model of the UNIP-S config (or tiny), random weights.

    Returns:
        Tuple[NMIHAD, int]: The model and its input size.
    """
    cfg = Config.fromfile(CONFIG)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = cfg.model
    model_cfg.teacher_checkpoint = None
    if tiny:
        model_cfg.backbone.update(
            arch=dict(
                embed_dims=64,
                num_layers=4,
                num_heads=4,
                feedforward_channels=256),
            img_size=32,
            patch_size=8,
            last_heads=8)
        model_cfg.teacher.update(
            arch=dict(
                embed_dims=128,
                num_layers=6,
                num_heads=8,
                feedforward_channels=512),
            img_size=32,
            patch_size=8)
        model_cfg.teacher_layer = 4
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model, model.backbone.img_size[0]


def explicit_block(layer: TransformerEncoderLayer,
                   x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """One ViT block with the attention matrix materialised.

    Returns:
        Tuple[torch.Tensor, torch.Tensor]: The block output and its
        pre-softmax attention logits (B, heads, N, N).
    """
    attn = layer.attn
    batch, tokens, _ = x.shape
    qkv = attn.qkv(layer.ln1(x)).reshape(batch, tokens, 3, attn.num_heads,
                                         attn.head_dims)
    q, k, v = qkv.permute(2, 0, 3, 1, 4)
    logits = (q * attn.head_dims**-0.5) @ k.transpose(-2, -1)
    weights = F.dropout(
        logits.softmax(dim=-1), attn.attn_drop, training=attn.training)
    out = (weights @ v).transpose(1, 2).reshape(batch, tokens,
                                                attn.embed_dims)
    x = x + attn.out_drop(attn.gamma1(attn.proj_drop(attn.proj(out))))
    return layer.ffn(layer.ln2(x), identity=x), logits


def explicit_forward(vit: AttnViT, images: torch.Tensor,
                     capture: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Full ViT forward with explicit attention.

    Returns:
        Tuple[torch.Tensor, torch.Tensor]: The final tokens (after the final
        norm) and the logits of block ``capture`` (0-based).
    """
    x, _ = vit.embed(images)
    for i, layer in enumerate(vit.layers):
        x, logits = explicit_block(layer, x)
        if i == capture:
            captured = logits
    return vit.ln1(x) if vit.final_norm else x, captured


def mmir_loss(model: NMIHAD, images: torch.Tensor) -> torch.Tensor:
    """The loss as mmir computes it."""
    return model.loss(images, [])['loss']


def naive_loss(model: NMIHAD, images: torch.Tensor) -> torch.Tensor:
    """The same loss from full explicit-attention forwards."""
    with torch.no_grad():
        _, target = explicit_forward(model.teacher, images,
                                     int(model.teacher_block))
    _, pred = explicit_forward(model.backbone, images,
                               model.backbone.num_layers - 1)
    return model.head.loss(pred, target)


def auto_loss(model: NMIHAD, images: torch.Tensor) -> torch.Tensor:
    """mmir's loss with l* chosen again by NMI on this batch."""
    model.teacher_block.fill_(-1)
    return mmir_loss(model, images)


LOSSES: Dict[str, Callable[[NMIHAD, torch.Tensor], torch.Tensor]] = dict(
    mmir=mmir_loss, naive=naive_loss, auto=auto_loss)


def check_losses(args: argparse.Namespace) -> None:
    """Both variants must give the same fp32 loss; exit otherwise."""
    model, size = build_model(args.tiny, args.seed)
    model.eval()
    images = torch.randn(args.batch_size, 3, size, size)
    with torch.no_grad():
        mmir, naive = (LOSSES[name](model, images).item()
                       for name in CHECKED)
    diff = abs(mmir - naive)
    ok = diff <= ATOL + RTOL * abs(naive)
    print(f'loss check (fp32, eval mode, same batch and weights): '
          f'mmir {mmir:.6f}, naive {naive:.6f}, |diff| {diff:.2e}: '
          f'{"OK" if ok else "MISMATCH"}')
    if not ok:
        sys.exit(f'nmi_had_step: the two implementations disagree '
                 f'(tolerance {RTOL} relative + {ATOL})')


def time_variant(args: argparse.Namespace, variant: str, precision: str,
                 device: str) -> dict:
    """Images/s and memory of ``warmup + iters`` steps of one variant."""
    model, size = build_model(args.tiny, args.seed)
    model.to(device).train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=2.4e-3,
        betas=(0.9, 0.95),
        weight_decay=0.05)
    images = torch.randn(args.batch_size, 3, size, size, device=device)
    step = training_step(lambda: LOSSES[variant](model, images), optimizer,
                         device, precision)
    return time_steps(step, device, args.warmup, args.iters, args.batch_size)


def main() -> None:
    """Check the losses, then time every combination and print a table."""
    args = parse_args(__doc__, TINY)
    model = 'tiny' if args.tiny else 'UNIP-S / MAE-L l*=18'
    benchmark_main(args, osp.abspath(__file__), f'NMI-HAD step, {model}',
                   VARIANTS, check_losses, time_variant)


if __name__ == '__main__':
    main()
