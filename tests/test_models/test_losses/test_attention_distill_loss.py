# Copyright (c) mmir contributors. All rights reserved.
"""KL over attention rows against a direct computation."""
import numpy as np
import pytest
import torch

from mmir.models.losses import attention_kl_loss


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
