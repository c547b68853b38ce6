# Copyright (c) mmir contributors. All rights reserved.
"""Windowed attention with relative positions for mmpretrain's ViT blocks.

The downstream backbones of PAD add to a pre-trained ViT either BEiT's
per-block relative position bias (segmentation) or ViTDet's windowed
attention with decomposed relative positions (detection).
:class:`RelPosAttention` takes over a block's ``MultiheadAttention`` and adds
just that, from mmpretrain's parts: ``RelativePositionBias`` of its BEiT,
and ``window_partition``, ``window_unpartition`` and ``get_rel_pos`` of its
ViT-SAM.  The relative positions enter mmpretrain's fused attention as its
additive mask.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.beit import RelativePositionBias
from mmpretrain.models.backbones.vit_sam import (get_rel_pos,
                                                 window_partition,
                                                 window_unpartition)
from mmpretrain.models.utils import MultiheadAttention

REL_POS_MODES = (None, 'bias', 'decomposed')


class RelPosAttention(nn.Module):
    """A ``MultiheadAttention`` with windows and relative positions.

    It keeps the submodules of the attention it replaces under their names
    (``qkv``, ``proj``, ``proj_drop``, ``gamma1`` layer scale, ``out_drop``
    DropPath) and its attention dropout rate, so checkpoints of the plain
    ViT load and the block computes as before.  It adds only the relative
    position parameters, zero at start, where they change nothing:

    - ``'bias'``: BEiT's table over the whole token grid and the CLS token,
      ``rel_pos_bias.relative_position_bias_table`` of shape
      ((2H-1)(2W-1)+3, heads); the grid is fixed;
    - ``'decomposed'``: ViTDet's ``rel_pos_h`` (2H-1, head dims) and
      ``rel_pos_w`` (2W-1, head dims) for the window or the whole grid;
      other grids at run time interpolate them (as SAM does).

    With ``window_size`` > 0 the tokens attend within non-overlapping
    windows; the grid is zero-padded at the bottom and right to a multiple
    of the window, as in ViTDet.

    Args:
        attn (MultiheadAttention): The block's attention.
        grid (Tuple[int, int]): Token grid (H, W) of the training input,
            which sizes the tables of global attention.
        rel_pos (str, optional): One of ``REL_POS_MODES``. Defaults to None.
        window_size (int): Window size in tokens; 0 for global attention.
            Defaults to 0.
    """

    def __init__(self,
                 attn: MultiheadAttention,
                 grid: Tuple[int, int],
                 rel_pos: Optional[str] = None,
                 window_size: int = 0) -> None:
        super().__init__()
        if rel_pos not in REL_POS_MODES:
            raise ValueError(f'rel_pos must be one of {REL_POS_MODES}, got '
                             f'{rel_pos!r}')
        if attn.v_shortcut or attn.input_dims != attn.embed_dims:
            raise ValueError('only self-attention without v_shortcut')
        if rel_pos == 'bias' and window_size:
            raise ValueError('the BEiT bias needs global attention')
        self.embed_dims = attn.embed_dims
        self.num_heads = attn.num_heads
        self.head_dims = attn.head_dims
        self.qkv = attn.qkv
        self.attn_drop = attn.attn_drop
        self.scaled_dot_product_attention = attn.scaled_dot_product_attention
        self.proj = attn.proj
        self.proj_drop = attn.proj_drop
        self.gamma1 = attn.gamma1
        self.out_drop = attn.out_drop
        self.rel_pos = rel_pos
        self.window_size = window_size
        if rel_pos == 'bias':
            self.rel_pos_bias = RelativePositionBias(tuple(grid),
                                                     self.num_heads)
            # The index follows from the grid: no checkpoint entry for it.
            self.rel_pos_bias.register_buffer(
                'relative_position_index',
                self.rel_pos_bias.relative_position_index,
                persistent=False)
        elif rel_pos == 'decomposed':
            size = (window_size, window_size) if window_size else grid
            self.rel_pos_h = nn.Parameter(
                torch.zeros(2 * size[0] - 1, self.head_dims))
            self.rel_pos_w = nn.Parameter(
                torch.zeros(2 * size[1] - 1, self.head_dims))

    def forward(self, x: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
        """Attend, then project, as ``MultiheadAttention`` does.

        Args:
            x (torch.Tensor): Normed tokens (B, N, C); N = H * W, plus one
                leading CLS token for the ``'bias'`` mode.
            hw (Tuple[int, int]): Token grid (H, W) of ``x``.

        Returns:
            torch.Tensor: The attention branch output (B, N, C), after layer
            scale and DropPath.
        """
        batch, num_tokens, dims = x.shape
        grid = tuple(hw)
        if self.window_size:
            x, padded_hw = window_partition(
                x.view(batch, *grid, dims), self.window_size)
            grid = (self.window_size, self.window_size)
            x = x.flatten(1, 2)
        windows, length, _ = x.shape
        q, k, v = self.qkv(x).reshape(windows, length, 3, self.num_heads,
                                      self.head_dims).permute(2, 0, 3, 1, 4)
        x = self.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=self.position_bias(q, grid),
            dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(windows, length, dims)
        if self.window_size:
            x = window_unpartition(
                x.view(windows, *grid, dims), self.window_size, padded_hw,
                hw).view(batch, num_tokens, dims)
        return self.out_drop(self.gamma1(self.proj_drop(self.proj(x))))

    def position_bias(self, q: torch.Tensor,
                      grid: Tuple[int, int]) -> Optional[torch.Tensor]:
        """The additive attention bias of the relative positions.

        Args:
            q (torch.Tensor): Queries (B, heads, N, head dims), unscaled.
            grid (Tuple[int, int]): Token grid (H, W) of a window, or of the
                whole input for global attention.

        Returns:
            torch.Tensor, optional: A bias broadcastable to (B, heads, N, N)
            in the dtype of ``q``; None without relative positions.
        """
        if self.rel_pos == 'bias':
            table_grid = tuple(self.rel_pos_bias.window_size)
            if grid != table_grid:
                raise ValueError(
                    f'the relative position bias is sized for a '
                    f'{table_grid} token grid, got {grid}: feed inputs of '
                    f'the backbone img_size (e.g. slide inference)')
            return self.rel_pos_bias().unsqueeze(0).to(q.dtype)
        if self.rel_pos != 'decomposed':
            return None
        height, width = grid
        batch, heads, _, dims = q.shape
        rel_h = get_rel_pos(height, height, self.rel_pos_h)
        rel_w = get_rel_pos(width, width, self.rel_pos_w)
        q = q.reshape(batch, heads, height, width, dims)
        # q_(h, w) . R_h[h, h'] and q_(h, w) . R_w[w, w'], summed over
        # every key (h', w'): ViTDet's decomposed relative positions.
        bias_h = torch.einsum('bnhwc,hkc->bnhwk', q, rel_h.to(q.dtype))
        bias_w = torch.einsum('bnhwc,wkc->bnhwk', q, rel_w.to(q.dtype))
        bias = bias_h[..., :, None] + bias_w[..., None, :]
        return bias.reshape(batch, heads, height * width, height * width)
