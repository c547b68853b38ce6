# Copyright (c) mmir contributors. All rights reserved.
"""KL over attention rows and attention NMI against direct computations."""
import math

import numpy as np
import pytest
import torch

from mmir.models.losses import attention_kl_loss
from mmir.models.utils import attention_nmi, closest_layer


def test_kl_matches_hand_computation():
    torch.manual_seed(0)
    teacher, student = torch.randn(2, 3, 5, 5), torch.randn(2, 3, 5, 5)
    tau = 2.0
    expected = 0.0
    for b in range(2):
        for h in range(3):
            for i in range(5):
                p = np.exp(teacher[b, h, i].numpy() / tau)
                p /= p.sum()
                q = np.exp(student[b, h, i].numpy())
                q /= q.sum()
                expected += float((p * np.log(p / q)).sum())
    expected /= 2 * 3 * 5
    loss = attention_kl_loss(teacher, student, temperature=tau)
    assert loss.dtype == torch.float32
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    assert attention_kl_loss(teacher, teacher).item() == pytest.approx(
        0.0, abs=1e-6)


def test_kl_is_fp32_for_half_inputs():
    logits = torch.randn(1, 2, 4, 4).half()
    assert attention_kl_loss(logits, logits * 0.5).dtype == torch.float32


def test_kl_rejects_shape_mismatch():
    with pytest.raises(ValueError, match='differ'):
        attention_kl_loss(torch.zeros(1, 2, 3, 3), torch.zeros(1, 4, 3, 3))


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
