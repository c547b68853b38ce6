# Copyright (c) mmir contributors. All rights reserved.
"""iTPN's CLIP-teacher head: SmoothL1 on normalised teacher tokens, from
the fused pyramid and from an auxiliary branch."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones.hivit import BlockWithRPE
from mmpretrain.models.utils import build_norm_layer

from mmir.registry import MODELS
from ..necks.itpn_pyramid import level_projections


@MODELS.register_module()
class iTPNClipDistillHead(BaseModule):
    """The CLIP-teacher objective of `iTPN
    <https://arxiv.org/abs/2211.12735>`_, as the authors' ``itpn_clip``
    (parameter names kept).

    Written here rather than taken from mmpretrain's ``iTPNClipHead``,
    which applies a cross-entropy (or cosine) loss to continuous CLIP
    features on masked tokens only and has no auxiliary branch.

    - Main branch: each pyramid level (strides 16, 8, 4) through LN +
      Linear into a per-unit budget of ``C`` (``C``, ``C/4`` per 2x2
      sub-token, ``C/16`` per 4x4 sub-token), summed, LN (``norm``) and
      ``lm_head`` to the teacher width.
    - Auxiliary branch: the main-stage tokens after block
      ``int(0.75 * depth)`` through ``cls_pt_layers`` (2 attention
      blocks), ``norm_cls`` and ``lm_cls_head``.
    - Target: the teacher's tokens after a LayerNorm without affine.
    - Loss: SmoothL1 (beta 1) of each branch over **all** tokens, weight 1
      each (the authors supervise every token).

    Args:
        embed_dims (int): Main-stage width ``C`` of the backbone.
        teacher_dims (int): Width of the teacher tokens.
        fpn_dim (int): Width of the pyramid levels. Defaults to 256.
        num_heads (int): Heads of the auxiliary blocks. Defaults to 8.
        aux_depth (int): Auxiliary blocks. Defaults to 2.
        mlp_ratio (float): Their MLP ratio. Defaults to 4.
        layer_scale_init_value (float): Their layer scale. Defaults to 0.1
            (the authors' CLIP models).
        norm_cfg (dict): Norm layer. Defaults to LN with eps 1e-6.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 teacher_dims: int,
                 fpn_dim: int = 256,
                 num_heads: int = 8,
                 aux_depth: int = 2,
                 mlp_ratio: float = 4.,
                 layer_scale_init_value: float = 0.1,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.decoder_embed = level_projections(fpn_dim, embed_dims, norm_cfg)
        self.norm = build_norm_layer(norm_cfg, embed_dims)
        self.lm_head = nn.Linear(embed_dims, teacher_dims)
        self.cls_pt_layers = nn.ModuleList([
            BlockWithRPE(
                None,
                embed_dims,
                num_heads,
                mlp_ratio,
                rpe=False,
                layer_scale_init_value=layer_scale_init_value,
                norm_cfg=norm_cfg) for _ in range(aux_depth)
        ])
        self.norm_cls = build_norm_layer(norm_cfg, embed_dims)
        self.lm_cls_head = nn.Linear(embed_dims, teacher_dims)

    def predict(self, levels: Sequence[torch.Tensor],
                aux_tokens: torch.Tensor) -> Sequence[torch.Tensor]:
        """Both branches' predictions ``(B, N, teacher_dims)``.

        Args:
            levels (Sequence[Tensor]): The pyramid's levels of all ``N``
                units (strides 16, 8, 4).
            aux_tokens (Tensor): The main-stage tokens ``(B, N, C)`` after
                the auxiliary block.
        """
        batch, units = aux_tokens.shape[:2]
        fused = sum(
            layer(level).reshape(batch, units, -1)
            for level, layer in zip(levels, self.decoder_embed))
        main = self.lm_head(self.norm(fused))
        x = aux_tokens
        for block in self.cls_pt_layers:
            x = block(x)
        return main, self.lm_cls_head(self.norm_cls(x))

    def loss(self, levels: Sequence[torch.Tensor], aux_tokens: torch.Tensor,
             target: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``loss_clip`` and ``loss_clip_aux`` against ``target`` tokens
        ``(B, N, teacher_dims)``."""
        main, aux = self.predict(levels, aux_tokens)
        if target.shape != main.shape:
            raise ValueError(
                f'teacher tokens {tuple(target.shape)} do not match the '
                f'predictions {tuple(main.shape)}: the teacher must give '
                f'one token per unit, of teacher_dims channels')
        target = F.layer_norm(target.float(), target.shape[-1:])
        return dict(
            loss_clip=F.smooth_l1_loss(main.float(), target),
            loss_clip_aux=F.smooth_l1_loss(aux.float(), target))
