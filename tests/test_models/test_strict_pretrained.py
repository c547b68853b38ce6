# Copyright (c) mmir contributors. All rights reserved.
"""Weights load strictly: new-by-design keys must be named to be allowed."""
import pytest
import torch

from mmir.models import AttnViT
from mmir.utils.key_maps import map_keys

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)


@pytest.fixture
def pretrained(tmp_path):
    source = AttnViT(arch=ARCH, img_size=32, patch_size=8)
    source.init_weights()
    path = tmp_path / 'pretrain.pth'
    torch.save(
        dict(state_dict={
            f'backbone.{k}': v
            for k, v in source.state_dict().items()
        }), path)
    return source, str(path)


def build(path, **init):
    return AttnViT(
        arch=ARCH,
        img_size=64,
        patch_size=8,
        layer_scale_init_value=1.0,
        final_norm=False,
        init_cfg=dict(
            type='mmir.StrictPretrained',
            checkpoint=path,
            prefix='backbone.',
            **init))


def test_loads_with_resized_pos_embed(pretrained):
    source, path = pretrained
    vit = build(path, allow_missing=[r'gamma[12]\.weight$'])
    vit.init_weights()
    loaded = vit.state_dict()
    for key, value in source.state_dict().items():
        if key in loaded and key != 'pos_embed':
            assert torch.equal(loaded[key], value), key
    assert vit.pos_embed.shape == (1, 65, 32)
    assert torch.equal(vit.pos_embed[0, 0], source.pos_embed[0, 0])
    assert torch.all(vit.layers[0].attn.gamma1.weight == 1.0)


def test_missing_keys_are_refused_by_name(pretrained):
    _, path = pretrained
    with pytest.raises(KeyError, match=r'pretrain\.pth.*gamma1'):
        build(path).init_weights()


def test_wrong_prefix_is_refused(pretrained):
    _, path = pretrained
    vit = AttnViT(
        arch=ARCH,
        img_size=32,
        patch_size=8,
        init_cfg=dict(
            type='mmir.StrictPretrained', checkpoint=path, prefix='neck.'))
    with pytest.raises(KeyError, match='no weights found'):
        vit.init_weights()


def test_timm_key_map():
    timm = {
        'cls_token': 0, 'patch_embed.proj.weight': 1,
        'blocks.3.norm1.bias': 2, 'blocks.3.attn.qkv.weight': 3,
        'blocks.3.mlp.fc1.weight': 4, 'blocks.3.mlp.fc2.bias': 5,
        'norm.weight': 6, 'head.weight': 7, 'decoder_embed.weight': 8
    }
    assert map_keys(timm, 'timm_vit') == {
        'cls_token': 0, 'patch_embed.projection.weight': 1,
        'layers.3.ln1.bias': 2, 'layers.3.attn.qkv.weight': 3,
        'layers.3.ffn.layers.0.0.weight': 4, 'layers.3.ffn.layers.1.bias': 5,
        'ln1.weight': 6
    }
    with pytest.raises(KeyError, match='unknown key map'):
        map_keys(timm, 'nope')
