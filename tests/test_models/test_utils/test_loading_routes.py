# Copyright (c) mmir contributors. All rights reserved.
"""Every standard loading route keeps every weight of every mmir model.

A checkpoint whose every tensor differs from any initial value is loaded
through mmengine's ``Pretrained``, ``mmir.StrictPretrained`` and mmseg's
``pretrained=``; each tensor must come back exactly.
"""
import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModule
from mmengine.registry import DefaultScope

from mmir.models import AdapterViT
from mmir.registry import MODELS
from mmir.utils import register_all_modules
from ..test_selfsup.test_pad_mae import pad_mae_cfg

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
VIT = dict(arch=ARCH, img_size=32, patch_size=8)
MAE_VIT = dict(VIT, mask_ratio=0.75)
HIVIT = dict(
    arch=dict(embed_dims=64, depths=(1, 1, 1), num_heads=2), img_size=32)
# One tiny config per mmir model that initialises anything itself.
MODELS_WITH_OWN_INIT = {
    'AttnViT': dict(type='mmir.AttnViT', **VIT),
    'AttnViT-xavier': dict(type='mmir.AttnViT', init_scheme='xavier', **VIT),
    'AttnViT-sincos': dict(
        type='mmir.AttnViT', pos_embed_type='sincos', **VIT),
    'AdapterViT': dict(type='mmir.AdapterViT', **VIT),
    'AdapterViT-bias': dict(
        type='mmir.AdapterViT', rel_pos='bias', **VIT),
    'AdapterMAEViT': dict(type='mmir.AdapterMAEViT', **MAE_VIT),
    'AdapterMILANViT': dict(type='mmir.AdapterMILANViT', **MAE_VIT),
    'PADMAE': pad_mae_cfg(),
    'NMIHAD': dict(
        type='mmir.NMIHAD',
        backbone=dict(type='mmir.AttnViT', last_heads=2, **VIT),
        teacher=dict(type='mmir.AttnViT', **VIT),
        teacher_layer='auto'),
    'iTPNHiViT': dict(
        type='mmir.iTPNHiViT',
        mask_token=True,
        pyramid=dict(fpn_dim=32, fpn_depth=1),
        **HIVIT),
    'iTPNPyramid': dict(type='mmir.iTPNPyramid', embed_dims=64, fpn_dim=32),
    'AdaViProClassifier': dict(
        type='mmir.AdaViProClassifier',
        classifier=dict(
            type='ImageClassifier',
            _scope_='mmpretrain',
            backbone=dict(type='VisionTransformer', **VIT),
            head=dict(
                type='LinearClsHead', num_classes=3, in_channels=32)),
        prompter=dict(type='mmir.PadPrompter', image_size=32, prompt_size=4),
        mask_generator=dict(
            type='mmir.RegionMaskGenerator', embed_dims=8, region_size=8)),
    'BEiTViT': dict(
        type='mmir.BEiTViT',
        layer_scale_init_value=0.1,
        use_abs_pos_emb=False,
        use_rel_pos_bias=True,
        **VIT),
    'ResNet': dict(
        type='mmir.ResNet', depth=50, stem_channels=8, base_channels=4),
    'iTPNDecoder': dict(
        type='mmir.iTPNDecoder',
        grid=(2, 2),
        fpn_dim=32,
        decoder_embed_dim=32,
        decoder_depth=1,
        decoder_num_heads=2),
}


def build(cfg: dict, **kwargs) -> torch.nn.Module:
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(dict(copy.deepcopy(cfg), **kwargs))
    model.init_weights()
    return model


def distinct_state(model: torch.nn.Module) -> dict:
    """The model's state with every tensor moved off its initial value."""
    torch.manual_seed(1)
    state = {}
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            value = value + torch.randn_like(value) + 0.5
        else:
            value = value + 3
        state[key] = value
    return state


def save(state: dict, path, prefix: str = '') -> str:
    torch.save({'state_dict': {prefix + k: v for k, v in state.items()}},
               path)
    return str(path)


def assert_same(model: torch.nn.Module, state: dict) -> None:
    loaded = model.state_dict()
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert torch.equal(loaded[key], value), key


