# Copyright (c) mmir contributors. All rights reserved.
"""mmpretrain's masked-image-modeling encoders with adapters."""
from mmpretrain.models.selfsup.mae import MAEViT
from mmpretrain.models.selfsup.milan import MILANViT

from mmir.registry import MODELS
from .adapter_mixin import AdapterMixin


@MODELS.register_module()
class AdapterMAEViT(AdapterMixin, MAEViT):
    """mmpretrain's ``MAEViT`` with adapters, the encoder of PAD-MAE.

    Args:
        adapter_cfg (dict): Arguments of
            :class:`~mmir.models.layers.Adapter`. Defaults to PAD's.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter. Defaults to None (all).
        **kwargs: Arguments of ``MAEViT``.
    """


@MODELS.register_module()
class AdapterMILANViT(AdapterMixin, MILANViT):
    """mmpretrain's ``MILANViT`` with adapters (PAD applied to MILAN).

    Args:
        adapter_cfg (dict): Arguments of
            :class:`~mmir.models.layers.Adapter`. Defaults to PAD's.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter. Defaults to None (all).
        **kwargs: Arguments of ``MILANViT``.
    """
