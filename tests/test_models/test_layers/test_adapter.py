# Copyright (c) mmir contributors. All rights reserved.
"""The adapter's scale modes: PAD's patch-wise gate, fixed and learnable."""
import pytest
import torch

from mmir.models.layers import Adapter


def test_scale_modes():
    tokens = torch.randn(2, 5, 32)
    mlp_out = torch.randn(2, 5, 32)
    patchwise = Adapter(32).eval()
    torch.nn.init.normal_(patchwise.scale_pred, std=0.2)
    torch.nn.init.normal_(patchwise.up.weight, std=0.2)
    adapter_out = patchwise(tokens)
    scale = patchwise.scale_of(mlp_out, adapter_out)
    assert scale.shape == (2, 5, 1)
    # PAD: one gate per token, sigmoid(w^T [mlp, adapter]), no bias
    assert [n for n, _ in patchwise.named_parameters()
            if 'scale' in n] == ['scale_pred']
    w_mlp, w_adapter = patchwise.scale_pred.detach().double()[0].split(32)
    logits = (mlp_out.double() * w_mlp).sum(-1, keepdim=True) + (
        adapter_out.detach().double() * w_adapter).sum(-1, keepdim=True)
    expected = 1 / (1 + torch.exp(-logits))
    torch.testing.assert_close(scale.double(), expected, rtol=1e-6,
                               atol=1e-7)
    # the order [mlp, adapter] matters
    swapped = patchwise.scale_of(adapter_out, mlp_out)
    assert (swapped.double() - expected).abs().max() > 1e-2
    assert torch.all(Adapter(32).scale_of(mlp_out, tokens) == 0.5)
    fixed = Adapter(32, scale_mode='fixed', scale=0.1)
    assert 'scale' in dict(fixed.named_buffers())
    assert fixed.scale_of(mlp_out, tokens).item() == pytest.approx(0.1)
    learnable = Adapter(32, scale_mode='learnable')
    assert learnable.scale.requires_grad and learnable.scale.item() == 0.5
    with pytest.raises(ValueError, match='scale_mode'):
        Adapter(32, scale_mode='gated')
