# Copyright (c) mmir contributors. All rights reserved.
"""Weights load strictly: new-by-design keys must be named to be allowed."""
import pytest
import torch

from mmir.models import AttnViT
from ..conftest import run_tool

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


@pytest.mark.parametrize('scope', ['mmseg', 'mmdet'])
def test_builds_from_downstream_scopes(scope):
    # a fresh interpreter where only the registry's ``locations`` can have
    # registered it, as mmengine's ``initialize`` builds an ``init_cfg``
    script = (
        'import sys\n'
        'from mmengine.registry import DefaultScope, WEIGHT_INITIALIZERS\n'
        f'import mmir.registry, {scope}.registry\n'
        "print('mmir.checkpoint.strict_pretrained' in sys.modules)\n"
        f'with DefaultScope.overwrite_default_scope({scope!r}):\n'
        '    init = WEIGHT_INITIALIZERS.build(dict(\n'
        "        type='mmir.StrictPretrained', checkpoint='x.pth',\n"
        "        key_map='timm_vit'))\n"
        'print(type(init).__module__, init.key_map)\n')
    out = run_tool(['-c', script]).stdout.split()
    assert out[-3:] == [
        'False', 'mmir.checkpoint.strict_pretrained', 'timm_vit'
    ]
