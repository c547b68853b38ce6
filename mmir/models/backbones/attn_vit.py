# Copyright (c) mmir contributors. All rights reserved.
"""mmpretrain's ViT that can also return attention logits."""
import math
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models import VisionTransformer
from mmpretrain.models.utils import (build_2d_sincos_position_embedding,
                                     resize_pos_embed)

from mmir.registry import MODELS
from ..layers import attention_logits
from ..utils import init_cfg_with_pretrained, pretrained_last

# A block's 0-based index and its attention logits (B, heads, N, N).
LayerLogits = Tuple[int, torch.Tensor]


@MODELS.register_module()
class AttnViT(VisionTransformer):
    """Vision Transformer that exposes its attention logits.

    It is ``mmpretrain.VisionTransformer`` with three options used by
    mmir's methods, and :meth:`forward_attention`, which returns the scaled
    pre-softmax attention logits of chosen blocks.  :meth:`forward` is
    unchanged and runs the fused attention kernel everywhere.

    Args:
        arch (str | dict): As in ``VisionTransformer``. Defaults to 'base'.
        last_heads (int, optional): Head count of the last block, e.g. the
            teacher's head count in NMI-HAD; the other blocks keep the
            arch's. None keeps the arch's everywhere. Defaults to None.
        pos_embed_type (str): 'learnable' (mmpretrain's default) or
            'sincos': a fixed 2-D sin-cos embedding with a zero CLS row
            that is not trained. Defaults to 'learnable'.
        drop_path_mode (str): 'linear' increases stochastic depth from 0 to
            ``drop_path_rate`` over the blocks (mmpretrain's rule);
            'constant' uses ``drop_path_rate`` in every block. Defaults to
            'linear'.
        drop_path_rate (float): Stochastic depth rate. Defaults to 0.
        layer_cfgs (dict | Sequence[dict]): Per-block overrides, applied
            after the options above. Defaults to ``dict()``.
        init_scheme (str): 'mmpretrain' keeps ``VisionTransformer``'s
            initialisation; 'xavier' is MAE's and UNIP's: xavier-uniform
            weights and zero biases in every Linear, the patch embedding's
            kernel xavier-uniform as a Linear, LayerNorms at (1, 0) and
            the CLS token from N(0, 0.02). Defaults to 'mmpretrain'.
        pretrained (str, optional): Checkpoint to load, as mmseg's
            segmentors pass it (``EncoderDecoder(pretrained=...)``); the
            same as ``init_cfg=dict(type='Pretrained', checkpoint=...)``.
            Defaults to None.
        init_cfg (dict | List[dict], optional): Initializers. Defaults to
            None.
        **kwargs: Other arguments of ``VisionTransformer``.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 last_heads: Optional[int] = None,
                 pos_embed_type: str = 'learnable',
                 drop_path_mode: str = 'linear',
                 drop_path_rate: float = 0.,
                 layer_cfgs: Union[dict, Sequence[dict]] = dict(),
                 init_scheme: str = 'mmpretrain',
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None,
                 **kwargs) -> None:
        if pos_embed_type not in ('learnable', 'sincos'):
            raise ValueError(f'pos_embed_type must be "learnable" or '
                             f'"sincos", got {pos_embed_type!r}')
        if drop_path_mode not in ('linear', 'constant'):
            raise ValueError(f'drop_path_mode must be "linear" or '
                             f'"constant", got {drop_path_mode!r}')
        if init_scheme not in ('mmpretrain', 'xavier'):
            raise ValueError(f'init_scheme must be "mmpretrain" or '
                             f'"xavier", got {init_scheme!r}')
        settings = self.arch_zoo[arch.lower()] if isinstance(arch,
                                                             str) else arch
        num_layers = settings['num_layers']
        if isinstance(layer_cfgs, dict):
            layer_cfgs = [layer_cfgs] * num_layers
        layer_cfgs = [dict(cfg) for cfg in layer_cfgs]
        if drop_path_mode == 'constant':
            for cfg in layer_cfgs:
                cfg.setdefault('drop_path_rate', drop_path_rate)
        if last_heads is not None:
            if settings['embed_dims'] % last_heads:
                raise ValueError(f'last_heads={last_heads} does not divide '
                                 f'embed_dims={settings["embed_dims"]}')
            layer_cfgs[-1].setdefault('num_heads', last_heads)
        init_cfg = init_cfg_with_pretrained(pretrained, init_cfg)
        super().__init__(
            arch=arch,
            drop_path_rate=drop_path_rate,
            layer_cfgs=layer_cfgs,
            init_cfg=init_cfg,
            **kwargs)
        self.pos_embed_type = pos_embed_type
        self.init_scheme = init_scheme
        if pos_embed_type == 'sincos':
            self.pos_embed.requires_grad = False

    def init_weights(self) -> None:
        """Initialise by ``init_scheme``, then set the sin-cos table.

        A checkpoint ``init_cfg`` (``Pretrained``, ``mmir.StrictPretrained``)
        is applied last (see :func:`~mmir.models.utils.pretrained_last`).
        """
        with pretrained_last(self):
            super().init_weights()
            if self.init_scheme == 'xavier':
                self._init_xavier()
            if self.pos_embed_type == 'sincos':
                table = build_2d_sincos_position_embedding(
                    self.patch_resolution,
                    self.embed_dims,
                    cls_token=self.num_extra_tokens > 0)
                self.pos_embed.data.copy_(table.float())

    def _init_xavier(self) -> None:
        """MAE's and UNIP's initialisation (see ``init_scheme``)."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        kernel = self.patch_embed.projection.weight
        nn.init.xavier_uniform_(kernel.data.view(kernel.shape[0], -1))
        if self.cls_token is not None:
            nn.init.normal_(self.cls_token, std=0.02)

    def _prepare_pos_embed(self, state_dict: dict, prefix: str, *args,
                           **kwargs) -> None:
        """mmpretrain's load hook, which also drops a checkpoint's CLS row.

        Without a CLS token, mmpretrain drops the checkpoint's CLS row only
        when the grids match; for another grid (a 14x14 MAE table into a
        64x64 detector) it would resize the CLS row with the patches.
        """
        name = prefix + 'pos_embed'
        if not self.with_cls_token and name in state_dict:
            rows = state_dict[name].shape[1]
            if _is_square(rows - 1) and not _is_square(rows):
                state_dict[name] = state_dict[name][:, 1:]
        super()._prepare_pos_embed(state_dict, prefix, *args, **kwargs)

    def embed(self, x: torch.Tensor) -> Tuple[torch.Tensor, Tuple[int, int]]:
        """Patch tokens with CLS token and position embedding, pre-norm.

        Args:
            x (torch.Tensor): Images, shape (B, C, H, W).

        Returns:
            Tuple[torch.Tensor, Tuple[int, int]]: Tokens entering the first
            block, (B, N, C), and their patch grid (H, W).
        """
        tokens, patch_resolution = self.patch_embed(x)
        if self.cls_token is not None:
            cls_token = self.cls_token.expand(tokens.shape[0], -1, -1)
            tokens = torch.cat((cls_token, tokens), dim=1)
        tokens = tokens + resize_pos_embed(
            self.pos_embed,
            self.patch_resolution,
            patch_resolution,
            mode=self.interpolate_mode,
            num_extra_tokens=self.num_extra_tokens)
        return self.pre_norm(self.drop_after_pos(tokens)), patch_resolution

    def iter_attention(self, x: torch.Tensor,
                       block_indices: Sequence[int]) -> Iterator[LayerLogits]:
        """Yield the attention logits of the given blocks, one at a time.

        Only what the result needs runs: blocks after the last requested
        one are skipped, and that block computes its q and k only.  A
        consumer that drops each tensor before the next holds the logits of
        one block at a time.

        Args:
            x (torch.Tensor): Images, shape (B, C, H, W).
            block_indices (Sequence[int]): 0-based block indices; negative
                values count from the end.

        Yields:
            Tuple[int, torch.Tensor]: In block order, the 0-based index and
            the scaled pre-softmax logits (B, heads, N, N), CLS token
            included.
        """
        indices = {i % self.num_layers for i in block_indices}
        if not indices:
            raise ValueError('block_indices must not be empty')
        last = max(indices)
        tokens, _ = self.embed(x)
        for i, layer in enumerate(self.layers[:last + 1]):
            if i in indices:
                yield i, attention_logits(layer.attn, layer.ln1(tokens))
            if i < last:
                tokens = layer(tokens)

    def forward_attention(self, x: torch.Tensor,
                          block_indices: Sequence[int]) -> List[torch.Tensor]:
        """Return the attention logits of the given blocks.

        Args:
            x (torch.Tensor): Images, shape (B, C, H, W).
            block_indices (Sequence[int]): 0-based block indices; negative
                values count from the end.

        Returns:
            List[torch.Tensor]: For each index, in order, the logits of
            :meth:`iter_attention`.
        """
        logits = dict(self.iter_attention(x, block_indices))
        return [logits[i % self.num_layers] for i in block_indices]


def _is_square(count: int) -> bool:
    """Whether ``count`` tokens can form a square grid."""
    return count > 0 and math.isqrt(count)**2 == count
