# Copyright (c) mmir contributors. All rights reserved.
"""ViT with a bottleneck adapter beside the FFN of chosen blocks."""
from typing import Iterator, Optional, Sequence, Tuple

import torch

from mmir.registry import MODELS
from ..layers.rel_pos_attention import RelPosAttention
from .adapter_mixin import AdapterMixin
from .attn_vit import AttnViT, LayerLogits


@MODELS.register_module()
class AdapterViT(AdapterMixin, AttnViT):
    """:class:`AttnViT` with PAD's adapters, the adapter ViT of `PAD
    <https://arxiv.org/abs/2312.08192>`_ for fine-tuning.

    The attention options give PAD's downstream backbones: BEiT's per-block
    relative position bias for segmentation (``rel_pos='bias'``, with
    ``layer_scale_init_value=1.0``), and ViTDet's backbone for detection
    (``with_cls_token=False``, ``window_size=14``,
    ``global_attn_indices=(2, 5, 8, 11)``, ``rel_pos='decomposed'``).  They
    replace the attention of every block by
    :class:`~mmir.models.layers.RelPosAttention`, which keeps the weight
    names, so MAE and PAD checkpoints load; the new keys
    (``layers.<i>.attn.rel_pos_bias.relative_position_bias_table`` or
    ``layers.<i>.attn.rel_pos_[hw]``) start at zero.  Without these options
    the backbone is the plain ``AttnViT`` plus adapters.

    Args:
        adapter_cfg (dict): Arguments of
            :class:`~mmir.models.layers.Adapter`. Defaults to PAD's
            patchwise-scale adapter with bottleneck 64 and dropout 0.1.
        adapter_layers (Sequence[int], optional): 0-based blocks that get an
            adapter. Defaults to None (all).
        rel_pos (str, optional): Relative positions in every block: None;
            ``'bias'``, BEiT's bias table over the token grid of
            ``img_size`` and the CLS token (needs ``with_cls_token=True``
            and inputs of that grid); or ``'decomposed'``, ViTDet's
            ``rel_pos_h``/``rel_pos_w`` over the window, or over the grid of
            ``img_size`` in global blocks (needs ``with_cls_token=False``).
            Defaults to None.
        window_size (int): Windowed attention size in tokens; 0 keeps global
            attention everywhere. Needs ``with_cls_token=False``. Defaults
            to 0.
        global_attn_indices (Sequence[int]): 0-based blocks that keep global
            attention when ``window_size`` > 0. Defaults to ().
        **kwargs: Arguments of :class:`AttnViT`.
    """

    def __init__(self,
                 rel_pos: Optional[str] = None,
                 window_size: int = 0,
                 global_attn_indices: Sequence[int] = (),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if window_size < 0:
            raise ValueError(f'window_size must be >= 0, got {window_size}')
        if global_attn_indices and not window_size:
            raise ValueError('global_attn_indices needs window_size > 0')
        if self.with_cls_token and (window_size or rel_pos == 'decomposed'):
            raise ValueError('windowed attention and decomposed relative '
                             'positions need with_cls_token=False')
        if rel_pos == 'bias' and not self.with_cls_token:
            raise ValueError('rel_pos="bias" needs with_cls_token=True')
        self.rel_pos = rel_pos
        self.window_size = window_size
        global_blocks = {i % self.num_layers for i in global_attn_indices}
        if rel_pos or window_size:
            for i, layer in enumerate(self.layers):
                layer.attn = RelPosAttention(
                    layer.attn,
                    self.patch_resolution,
                    rel_pos=rel_pos,
                    window_size=0 if i in global_blocks else window_size)

    @property
    def _positional_attention(self) -> bool:
        """Whether the blocks run :class:`RelPosAttention`."""
        return bool(self.rel_pos or self.window_size)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """As ``VisionTransformer.forward``; the blocks get the token grid.

        Args:
            x (torch.Tensor): Images, shape (B, C, H, W).

        Returns:
            Tuple[torch.Tensor, ...]: The outputs of ``out_indices``, in the
            format of ``out_type``.
        """
        if not self._positional_attention:
            return super().forward(x)
        tokens, hw = self.embed(x)
        outs = []
        for i, layer in enumerate(self.layers):
            tokens = tokens + layer.attn(layer.ln1(tokens), hw)
            tokens = layer.ffn(layer.ln2(tokens), identity=tokens)
            if i == len(self.layers) - 1 and self.final_norm:
                tokens = self.ln1(tokens)
            if i in self.out_indices:
                outs.append(self._format_output(tokens, hw))
        return tuple(outs)

    def iter_attention(self, x: torch.Tensor,
                       block_indices: Sequence[int]) -> Iterator[LayerLogits]:
        """:meth:`AttnViT.iter_attention`, for global attention only."""
        if self._positional_attention:
            raise NotImplementedError(
                'attention logits ignore windows and relative positions')
        return super().iter_attention(x, block_indices)
