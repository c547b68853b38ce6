# Copyright (c) mmir contributors. All rights reserved.
import torch
from mmengine.registry import DefaultScope

from mmir.models import AdapterViT, AttnViT

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
