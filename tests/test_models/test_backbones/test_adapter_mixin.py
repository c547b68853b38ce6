# Copyright (c) mmir contributors. All rights reserved.
"""An adapter backbone equals its plain backbone at initialisation."""
import pytest
import torch
from mmpretrain.models.selfsup import MAEViT, MILANViT

from mmir.models import (AdapterMAEViT, AdapterMILANViT, AdapterViT,
                         AttnViT)

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
VIT = dict(arch=ARCH, img_size=32, patch_size=8)
IMAGES = torch.randn(2, 3, 32, 32)

# (plain backbone, adapter backbone, arguments, forward arguments)
PAIRS = {
    'vit': (AttnViT, AdapterViT, dict(VIT, out_type='raw'), (IMAGES, )),
    'mae': (MAEViT, AdapterMAEViT, dict(VIT, mask_ratio=0.75), (IMAGES, )),
    'milan': (MILANViT, AdapterMILANViT, dict(VIT, mask_ratio=0.75),
              (IMAGES, torch.rand(2, 16))),
}


@pytest.mark.parametrize('pair', list(PAIRS))
def test_equals_the_plain_backbone_at_init(pair):
    plain_cls, adapter_cls, kwargs, inputs = PAIRS[pair]
    plain = plain_cls(**kwargs)
    plain.init_weights()
    model = adapter_cls(**kwargs)
    model.init_weights()
    assert isinstance(model, plain_cls)
    assert len(model.adapters()) == ARCH['num_layers']
    result = model.load_state_dict(plain.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys and all(
        '.ffn.adapter.' in key for key in result.missing_keys)
    model.train(), plain.train()
    torch.manual_seed(1)  # the same random masks
    ours = model(*inputs)
    torch.manual_seed(1)
    theirs = plain(*inputs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize('frozen_stages', [1, 2])
def test_frozen_stages_freeze_their_adapters_too(frozen_stages):
    model = AdapterViT(frozen_stages=frozen_stages, **VIT)
    for i, layer in enumerate(model.layers):
        frozen = i < frozen_stages
        assert all(p.requires_grad != frozen
                   for p in layer.ffn.adapter.parameters()), i
