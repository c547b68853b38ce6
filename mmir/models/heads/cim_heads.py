# Copyright (c) mmir contributors. All rights reserved.
"""The enhancer heads of `CIM <https://arxiv.org/abs/2202.03382>`_.

ResPix heads predict the whole image (``(B, 3, H, W)``) for
:class:`ResPixLoss`: one from the tokens of a ViT, one from the pyramid of
a CNN. The RevDet head gives one replaced-or-not logit per visual token
(``(B, h, w)``) for :class:`RevDetLoss`. The paper's text available to us
does not describe the heads (spec ``cim.md``, A.3); these are the designs
it suggests.
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.models.necks import SparKLightDecoder

from mmir.registry import MODELS

Feats = Union[Sequence[torch.Tensor], torch.Tensor]
INPUT_TYPES = ('tokens', 'map')
LINEAR_INIT = dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.)


def select_level(feats: Feats, in_index: int) -> torch.Tensor:
    """The level ``in_index`` of a backbone's outputs (a lone tensor is
    taken as a one-level tuple)."""
    if isinstance(feats, torch.Tensor):
        feats = (feats, )
    return feats[in_index]


def patch_tokens(x: torch.Tensor,
                 num_extra_tokens: int) -> Tuple[torch.Tensor, int]:
    """The patch tokens of ``(B, extra + N, C)`` and the side of their
    square grid.

    Args:
        x (torch.Tensor): One ViT level with ``out_type='raw'``.
        num_extra_tokens (int): Leading tokens to drop (the CLS token).

    Returns:
        Tuple[torch.Tensor, int]: ``(B, N, C)`` tokens and ``sqrt(N)``.
    """
    if x.dim() != 3:
        raise ValueError(f'expected (B, tokens, C) tokens, got shape '
                         f'{tuple(x.shape)} (a (B, C, h, w) map needs '
                         f"input_type='map' or ResPixConvHead)")
    tokens = x[:, num_extra_tokens:]
    side = math.isqrt(tokens.shape[1])
    if side * side != tokens.shape[1]:
        raise ValueError(f'{tokens.shape[1]} patch tokens (after dropping '
                         f'{num_extra_tokens} extra) are not a square grid')
    return tokens, side


def unpatchify(patches: torch.Tensor, side: int, patch_size: int,
               channels: int) -> torch.Tensor:
    """Place each token's pixels in its patch of the image.

    Token ``i * side + j`` fills rows ``i * p .. i * p + p - 1`` and columns
    ``j * p .. j * p + p - 1``; its vector is ordered (row, column, channel)
    within the patch, as ``MAEPretrainHead.patchify`` orders it.

    Args:
        patches (torch.Tensor): ``(B, side * side, p * p * channels)``.
        side (int): Patches per image side.
        patch_size (int): ``p``.
        channels (int): Image channels.

    Returns:
        torch.Tensor: ``(B, channels, side * p, side * p)``.
    """
    batch, size = patches.shape[0], side * patch_size
    x = patches.reshape(batch, side, side, patch_size, patch_size, channels)
    return x.permute(0, 5, 1, 3, 2, 4).reshape(batch, channels, size, size)


@MODELS.register_module()
class ResPixHead(BaseModule):
    """CIM's ResPix head for a ViT enhancer.

    A Linear maps each patch token of the level ``in_index`` (extra tokens
    dropped) to its ``patch_size`` x ``patch_size`` x ``out_channels``
    pixels, which :func:`unpatchify` places in the image.

    Args:
        in_channels (int): Token width.
        patch_size (int): The ViT's patch size. Defaults to 16.
        out_channels (int): Image channels. Defaults to 3.
        num_extra_tokens (int): Leading tokens to drop. Defaults to 1.
        in_index (int): The backbone output used. Defaults to -1.
        loss (dict): The loss, called as ``loss(pred, images)``. Defaults
            to ``dict(type='mmir.ResPixLoss')``.
        init_cfg (dict, optional): Defaults to truncated normal (std 0.02)
            Linear weights and zero biases.
    """

    def __init__(self,
                 in_channels: int,
                 patch_size: int = 16,
                 out_channels: int = 3,
                 num_extra_tokens: int = 1,
                 in_index: int = -1,
                 loss: dict = dict(type='mmir.ResPixLoss'),
                 init_cfg: Optional[dict] = LINEAR_INIT) -> None:
        super().__init__(init_cfg=init_cfg)
        self.patch_size = patch_size
        self.out_channels = out_channels
        self.num_extra_tokens = num_extra_tokens
        self.in_index = in_index
        self.proj = nn.Linear(in_channels,
                              patch_size * patch_size * out_channels)
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: Feats) -> torch.Tensor:
        """Predicted pixels.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's outputs, each
                ``(B, extra + N, C)``.

        Returns:
            torch.Tensor: ``(B, out_channels, H, W)``,
            ``H = W = sqrt(N) * patch_size``.
        """
        tokens, side = patch_tokens(
            select_level(feats, self.in_index), self.num_extra_tokens)
        return unpatchify(
            self.proj(tokens), side, self.patch_size, self.out_channels)

    def loss(self, feats: Feats, images: torch.Tensor) -> torch.Tensor:
        """The ResPix loss against the original images.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's outputs.
            images (torch.Tensor): ``(B, out_channels, H, W)`` originals.

        Returns:
            torch.Tensor: The scalar loss.
        """
        return self.loss_module(self(feats), images)


@MODELS.register_module()
class ResPixConvHead(BaseModule):
    """CIM's ResPix head for a CNN enhancer, on mmpretrain's SparK decoder.

    The backbone's levels (shallow to deep, each half the size of the
    previous) are projected by 1x1 convs, the deepest to ``feature_dim``
    channels and each shallower one to half the width of the next deeper;
    :class:`SparKLightDecoder` adds them level by level from the deepest,
    upsampling x2 after each, to the full resolution with 3 channels. For
    ResNet-50 (``out_indices=(0, 1, 2, 3)``, strides 4 to 32) C5, C4, C3
    and C2 go to 512, 256, 128 and 64 channels.

    Args:
        in_channels (Sequence[int]): Channels of the backbone's levels,
            shallow to deep. Defaults to ResNet-50's (256, 512, 1024,
            2048).
        feature_dim (int): Width of the deepest level in the decoder.
            Defaults to 512.
        upsample_ratio (int): Stride of the deepest level (a power of 2).
            Defaults to 32.
        norm_cfg (dict): Norm of the decoder (use SyncBN when
            distributed). Defaults to ``dict(type='BN')``.
        loss (dict): The loss, called as ``loss(pred, images)``. Defaults
            to ``dict(type='mmir.ResPixLoss')``.
        init_cfg (dict, optional): Of the lateral convs (the decoder keeps
            its own: Kaiming convs, unit norms). Defaults to Kaiming
            (fan-out, normal) weights and zero biases, as the decoder's.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (256, 512, 1024, 2048),
                 feature_dim: int = 512,
                 upsample_ratio: int = 32,
                 norm_cfg: dict = dict(type='BN'),
                 loss: dict = dict(type='mmir.ResPixLoss'),
                 init_cfg: Optional[dict] = dict(
                     type='Kaiming', layer='Conv2d')) -> None:
        super().__init__(init_cfg=init_cfg)
        stages = round(math.log2(upsample_ratio))
        if upsample_ratio != 2**stages or len(in_channels) > stages:
            raise ValueError(f'upsample_ratio must be a power of 2 with at '
                             f'least one x2 stage per level '
                             f'({len(in_channels)}), got {upsample_ratio}')
        if feature_dim % upsample_ratio:
            raise ValueError(f'feature_dim ({feature_dim}) must be a '
                             f'multiple of upsample_ratio ({upsample_ratio})')
        self.upsample_ratio = upsample_ratio
        self.laterals = nn.ModuleList([
            nn.Conv2d(channels, feature_dim // 2**depth, 1)
            for depth, channels in enumerate(reversed(in_channels))
        ])
        self.decoder = SparKLightDecoder(
            feature_dim, upsample_ratio, norm_cfg=norm_cfg)
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """Predicted pixels.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's ``(B, C, h, w)``
                levels, shallow to deep.

        Returns:
            torch.Tensor: ``(B, 3, H, W)``, ``H = h_deepest *
            upsample_ratio``.
        """
        if len(feats) != len(self.laterals):
            raise ValueError(f'expected {len(self.laterals)} levels, got '
                             f'{len(feats)}')
        deep_first = list(reversed(feats))
        height, width = deep_first[0].shape[-2:]
        for depth, level in enumerate(deep_first):
            if tuple(level.shape[-2:]) != (height * 2**depth,
                                           width * 2**depth):
                raise ValueError('each level must be twice the size of the '
                                 'next deeper one, got sizes ' + str(
                                     [tuple(f.shape[-2:]) for f in feats]))
        return self.decoder([
            lateral(level) for lateral, level in zip(self.laterals,
                                                     deep_first)
        ])

    def loss(self, feats: Sequence[torch.Tensor],
             images: torch.Tensor) -> torch.Tensor:
        """The ResPix loss against the original images.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's levels.
            images (torch.Tensor): ``(B, 3, H, W)`` originals.

        Returns:
            torch.Tensor: The scalar loss.
        """
        return self.loss_module(self(feats), images)


@MODELS.register_module()
class RevDetHead(BaseModule):
    """CIM's RevDet head: one replaced-or-not logit per visual token.

    With ``input_type='tokens'`` a Linear maps each patch token of a ViT
    level (``(B, extra + N, C)``, extra tokens dropped) to a logit, on a
    square ``sqrt(N)`` grid. With ``'map'`` a 1x1 conv does the same on a
    ``(B, C, h, w)`` map; ResNet-50's C4 (``in_index=2``, stride 16) is the
    14x14 grid of 16-pixel tokens at 224 px.

    Args:
        in_channels (int): Channels of the level used.
        input_type (str): ``'tokens'`` or ``'map'``. Defaults to
            ``'tokens'``.
        num_extra_tokens (int): Leading tokens to drop (``'tokens'``
            only). Defaults to 1.
        in_index (int): The backbone output used. Defaults to -1.
        loss (dict): The loss, called as ``loss(logits, labels)``.
            Defaults to ``dict(type='mmir.RevDetLoss')``.
        init_cfg (dict, optional): Defaults to truncated normal (std 0.02)
            weights and zero biases for the Linear or conv.
    """

    def __init__(self,
                 in_channels: int,
                 input_type: str = 'tokens',
                 num_extra_tokens: int = 1,
                 in_index: int = -1,
                 loss: dict = dict(type='mmir.RevDetLoss'),
                 init_cfg: Optional[dict] = dict(
                     LINEAR_INIT, layer=['Linear', 'Conv2d'])) -> None:
        super().__init__(init_cfg=init_cfg)
        if input_type not in INPUT_TYPES:
            raise ValueError(f'input_type must be one of {INPUT_TYPES}, '
                             f'got {input_type!r}')
        self.input_type = input_type
        self.num_extra_tokens = num_extra_tokens
        self.in_index = in_index
        if input_type == 'tokens':
            self.proj = nn.Linear(in_channels, 1)
        else:
            self.proj = nn.Conv2d(in_channels, 1, 1)
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: Feats) -> torch.Tensor:
        """Replaced-token logits.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's outputs.

        Returns:
            torch.Tensor: ``(B, h, w)`` logits.
        """
        x = select_level(feats, self.in_index)
        if self.input_type == 'tokens':
            tokens, side = patch_tokens(x, self.num_extra_tokens)
            return self.proj(tokens).reshape(x.shape[0], side, side)
        if x.dim() != 4:
            raise ValueError(f'expected a (B, C, h, w) map, got shape '
                             f"{tuple(x.shape)} (tokens need "
                             f"input_type='tokens')")
        return self.proj(x).squeeze(1)

    def loss(self, feats: Feats, labels: torch.Tensor) -> torch.Tensor:
        """The RevDet loss.

        Args:
            feats (Sequence[torch.Tensor]): The backbone's outputs.
            labels (torch.Tensor): ``(B, h, w)`` 0/1 replaced labels.

        Returns:
            torch.Tensor: The scalar loss.
        """
        return self.loss_module(self(feats), labels)
