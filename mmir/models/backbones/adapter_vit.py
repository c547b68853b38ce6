# Copyright (c) mmir contributors. All rights reserved.
"""ViT with a bottleneck adapter beside the FFN of chosen blocks."""
from typing import Optional, Sequence

from mmir.registry import MODELS
from ..layers.adapter import AdaptedFFN, Adapter
from .attn_vit import AttnViT


@MODELS.register_module()
class AdapterViT(AttnViT):
    """:class:`AttnViT` with :class:`~mmir.models.layers.adapter.Adapter`
    branches, PAD's adapter ViT.

    Every chosen block computes ``x + s * adapter(x) + DropPath(mlp(x))``
    after its attention; all other weights keep mmpretrain's names, so
    plain ViT/MAE checkpoints load, and the new keys are
    ``layers.<i>.ffn.adapter.*``.  At initialisation the adapters output
    zero and the network equals the plain ViT.

    Args:
        adapter_cfg (dict): Arguments of ``Adapter`` (``bottleneck``,
            ``dropout``, ``scale_mode``, ``scale``). Defaults to
            PAD's: ``dict(bottleneck=64, dropout=0.1,
            scale_mode='patchwise')``.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter. Defaults to None (all).
        **kwargs: Arguments of :class:`AttnViT`.
    """

    def __init__(self,
                 adapter_cfg: dict = dict(
                     bottleneck=64, dropout=0.1, scale_mode='patchwise'),
                 adapter_layers: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        indices = range(self.num_layers) if adapter_layers is None else [
            i % self.num_layers for i in adapter_layers
        ]
        for i in indices:
            layer = self.layers[i]
            layer.ffn = AdaptedFFN(layer.ffn,
                                   Adapter(self.embed_dims, **adapter_cfg))

    def adapters(self) -> list:
        """The adapters, in block order."""
        return [
            layer.ffn.adapter for layer in self.layers
            if isinstance(layer.ffn, AdaptedFFN)
        ]

    def init_weights(self) -> None:
        """Initialise as :class:`AttnViT`; adapters output zero again.

        mmpretrain re-initialises every Linear inside a block's FFN, the
        adapter's included, so the adapters are reset afterwards.
        """
        super().init_weights()
        for adapter in self.adapters():
            adapter.reset_parameters()
