# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
from mmengine.registry import DefaultScope

from mmir.models import AdapterViT, AttnViT
from mmir.models.layers import Adapter

ARCH = dict(embed_dims=32, num_layers=3, num_heads=2, feedforward_channels=64)


def test_vit_base_adapter_parameter_count():
    vit = AdapterViT(arch='base', img_size=224, patch_size=16)
    count = sum(p.numel() for a in vit.adapters() for p in a.parameters())
    assert count == 1_226_496  # PAD: 102,208 per block x 12


def test_adapters_learn_and_change_the_output():
    vit = AdapterViT(arch=ARCH, img_size=32, patch_size=8)
    vit.init_weights()
    vit.requires_grad_(False)
    for adapter in vit.adapters():
        adapter.requires_grad_(True)
    vit(torch.randn(2, 3, 32, 32))[0].pow(2).sum().backward()
    grads = {n: p.grad for n, p in vit.named_parameters()}
    assert all((g is not None) == ('.adapter.' in n)
               for n, g in grads.items())
    up = vit.adapters()[0].up.weight
    assert grads['layers.0.ffn.adapter.up.weight'].abs().sum() > 0
    assert torch.all(up == 0)


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


def test_chosen_blocks_only_and_registry_scopes():
    vit = AdapterViT(arch=ARCH, img_size=32, patch_size=8,
                     adapter_layers=[-1])
    assert len(vit.adapters()) == 1
    assert hasattr(vit.layers[2].ffn, 'adapter')
    cfg = dict(type='mmir.AdapterViT', arch=ARCH, img_size=32, patch_size=8)
    for scope in ('mmseg', 'mmdet', 'mmpretrain'):
        registry = __import__(f'{scope}.registry',
                              fromlist=['MODELS']).MODELS
        with DefaultScope.overwrite_default_scope(scope):
            assert isinstance(registry.build(cfg), AdapterViT)


def test_strict_pretrained_keeps_trained_adapters(tmp_path):
    source = AdapterViT(arch=ARCH, img_size=32, patch_size=8)
    for param in source.parameters():
        torch.nn.init.normal_(param)
    path = str(tmp_path / 'pad.pth')
    torch.save(dict(state_dict=source.state_dict()), path)
    vit = AdapterViT(
        arch=ARCH,
        img_size=32,
        patch_size=8,
        init_cfg=dict(type='mmir.StrictPretrained', checkpoint=path))
    vit.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(vit.state_dict()[key], value), key


def test_no_adapter_layers_is_the_plain_vit():
    vit = AdapterViT(arch=ARCH, img_size=32, patch_size=8, adapter_layers=[])
    plain = AttnViT(arch=ARCH, img_size=32, patch_size=8)
    assert vit.adapters() == []
    assert list(vit.state_dict()) == list(plain.state_dict())
