# Copyright (c) mmir contributors. All rights reserved.
"""ViT with a bottleneck adapter beside the FFN of chosen blocks."""
from mmir.registry import MODELS
from .adapter_mixin import AdapterMixin
from .attn_vit import AttnViT


@MODELS.register_module()
class AdapterViT(AdapterMixin, AttnViT):
    """:class:`AttnViT` with PAD's adapters, the adapter ViT of `PAD
    <https://arxiv.org/abs/2312.08192>`_ for fine-tuning.

    Args:
        adapter_cfg (dict): Arguments of
            :class:`~mmir.models.layers.Adapter`. Defaults to PAD's
            patchwise-scale adapter with bottleneck 64 and dropout 0.1.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter. Defaults to None (all).
        **kwargs: Arguments of :class:`AttnViT`.
    """
