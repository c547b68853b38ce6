# Copyright (c) mmir contributors. All rights reserved.
"""Attention logits of mmpretrain's ``MultiheadAttention``.

mmpretrain's attention runs the fused ``scaled_dot_product_attention`` and
never materialises the attention matrix.  Methods that need the matrix
(NMI-HAD distils it, the NMI analysis measures it) compute it here, from the
same weights, and only the q and k projections: v, the output projection and
the MLP of that block are not evaluated.
"""
import torch
import torch.nn.functional as F
from mmpretrain.models.utils import MultiheadAttention


def attention_logits(attn: MultiheadAttention,
                     x: torch.Tensor) -> torch.Tensor:
    """Return the scaled pre-softmax logits ``q k^T / sqrt(d)``.

    Args:
        attn (MultiheadAttention): The attention module of a block.
        x (torch.Tensor): Its input tokens, shape (B, N, C), i.e. already
            through the block's first norm.

    Returns:
        torch.Tensor: Logits of shape (B, heads, N, N); softmax over the
        last dimension gives the attention of each query.
    """
    batch, tokens, _ = x.shape
    dims = attn.embed_dims
    bias = None if attn.qkv.bias is None else attn.qkv.bias[:2 * dims]
    qk = F.linear(x, attn.qkv.weight[:2 * dims], bias)
    q, k = qk.reshape(batch, tokens, 2, attn.num_heads,
                      attn.head_dims).permute(2, 0, 3, 1, 4)
    return (q * attn.head_dims**-0.5) @ k.transpose(-2, -1)
