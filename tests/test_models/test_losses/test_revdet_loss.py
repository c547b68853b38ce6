# Copyright (c) mmir contributors. All rights reserved.
"""RevDet labels, loss and accuracy against direct computations."""
import pytest
import torch

from mmir.models import (RevDetLoss, replaced_token_accuracy,
                         replaced_token_labels)
from mmir.registry import MODELS


def test_labels_mark_only_changed_tokens():
    original = torch.tensor([[[5, 6], [7, 8]]])
    # (0, 0) unmasked; (0, 1) masked, sampled the same id; (1, *) masked,
    # sampled different ids
    corrupted = torch.tensor([[[5, 6], [1, 9]]])
    labels = replaced_token_labels(original, corrupted)
    assert labels.dtype == torch.float32
    torch.testing.assert_close(labels, torch.tensor([[[0., 0.], [1., 1.]]]))


def test_labels_need_matching_shapes():
    with pytest.raises(ValueError, match='differ'):
        replaced_token_labels(torch.zeros(1, 2, 2), torch.zeros(1, 4))


def test_bce_over_all_positions():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 3) * 3
    labels = (torch.rand(2, 3, 3) > 0.6).float()
    d, y = logits.double(), labels.double()
    p = 1 / (1 + torch.exp(-d))
    expected = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    loss = MODELS.build(dict(type='mmir.RevDetLoss', loss_weight=2.))
    torch.testing.assert_close(loss(logits, labels),
                               (2 * expected).float())
    with pytest.raises(ValueError, match='differ'):
        RevDetLoss()(logits, labels[:, :2])


def test_accuracy_counts_sign_matches():
    logits = torch.tensor([[2., -1.], [0.5, -3.]])
    labels = torch.tensor([[1., 1.], [0., 0.]])
    assert replaced_token_accuracy(logits, labels).item() == 0.5
