# Copyright (c) mmir contributors. All rights reserved.
"""Attention NMI against a direct computation, and the closest layer."""
import math

import numpy as np
import pytest
import torch

from mmir.models.utils import attention_nmi, closest_layer


def numpy_nmi(attn: np.ndarray) -> float:
    """Park et al.'s NMI of one (N, N) map, CLS first, written directly."""
    a = attn[1:, 1:] + 1e-8
    a = a / a.sum(axis=1, keepdims=True)
    n = a.shape[0]
    p_k = a.sum(axis=0) / n
    mutual = 0.0
    for i in range(n):
        for j in range(n):
            mutual += a[i, j] / n * math.log(a[i, j] / p_k[j])
    h_k = -(p_k * np.log(p_k)).sum()
    return mutual / math.sqrt(math.log(n) * h_k)


def test_nmi_matches_numpy():
    torch.manual_seed(1)
    attn = (torch.randn(2, 3, 10, 10) * 2).softmax(-1)
    nmi = attention_nmi(attn)
    assert nmi.shape == (2, 3)
    for b in range(2):
        for h in range(3):
            assert nmi[b, h].item() == pytest.approx(
                numpy_nmi(attn[b, h].double().numpy()), rel=1e-6)


def test_nmi_extremes():
    n = 17
    uniform = torch.full((1, 1, n, n), 1.0 / n)
    identity = torch.eye(n)[None, None]
    collapsed = torch.zeros(1, 1, n, n)
    collapsed[..., 3] = 1.0
    assert attention_nmi(uniform).item() == pytest.approx(0.0, abs=1e-6)
    assert attention_nmi(identity).item() == pytest.approx(1.0, abs=1e-5)
    assert attention_nmi(collapsed).item() < 1e-3


def test_closest_layer():
    assert closest_layer([0.5, 0.2, 0.1, 0.02], 0.09) == 2
    assert closest_layer([0.05, 0.13], 0.09) == 0
