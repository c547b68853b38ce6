# Copyright (c) mmir contributors. All rights reserved.
"""LL-FPN: UNIP's feature pyramid built from the last ViT block alone."""
from typing import Sequence, Tuple

import torch
from mmseg.models.necks import Feature2Pyramid

from mmir.registry import MODELS


@MODELS.register_module()
class LLFPN(Feature2Pyramid):
    """Last-Layer Feature Pyramid Network of `UNIP
    <https://arxiv.org/abs/2502.02257>`_.

    The stride-16 map of the last block (taken without the final norm) is
    copied to every level of mmseg's ``Feature2Pyramid``: stride 4 through
    deconv, norm, GELU, deconv; stride 8 through one deconv; stride 16 as
    is; stride 32 through max pooling.  Every level keeps ``embed_dim``
    channels.

    Args:
        embed_dim (int): Channels of the backbone map.
        rescales (Sequence[float]): Scale of each level. Defaults to
            (4, 2, 1, 0.5).
        norm_cfg (dict): Norm of the stride-4 branch. Defaults to
            ``dict(type='SyncBN', requires_grad=True)``.
    """

    def __init__(self,
                 embed_dim: int,
                 rescales: Sequence[float] = (4, 2, 1, 0.5),
                 norm_cfg: dict = dict(type='SyncBN', requires_grad=True)):
        super().__init__(embed_dim, list(rescales), norm_cfg)

    def forward(self,
                inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        """Build the pyramid from the last backbone output.

        Args:
            inputs (Sequence[torch.Tensor]): Backbone outputs; only the
                last one, (B, C, H, W), is used.

        Returns:
            Tuple[torch.Tensor]: One map per level, finest first.
        """
        return tuple(super().forward([inputs[-1]] * len(self.rescales)))
