# Copyright (c) mmir contributors. All rights reserved.
"""mmpretrain backbones whose checkpoint ``init_cfg`` is applied last.

mmengine defers only its own ``Pretrained`` initializer to the end of
``init_weights``; ``mmir.StrictPretrained`` runs before the children
initialise, so the children of an upstream backbone then overwrite what it
loaded: mmpretrain's ViT blocks re-draw their FFN weights, its ResNet
zeroes the last norm of every residual block.  These subclasses change
nothing but the order (:func:`~mmir.models.utils.pretrained_last`); use
them wherever an upstream backbone loads a checkpoint through an
``init_cfg``.
"""
from mmpretrain.models.backbones import BEiTViT as UpstreamBEiTViT
from mmpretrain.models.backbones import ResNet as UpstreamResNet

from mmir.registry import MODELS
from ..utils import pretrained_last


class PretrainedLastMixin:
    """Runs the upstream ``init_weights`` with the checkpoint ``init_cfg``
    applied last; list it before the upstream class."""

    def init_weights(self) -> None:
        """Initialise as mmpretrain does, then load the checkpoint."""
        with pretrained_last(self):
            super().init_weights()


@MODELS.register_module()
class BEiTViT(PretrainedLastMixin, UpstreamBEiTViT):
    """mmpretrain's ``BEiTViT``; its checkpoint ``init_cfg`` loads last."""


@MODELS.register_module()
class ResNet(PretrainedLastMixin, UpstreamResNet):
    """mmpretrain's ``ResNet``; its checkpoint ``init_cfg`` loads last."""
