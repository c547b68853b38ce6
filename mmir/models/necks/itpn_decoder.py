# Copyright (c) mmir contributors. All rights reserved.
"""iTPN's pre-training decoder: the pyramid levels fused into one sequence
and decoded to pixels."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer
from mmpretrain.models.utils import (build_2d_sincos_position_embedding,
                                     build_norm_layer, resize_pos_embed)

from mmir.registry import MODELS
from ..utils import pretrained_last
from .itpn_pyramid import level_projections


@MODELS.register_module()
class iTPNDecoder(BaseModule):
    """Fuse the three pyramid levels and decode pixels, as the authors'
    ``iTPNMaskedAutoencoder`` (parameter names kept).

    Each level goes through LN + Linear into a per-unit budget of
    ``decoder_embed_dim``: stride 16 to ``D``, stride 8 to ``D/4`` per
    sub-token (x4), stride 4 to ``D/16`` per sub-token (x16), flattened
    per unit. The mask token fills the dropped units of each level, the
    three sequences are restored to image order and summed, the fixed
    sin-cos position embedding is added, and an MAE decoder (``decoder_
    depth`` blocks, authors: 8 x 512, 16 heads) predicts each unit's
    ``patch_size**2 * in_channels`` pixels.  :meth:`embed` gives the
    per-level sequences to other heads (iTPN's MFM).

    Args:
        grid (Sequence[int]): Unit grid of the training size (14x14 at 224
            px with 16 px units). Defaults to (14, 14).
        fpn_dim (int): Width of the pyramid levels. Defaults to 256.
        decoder_embed_dim (int): Decoder width ``D`` (divisible by 16).
            Defaults to 512.
        decoder_depth (int): Decoder blocks. Defaults to 8.
        decoder_num_heads (int): Decoder heads. Defaults to 16.
        mlp_ratio (float): Decoder MLP ratio. Defaults to 4.
        patch_size (int): Unit size in pixels. Defaults to 16.
        in_channels (int): Image channels. Defaults to 3.
        norm_cfg (dict): Norm layer. Defaults to LN with eps 1e-6.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 grid: Sequence[int] = (14, 14),
                 fpn_dim: int = 256,
                 decoder_embed_dim: int = 512,
                 decoder_depth: int = 8,
                 decoder_num_heads: int = 16,
                 mlp_ratio: float = 4.,
                 patch_size: int = 16,
                 in_channels: int = 3,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.grid = tuple(grid)
        self.decoder_embed_dim = decoder_embed_dim
        self.decoder_embed = level_projections(fpn_dim, decoder_embed_dim,
                                               norm_cfg)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_embed_dim))
        self.decoder_pos_embed = nn.Parameter(
            torch.zeros(1, self.grid[0] * self.grid[1], decoder_embed_dim),
            requires_grad=False)
        self.decoder_blocks = nn.ModuleList([
            TransformerEncoderLayer(
                decoder_embed_dim,
                decoder_num_heads,
                int(mlp_ratio * decoder_embed_dim),
                qkv_bias=True,
                norm_cfg=norm_cfg) for _ in range(decoder_depth)
        ])
        self.decoder_norm = build_norm_layer(norm_cfg, decoder_embed_dim)
        self.decoder_pred = nn.Linear(decoder_embed_dim,
                                      patch_size**2 * in_channels)

    def init_weights(self) -> None:
        """Xavier-uniform Linear weights (MAE's), sin-cos position
        embedding, normal mask token; then any checkpoint."""
        with pretrained_last(self):
            super().init_weights()
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    nn.init.xavier_uniform_(module.weight)
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
            self.decoder_pos_embed.data.copy_(
                build_2d_sincos_position_embedding(
                    self.grid, self.decoder_embed_dim).reshape_as(
                        self.decoder_pos_embed))
            nn.init.normal_(self.mask_token, std=.02)

    def pos_embed(self, grid: Tuple[int, int]) -> torch.Tensor:
        """The decoder's position embedding for a ``grid`` of units."""
        if tuple(grid) == self.grid:
            return self.decoder_pos_embed
        return resize_pos_embed(
            self.decoder_pos_embed,
            self.grid,
            grid,
            mode='bicubic',
            num_extra_tokens=0)

    def embed(self, levels: Sequence[torch.Tensor],
              ids_restore: torch.Tensor) -> List[torch.Tensor]:
        """Each level as a ``(B, N, D)`` sequence in image order, the mask
        token at the dropped units.

        Args:
            levels (Sequence[Tensor]): The pyramid's levels of the visible
                units (strides 16, 8, 4), ``(B, N_visible, h, w, fpn_dim)``.
            ids_restore (Tensor): ``(B, N)`` indices restoring image order.

        Returns:
            List[Tensor]: Three ``(B, N, D)`` sequences.
        """
        batch, num_units = ids_restore.shape
        sequences = []
        for level, layer in zip(levels, self.decoder_embed):
            x = layer(level).reshape(batch, level.shape[1], -1)
            tokens = self.mask_token.expand(batch, num_units - x.shape[1],
                                            -1).to(x.dtype)
            x = torch.cat([x, tokens], dim=1)
            sequences.append(
                x.gather(1, ids_restore[..., None].expand(-1, -1,
                                                          x.shape[-1])))
        return sequences

    def forward(self, sequences: Sequence[torch.Tensor],
                grid: Tuple[int, int]) -> torch.Tensor:
        """Pixels of every unit from the sequences of :meth:`embed`.

        Returns:
            Tensor: ``(B, N, patch_size**2 * in_channels)``.
        """
        x = sum(sequences) + self.pos_embed(grid)
        for block in self.decoder_blocks:
            x = block(x)
        return self.decoder_pred(self.decoder_norm(x))
