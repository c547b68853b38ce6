# Copyright (c) mmir contributors. All rights reserved.
"""Adapters as an option of any mmpretrain ViT-like backbone."""
from typing import List, Optional, Sequence

from ..layers.adapter import AdaptedFFN, Adapter
from ..utils import pretrained_last

PAD_ADAPTER = dict(bottleneck=64, dropout=0.1, scale_mode='patchwise')


class AdapterMixin:
    """Give a ViT's blocks :class:`~mmir.models.layers.Adapter` branches.

    Put it first among the bases of a backbone whose blocks keep their FFN
    in ``layers[i].ffn`` and call it as ``ffn(norm(x), identity=x)``
    (mmpretrain's ``VisionTransformer``, ``MAEViT``, ``MILANViT``)::

        @MODELS.register_module()
        class AdapterMAEViT(AdapterMixin, MAEViT):
            pass

    Every chosen block then computes ``x + s * adapter(x) +
    DropPath(mlp(x))`` after its attention.  All other weights keep their
    names, so checkpoints of the plain backbone load, and the new keys are
    ``layers.<i>.ffn.adapter.*``.  At initialisation the adapters output
    zero and the backbone equals the plain one.

    Args:
        adapter_cfg (dict): Arguments of ``Adapter`` (``bottleneck``,
            ``dropout``, ``scale_mode``, ``scale``). Defaults to PAD's:
            ``dict(bottleneck=64, dropout=0.1, scale_mode='patchwise')``.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter; negative values count from the end. Defaults to None
            (all).
        **kwargs: Arguments of the backbone.
    """

    def __init__(self,
                 adapter_cfg: dict = PAD_ADAPTER,
                 adapter_layers: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        num_layers = len(self.layers)
        indices = range(num_layers) if adapter_layers is None else sorted(
            {i % num_layers
             for i in adapter_layers})
        for i in indices:
            layer = self.layers[i]
            layer.ffn = AdaptedFFN(layer.ffn,
                                   Adapter(self.embed_dims, **adapter_cfg))
        # The backbone froze its first blocks before the adapters existed.
        if getattr(self, 'frozen_stages', 0) > 0:
            self._freeze_stages()

    def adapters(self) -> List[Adapter]:
        """The adapters, in block order."""
        return [
            layer.ffn.adapter for layer in self.layers
            if isinstance(layer.ffn, AdaptedFFN)
        ]

    def init_weights(self) -> None:
        """Initialise as the backbone; the adapters output zero again.

        mmpretrain re-initialises every Linear of a block (and ``MAEViT``
        every Linear of the model), the adapters' included, so they are
        reset afterwards.  A checkpoint ``init_cfg`` (mmengine's
        ``Pretrained`` or ``mmir.StrictPretrained``, e.g. a PAD checkpoint
        with trained adapters) loads after that (see
        :func:`~mmir.models.utils.pretrained_last`).
        """
        with pretrained_last(self):
            super().init_weights()
            for adapter in self.adapters():
                adapter.reset_parameters()