def test_every_model_with_its_own_init_is_covered():
    register_all_modules(init_default_scope=False)
    own_init = {
        name
        for name, cls in MODELS.module_dict.items()
        if isinstance(cls, type) and issubclass(cls, BaseModule)
        and cls.init_weights is not BaseModule.init_weights
    }
    covered = {name.split('-')[0] for name in MODELS_WITH_OWN_INIT}
    assert own_init and own_init <= covered, own_init - covered


@pytest.mark.parametrize('name', list(MODELS_WITH_OWN_INIT))
@pytest.mark.parametrize('route', ['Pretrained', 'mmir.StrictPretrained'])
def test_init_cfg_routes_keep_every_weight(tmp_path, name, route):
    cfg = MODELS_WITH_OWN_INIT[name]
    state = distinct_state(build(cfg))
    path = save(state, tmp_path / 'model.pth', prefix='backbone.')
    model = build(
        cfg,
        init_cfg=dict(type=route, checkpoint=path, prefix='backbone.'))
    assert_same(model, state)


def test_list_init_cfg_loads_after_the_other_initializers(tmp_path):
    cfg = MODELS_WITH_OWN_INIT['AdapterViT']
    state = distinct_state(build(cfg))
    path = save(state, tmp_path / 'model.pth')
    model = build(
        cfg,
        init_cfg=[
            dict(type='Pretrained', checkpoint=path),
            dict(type='Constant', layer='Linear', val=0.0)
        ])
    assert_same(model, state)


def pad_checkpoint(tmp_path) -> tuple:
    """A trained-looking PAD-MAE checkpoint and its backbone weights."""
    pad = build(MODELS_WITH_OWN_INIT['PADMAE'])
    state = distinct_state(pad)
    path = save(state, tmp_path / 'pad.pth')
    backbone = {
        k[len('backbone.'):]: v
        for k, v in state.items() if k.startswith('backbone.')
    }
    return path, backbone


@pytest.mark.parametrize('route', ['Pretrained', 'mmir.StrictPretrained'])
def test_pad_checkpoint_into_adapter_vit(tmp_path, route):
    path, backbone = pad_checkpoint(tmp_path)
    vit = build(
        MODELS_WITH_OWN_INIT['AdapterViT'],
        init_cfg=dict(type=route, checkpoint=path, prefix='backbone.'))
    assert len([k for k in backbone if '.adapter.' in k]) == 14
    assert_same(vit, backbone)


def test_mmseg_pretrained_keeps_trained_adapters(tmp_path):
    pytest.importorskip('mmseg')
    path, backbone = pad_checkpoint(tmp_path)
    torch.save(backbone, tmp_path / 'backbone.pth')
    with DefaultScope.overwrite_default_scope('mmseg'):
        segmentor = MODELS.build(
            dict(
                type='mmseg.EncoderDecoder',
                pretrained=str(tmp_path / 'backbone.pth'),
                # As from a config file: mmseg sets backbone.pretrained.
                backbone=ConfigDict(type='mmir.AdapterViT', **VIT),
                decode_head=dict(
                    type='mmseg.FCNHead',
                    in_channels=32,
                    channels=16,
                    num_convs=1,
                    num_classes=3)))
    segmentor.init_weights()
    assert isinstance(segmentor.backbone, AdapterViT)
    assert_same(segmentor.backbone, backbone)


def test_pretrained_and_init_cfg_together_are_refused():
    with pytest.raises(ValueError, match='not both'):
        AdapterViT(
            pretrained='a.pth',
            init_cfg=dict(type='Pretrained', checkpoint='a.pth'),
            **VIT)


def test_mmseg_pretrained_keeps_the_itpn_pyramid(tmp_path):
    pytest.importorskip('mmseg')
    state = distinct_state(build(MODELS_WITH_OWN_INIT['iTPNHiViT']))
    torch.save(state, tmp_path / 'backbone.pth')
    with DefaultScope.overwrite_default_scope('mmseg'):
        segmentor = MODELS.build(
            dict(
                type='mmseg.EncoderDecoder',
                pretrained=str(tmp_path / 'backbone.pth'),
                backbone=ConfigDict(
                    MODELS_WITH_OWN_INIT['iTPNHiViT'], out_type='seg'),
                decode_head=dict(
                    type='mmseg.FCNHead',
                    in_channels=96,
                    in_index=2,
                    channels=16,
                    num_convs=1,
                    num_classes=3)))
    segmentor.init_weights()
    assert any(k.startswith('pyramid.') for k in state)
    assert_same(segmentor.backbone, state)
