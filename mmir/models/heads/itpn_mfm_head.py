# Copyright (c) mmir contributors. All rights reserved.
"""iTPN's masked feature modeling: each pyramid level reconstructs the
stage feature of an EMA teacher at the same stride."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer
from mmpretrain.models.utils import build_norm_layer

from mmir.registry import MODELS

DISTANCES = ('l2', 'smooth_l1', 'cosine')
TARGET_NORMS = ('layer_norm', 'none')


@MODELS.register_module()
class iTPNMFMHead(BaseModule):
    """Masked feature modeling of `iTPN <https://arxiv.org/abs/2211.12735>`_.

    The authors released no MFM code, and no text gives its momentum,
    weights or distance (our spec, section 1.5); every such choice is an
    argument here, with the defaults documented in ``configs/itpn``.

    For each pyramid level (strides 16, 8 and 4, the decoder's per-level
    sequences with mask tokens, in image order), a small transformer
    decoder of its own (``decoder_depth`` blocks) and a Linear predict,
    for every unit, the teacher's stage feature at that stride: stage 3
    (one ``C`` token), stage 2 (2x2 sub-tokens of ``C/2``) and stage 1
    (4x4 sub-tokens of ``C/4``). The loss is the chosen distance per
    sub-token, averaged over a unit's sub-tokens and over the masked units.

    Args:
        in_dims (int): Width of the decoder sequences (the pixel decoder's
            ``decoder_embed_dim``).
        stage_dims (Sequence[int]): Teacher widths of stages 1, 2, 3
            (``C/4, C/2, C``).
        inner_patches (int): Sub-tokens per unit side at stage 1.
            Defaults to 4.
        decoder_depth (int): Blocks of each level's decoder. Defaults to 2.
        num_heads (int): Heads of those blocks. Defaults to 16.
        mlp_ratio (float): Their MLP ratio. Defaults to 4.
        loss_weights (Sequence[float]): Weights of stages 1, 2, 3.
            Defaults to (1, 1, 1).
        distance (str): ``'l2'`` (mean squared error), ``'smooth_l1'``
            (beta 1) or ``'cosine'`` (1 - cosine similarity). Defaults to
            ``'l2'``.
        target_norm (str): ``'layer_norm'`` (affine-free LN over each
            target sub-token's channels) or ``'none'``. Defaults to
            ``'layer_norm'``.
        norm_cfg (dict): Norm layer. Defaults to LN with eps 1e-6.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_dims: int,
                 stage_dims: Sequence[int],
                 inner_patches: int = 4,
                 decoder_depth: int = 2,
                 num_heads: int = 16,
                 mlp_ratio: float = 4.,
                 loss_weights: Sequence[float] = (1., 1., 1.),
                 distance: str = 'l2',
                 target_norm: str = 'layer_norm',
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg: Optional[dict] = dict(
                     type='Xavier', layer='Linear', distribution='uniform')
                 ) -> None:
        super().__init__(init_cfg=init_cfg)
        if distance not in DISTANCES:
            raise ValueError(f'distance must be one of {DISTANCES}, got '
                             f'{distance!r}')
        if target_norm not in TARGET_NORMS:
            raise ValueError(f'target_norm must be one of {TARGET_NORMS}, '
                             f'got {target_norm!r}')
        if len(stage_dims) != 3 or len(loss_weights) != 3:
            raise ValueError('stage_dims and loss_weights need one value '
                             'per stage (3)')
        self.stage_dims = tuple(stage_dims)
        # sub-tokens per unit of stages 1, 2, 3
        self.sub_tokens = (inner_patches**2, (inner_patches // 2)**2, 1)
        self.loss_weights = tuple(loss_weights)
        self.distance = distance
        self.target_norm = target_norm
        # level i (strides 16, 8, 4) predicts stage 2 - i
        self.decoders = nn.ModuleList([
            nn.Sequential(*[
                TransformerEncoderLayer(
                    in_dims,
                    num_heads,
                    int(mlp_ratio * in_dims),
                    qkv_bias=True,
                    norm_cfg=norm_cfg) for _ in range(decoder_depth)
            ], build_norm_layer(norm_cfg, in_dims)) for _ in range(3)
        ])
        self.preds = nn.ModuleList([
            nn.Linear(in_dims,
                      self.sub_tokens[2 - i] * self.stage_dims[2 - i])
            for i in range(3)
        ])

    def _target(self, stage: torch.Tensor) -> torch.Tensor:
        """A stage's tokens as ``(B, N, sub_tokens, channels)``."""
        batch, units = stage.shape[:2]
        target = stage.reshape(batch, units, -1, stage.shape[-1])
        if self.target_norm == 'layer_norm':
            target = F.layer_norm(target, target.shape[-1:], eps=1e-6)
        return target

    def _distance(self, pred: torch.Tensor,
                  target: torch.Tensor) -> torch.Tensor:
        """Per unit: the distance averaged over its sub-tokens."""
        if self.distance == 'cosine':
            per_token = 1 - F.cosine_similarity(pred, target, dim=-1)
        elif self.distance == 'l2':
            per_token = (pred - target).pow(2).mean(-1)
        else:
            per_token = F.smooth_l1_loss(
                pred, target, reduction='none').mean(-1)
        return per_token.mean(-1)

    def loss(self, sequences: Sequence[torch.Tensor],
             teacher_stages: Sequence[torch.Tensor],
             mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The weighted MFM loss of each stage on the masked units.

        Args:
            sequences (Sequence[Tensor]): Per-level ``(B, N, D)`` sequences
                (strides 16, 8, 4), with position embedding.
            teacher_stages (Sequence[Tensor]): The teacher's stages 1, 2, 3
                for all ``N`` units (:meth:`iTPNHiViT.forward_stages`).
            mask (Tensor): ``(B, N)``, 1 at the masked units.

        Returns:
            dict: ``loss_mfm_stage{1,2,3}``.
        """
        losses = {}
        mask = mask.to(sequences[0].dtype)
        for level, sequence in enumerate(sequences):
            stage = 2 - level
            target = self._target(teacher_stages[stage])
            pred = self.preds[level](self.decoders[level](sequence))
            pred = pred.reshape(target.shape)
            per_unit = self._distance(pred, target.to(pred.dtype))
            value = (per_unit * mask).sum() / mask.sum().clamp(min=1)
            losses[f'loss_mfm_stage{stage + 1}'] = \
                self.loss_weights[stage] * value
        return losses
