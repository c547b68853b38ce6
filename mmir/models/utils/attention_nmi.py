# Copyright (c) mmir contributors. All rights reserved.
"""Normalised mutual information between attention queries and keys.

The definition of Park et al. (2023), "What do self-supervised ViTs learn?",
for a row-stochastic attention matrix ``A`` over ``n`` tokens: queries are
uniform, ``p(k_j | q_i) = A_ij``, and

    NMI(A) = I(Q; K) / sqrt(H(Q) H(K)),  H(Q) = log n.

NMI is near 0 when every query attends to the same keys (global attention)
and near 1 when each query attends to its own position (local attention).
"""
from typing import Sequence

import torch


def attention_nmi(attention: torch.Tensor,
                  num_extra_tokens: int = 1,
                  eps: float = 1e-8) -> torch.Tensor:
    """NMI of each (image, head) attention map.

    As Park et al.: the rows and columns of extra tokens (CLS) are dropped,
    ``eps`` is added and the rows are renormalised.

    Args:
        attention (torch.Tensor): Softmax attention (B, H, N, N), rows
            summing to 1, extra tokens first.
        num_extra_tokens (int): Leading tokens to drop. Defaults to 1.
        eps (float): Added before renormalising. Defaults to 1e-8.

    Returns:
        torch.Tensor: (B, H) NMI values in float64.
    """
    attn = attention.double()[..., num_extra_tokens:, num_extra_tokens:]
    attn = attn + eps
    attn = attn / attn.sum(dim=-1, keepdim=True)
    n = attn.shape[-1]
    p_key = attn.mean(dim=-2, keepdim=True)
    mutual = (attn * (attn / p_key).log()).sum(dim=(-2, -1)) / n
    h_query = torch.log(torch.tensor(float(n), dtype=torch.float64))
    h_key = -(p_key * p_key.log()).sum(dim=(-2, -1))
    return mutual / torch.sqrt(h_query * h_key)


def closest_layer(layer_nmi: Sequence[float], target: float = 0.09) -> int:
    """Index of the layer whose NMI is closest to ``target``.

    Args:
        layer_nmi (Sequence[float]): One NMI per layer.
        target (float): UNIP's s. Defaults to 0.09.

    Returns:
        int: 0-based index (first one on ties).
    """
    distances = [abs(value - target) for value in layer_nmi]
    return distances.index(min(distances))
