# Copyright (c) mmir contributors. All rights reserved.
"""The integral feature pyramid of iTPN, one module from pre-training to
detection and segmentation."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.models.backbones.hivit import BlockWithRPE
from mmpretrain.models.necks.itpn_neck import PatchSplit
from mmpretrain.models.utils import build_norm_layer

from mmir.registry import MODELS
from ..utils import pretrained_last, trunc_normal_init_


def channel_mlp(dim: int, mlp_ratio: float, norm_cfg: dict,
                drop_rate: float) -> BlockWithRPE:
    """iTPN's C-MLP: a pre-LN residual MLP applied to every token on its
    own (mmpretrain's HiViT block without attention)."""
    return BlockWithRPE(
        None,
        dim,
        num_heads=0,
        mlp_ratio=mlp_ratio,
        drop=drop_rate,
        rpe=False,
        norm_cfg=norm_cfg)


def level_projections(fpn_dim: int, budget: int,
                      norm_cfg: dict) -> nn.ModuleList:
    """iTPN's per-level LN + Linear into a per-unit ``budget`` of channels:
    the levels at strides 16, 8 and 4 get ``budget``, ``budget / 4`` per
    2x2 sub-token and ``budget / 16`` per 4x4 sub-token, so each level
    flattens to ``budget`` channels per unit (the pixel decoder's and the
    CLIP head's ``decoder_embed``)."""
    if budget % 16:
        raise ValueError(f'the per-unit budget must be divisible by 16, '
                         f'got {budget}')
    return nn.ModuleList([
        nn.Sequential(
            build_norm_layer(norm_cfg, fpn_dim),
            nn.Linear(fpn_dim, budget // 4**level)) for level in range(3)
    ])


@MODELS.register_module()
class iTPNPyramid(BaseModule):
    """The integral feature pyramid of `iTPN
    <https://arxiv.org/abs/2211.12735>`_, with the authors' parameter names.

    It works on HiViT's token groups, one group per 16x16 unit (a
    ``patch_size`` unit in general), so it runs on the visible units of a
    masked image as well as on a whole one, and never mixes units: the
    same weights serve pre-training and the downstream models.

    Top-down, from the main stage (stride 16) to stride 4:

    - stride 16: the stage-3 tokens, ``align_dim_16tofpn`` (Linear to
      ``fpn_dim``, only when the widths differ);
    - stride 8: ``split_16to8`` (LN, Linear to 4 sub-tokens) plus the
      lateral ``align_dim_16to8`` of the stage-2 tokens, then
      ``block_16to8`` (``fpn_depth`` C-MLP blocks);
    - stride 4: the same with ``split_8to4``, ``align_dim_8to4`` (stage 1)
      and ``block_8to4``;
    - one more C-MLP per level, ``fpn_modules[0..2]`` for strides 16, 8, 4.

    Args:
        embed_dims (int): Width of the backbone's main stage ``C``; the
            stages are ``C/4``, ``C/2`` and ``C`` wide.
        fpn_dim (int): Width of every level. Defaults to 256.
        fpn_depth (int): C-MLP blocks after each top-down step: 2 in the
            authors' pixel pre-training and segmentation, 1 in their CLIP
            pre-training and detection. Defaults to 2.
        mlp_ratio (float): MLP ratio of the C-MLP blocks. Defaults to 4.
        norm_cfg (dict): Norm layer. Defaults to LN with eps 1e-6.
        drop_rate (float): Dropout in the C-MLP blocks. Defaults to 0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 fpn_dim: int = 256,
                 fpn_depth: int = 2,
                 mlp_ratio: float = 4.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 drop_rate: float = 0.,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims % 4:
            raise ValueError(f'embed_dims must be divisible by 4, got '
                             f'{embed_dims}')
        self.embed_dims = embed_dims
        self.fpn_dim = fpn_dim

        def blocks(depth: int) -> nn.Sequential:
            return nn.Sequential(*[
                channel_mlp(fpn_dim, mlp_ratio, norm_cfg, drop_rate)
                for _ in range(depth)
            ])

        self.align_dim_16tofpn = nn.Linear(
            embed_dims, fpn_dim) if embed_dims != fpn_dim else None
        self.split_16to8 = PatchSplit(embed_dims, fpn_dim, norm_cfg)
        self.align_dim_16to8 = nn.Linear(
            embed_dims // 2, fpn_dim, bias=False)
        self.block_16to8 = blocks(fpn_depth)
        self.split_8to4 = PatchSplit(fpn_dim, fpn_dim, norm_cfg)
        self.align_dim_8to4 = nn.Linear(embed_dims // 4, fpn_dim, bias=False)
        self.block_8to4 = blocks(fpn_depth)
        self.fpn_modules = nn.ModuleList([
            channel_mlp(fpn_dim, mlp_ratio, norm_cfg, drop_rate)
            for _ in range(3)
        ])

    def init_weights(self) -> None:
        """The authors' initialisation (truncated normal Linear weights,
        unit LNs); then any checkpoint of ``init_cfg``."""
        with pretrained_last(self):
            super().init_weights()
            trunc_normal_init_(self)

    def forward(self, stages: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """The three levels from the three stages' token groups.

        Args:
            stages (Sequence[Tensor]): HiViT's stage outputs for ``N``
                units, ``(B, N, 4, 4, C/4)``, ``(B, N, 2, 2, C/2)`` and
                ``(B, N, C)``.

        Returns:
            List[Tensor]: Levels at strides 16, 8 and 4 (in units of a
            ``patch_size / 16`` image), ``(B, N, 1, 1, fpn_dim)``,
            ``(B, N, 2, 2, fpn_dim)`` and ``(B, N, 4, 4, fpn_dim)``.
        """
        stage1, stage2, stage3 = stages
        x = stage3[:, :, None, None, :]
        levels = [x if self.align_dim_16tofpn is None else
                  self.align_dim_16tofpn(x)]
        x = self.block_16to8(
            self.split_16to8(x) + self.align_dim_16to8(stage2))
        levels.append(x)
        x = self.block_8to4(self.split_8to4(x) + self.align_dim_8to4(stage1))
        levels.append(x)
        return [block(level) for block, level in zip(self.fpn_modules, levels)]
