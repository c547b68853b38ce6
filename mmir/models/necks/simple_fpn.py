# Copyright (c) mmir contributors. All rights reserved.
"""ViTDet's simple feature pyramid, for mmdet detectors on a plain ViT."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, build_norm_layer
from mmengine.model import BaseModule, ModuleList
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

from mmir.registry import MODELS


def resolve_norm_cfg(norm_cfg: dict) -> dict:
    """Give a norm config its class, looked up in mmpretrain's registry.

    mmcv looks norm types up in the current scope's registry, and mmdet's
    lacks mmpretrain's ``'LN2d'``; mmpretrain's finds it and, through the
    root registry, mmcv's norms ('BN', 'GN', 'SyncBN', ...).

    Args:
        norm_cfg (dict): A norm config whose type may be a name.

    Returns:
        dict: A copy whose type is a class.
    """
    norm_type = norm_cfg['type']
    if isinstance(norm_type, str):
        norm_type = MMPRETRAIN_MODELS.get(norm_type)
        if norm_type is None:
            raise KeyError(f'unknown norm type {norm_cfg["type"]!r}')
    return dict(norm_cfg, type=norm_type)


@MODELS.register_module()
class SimpleFPN(BaseModule):
    """Simple feature pyramid of `ViTDet <https://arxiv.org/abs/2203.16527>`_.

    From the single stride-16 map of a plain ViT, every scale factor builds
    one level: 4 by deconv 2x, norm, GELU, deconv 2x (to C/4 channels); 2 by
    one deconv 2x (C/2); 1 as is (C); 0.5 by 2x2 max pooling (C).  Each
    level then passes a 1x1 and a 3x3 conv to ``out_channels``, each
    followed by the norm and no activation.  Levels beyond the scale
    factors max-pool the last one with stride 2 (ViTDet's
    ``LastLevelMaxPool``, the RPN's fifth level).

    Args:
        in_channels (int): Channels C of the backbone map.
        out_channels (int): Channels of every level. Defaults to 256.
        scale_factors (Sequence[float]): Scale of each level relative to the
            input, each one of 4, 2, 1, 0.5. Defaults to (4.0, 2.0, 1.0,
            0.5).
        num_outs (int): Number of levels, at least
            ``len(scale_factors)``. Defaults to 5.
        norm_cfg (dict): Norm of the convs and of the 4x branch; ViTDet's is
            a channel LayerNorm with eps 1e-6. Defaults to
            ``dict(type='LN2d', eps=1e-6)``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 256,
                 scale_factors: Sequence[float] = (4.0, 2.0, 1.0, 0.5),
                 num_outs: int = 5,
                 norm_cfg: dict = dict(type='LN2d', eps=1e-6),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_outs < len(scale_factors):
            raise ValueError(f'num_outs={num_outs} is below the '
                             f'{len(scale_factors)} scale factors')
        norm_cfg = resolve_norm_cfg(norm_cfg)
        self.num_outs = num_outs
        self.stages = ModuleList()
        self.lateral_convs = ModuleList()
        self.fpn_convs = ModuleList()
        for scale in scale_factors:
            stage, channels = self._stage(scale, in_channels, norm_cfg)
            self.stages.append(stage)
            self.lateral_convs.append(
                ConvModule(
                    channels,
                    out_channels,
                    1,
                    norm_cfg=norm_cfg,
                    act_cfg=None))
            self.fpn_convs.append(
                ConvModule(
                    out_channels,
                    out_channels,
                    3,
                    padding=1,
                    norm_cfg=norm_cfg,
                    act_cfg=None))

    @staticmethod
    def _stage(scale: float, channels: int,
               norm_cfg: dict) -> Tuple[nn.Module, int]:
        """The resampling of one level and its output channels."""
        if scale == 4:
            return nn.Sequential(
                nn.ConvTranspose2d(channels, channels // 2, 2, stride=2),
                build_norm_layer(norm_cfg, channels // 2)[1], nn.GELU(),
                nn.ConvTranspose2d(
                    channels // 2, channels // 4, 2,
                    stride=2)), channels // 4
        if scale == 2:
            return nn.ConvTranspose2d(
                channels, channels // 2, 2, stride=2), channels // 2
        if scale == 1:
            return nn.Identity(), channels
        if scale == 0.5:
            return nn.MaxPool2d(2, stride=2), channels
        raise ValueError(f'scale factors must be 4, 2, 1 or 0.5, got {scale}')

    def forward(
        self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]]
    ) -> Tuple[torch.Tensor, ...]:
        """Build the pyramid.

        Args:
            inputs (torch.Tensor | Sequence[torch.Tensor]): The map
                (B, C, H, W), or a backbone output holding only it.

        Returns:
            Tuple[torch.Tensor, ...]: ``num_outs`` maps with
            ``out_channels`` channels, finest first.
        """
        if not isinstance(inputs, torch.Tensor):
            if len(inputs) != 1:
                raise ValueError(f'SimpleFPN takes one map, got '
                                 f'{len(inputs)}')
            inputs = inputs[0]
        outs = [
            fpn_conv(lateral_conv(stage(inputs)))
            for stage, lateral_conv, fpn_conv in zip(
                self.stages, self.lateral_convs, self.fpn_convs)
        ]
        while len(outs) < self.num_outs:
            outs.append(F.max_pool2d(outs[-1], 1, stride=2))
        return tuple(outs)
