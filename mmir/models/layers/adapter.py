# Copyright (c) mmir contributors. All rights reserved.
"""Bottleneck adapters that run beside a transformer block's FFN.

One mechanism for every adapter method of mmir (PAD, and any mmpretrain ViT
that wants one): :class:`Adapter` is the bottleneck branch with its scale,
:class:`AdaptedFFN` takes over an existing FFN (mmcv's, as used by
mmpretrain's ViT) and fuses both branches as PAD does:
``x + s * adapter(x) + DropPath(mlp(norm2(x)))``, where ``x`` are the
post-attention tokens.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks.transformer import FFN

SCALE_MODES = ('fixed', 'learnable', 'patchwise')


class Adapter(nn.Module):
    """LayerNorm -> down-projection -> ReLU -> dropout -> up-projection.

    The up-projection and both biases start at zero and the down-projection
    Kaiming-uniform (a = sqrt(5)), so the adapter outputs exactly 0 at
    initialisation.  The scale ``s`` of its output is

    - ``'fixed'``: the constant ``scale``;
    - ``'learnable'``: one trained scalar, initialised to ``scale``;
    - ``'patchwise'``: one value per token, ``sigmoid(w^T [mlp, adapter])``
      with ``w`` (2C -> 1, no bias) initialised to zero, i.e. 0.5 at start
      (the patchwise-scale adapter of `PAD
      <https://arxiv.org/abs/2312.08192>`_).

    Args:
        embed_dims (int): Token channels C.
        bottleneck (int): Hidden channels. Defaults to 64.
        dropout (float): Dropout after the ReLU. Defaults to 0.1.
        scale_mode (str): One of ``SCALE_MODES``. Defaults to 'patchwise'.
        scale (float): Value of the fixed or initial learnable scale.
            Defaults to 0.5.
    """

    def __init__(self,
                 embed_dims: int,
                 bottleneck: int = 64,
                 dropout: float = 0.1,
                 scale_mode: str = 'patchwise',
                 scale: float = 0.5) -> None:
        super().__init__()
        if scale_mode not in SCALE_MODES:
            raise ValueError(f'scale_mode must be one of {SCALE_MODES}, got '
                             f'{scale_mode!r}')
        self.scale_mode = scale_mode
        self.norm = nn.LayerNorm(embed_dims)
        self.down = nn.Linear(embed_dims, bottleneck)
        self.up = nn.Linear(bottleneck, embed_dims)
        self.dropout = nn.Dropout(dropout)
        if scale_mode == 'fixed':
            self.register_buffer('scale', torch.tensor(float(scale)))
        elif scale_mode == 'learnable':
            self.scale = nn.Parameter(torch.tensor(float(scale)))
        else:
            # A bare (1, 2C) weight rather than nn.Linear: mmpretrain's block
            # initialiser re-draws every Linear inside the FFN, bias included.
            self.scale_pred = nn.Parameter(torch.zeros(1, 2 * embed_dims))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Zero output at start: LoRA-style down, zero up and biases."""
        nn.init.kaiming_uniform_(self.down.weight, a=math.sqrt(5))
        for param in (self.down.bias, self.up.weight, self.up.bias):
            nn.init.zeros_(param)
        self.norm.reset_parameters()
        if self.scale_mode == 'patchwise':
            nn.init.zeros_(self.scale_pred)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The unscaled adapter output, (B, N, C)."""
        hidden = self.dropout(torch.relu(self.down(self.norm(x))))
        return self.up(hidden)

    def scale_of(self, mlp_out: torch.Tensor,
                 adapter_out: torch.Tensor) -> torch.Tensor:
        """The scale of the adapter output.

        Args:
            mlp_out (torch.Tensor): The FFN branch output (B, N, C).
            adapter_out (torch.Tensor): :meth:`forward` output (B, N, C).

        Returns:
            torch.Tensor: A scalar, or (B, N, 1) in (0, 1) when patchwise.
        """
        if self.scale_mode != 'patchwise':
            return self.scale
        return torch.sigmoid(
            F.linear(torch.cat([mlp_out, adapter_out], dim=-1),
                     self.scale_pred))


class AdaptedFFN(nn.Module):
    """An mmcv ``FFN`` with an :class:`Adapter` beside it.

    It keeps the FFN's submodules under their names (``layers``, ``gamma2``,
    ``dropout_layer``), so checkpoints of the plain model load unchanged,
    and adds ``adapter``.  The adapter term is not passed through DropPath.

    Args:
        ffn (FFN): The block's FFN, with ``add_identity=True``.
        adapter (Adapter): The adapter.
    """

    def __init__(self, ffn: FFN, adapter: Adapter) -> None:
        super().__init__()
        if not ffn.add_identity:
            raise ValueError('the FFN must add its identity (residual)')
        self.layers = ffn.layers
        self.gamma2 = ffn.gamma2
        self.dropout_layer = ffn.dropout_layer
        self.adapter = adapter

    def forward(self, x: torch.Tensor,
                identity: torch.Tensor) -> torch.Tensor:
        """``identity + s * adapter(identity) + DropPath(mlp(x))``.

        Args:
            x (torch.Tensor): The normed tokens the FFN reads.
            identity (torch.Tensor): The post-attention tokens, read by the
                adapter through its own LayerNorm.

        Returns:
            torch.Tensor: The block output.
        """
        mlp_out = self.gamma2(self.layers(x))
        adapter_out = self.adapter(identity)
        scale = self.adapter.scale_of(mlp_out, adapter_out)
        return identity + scale * adapter_out + self.dropout_layer(mlp_out)
