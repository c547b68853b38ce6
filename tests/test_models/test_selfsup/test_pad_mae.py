# Copyright (c) mmir contributors. All rights reserved.
import re

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmir.models import PADMAE
from mmir.registry import MODELS

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
ENCODER = dict(arch=ARCH, img_size=32, patch_size=8, mask_ratio=0.75)
ADAPTER_KEYS = r'\.ffn\.adapter\.'


def pad_mae_cfg(backbone_type='mmir.AdapterMAEViT', **kwargs):
    return dict(
        type='mmir.PADMAE',
        backbone=dict(type=backbone_type, **ENCODER),
        neck=dict(
            type='mmpretrain.MAEPretrainDecoder',
            num_patches=16,
            patch_size=8,
            embed_dim=32,
            decoder_embed_dim=16,
            decoder_depth=1,
            decoder_num_heads=2),
        head=dict(
            type='mmpretrain.MAEPretrainHead',
            norm_pix=True,
            patch_size=8,
            loss=dict(type='mmpretrain.PixelReconstructionLoss',
                      criterion='L2')),
        **kwargs)


def build(**kwargs) -> PADMAE:
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(pad_mae_cfg(**kwargs))
    model.init_weights()
    return model


def batch(size=2):
    images = [torch.rand(3, 32, 32) * 255 for _ in range(size)]
    return dict(inputs=torch.stack(images),
                data_samples=[DataSample() for _ in range(size)])


def trained_names(model):
    return {n for n, p in model.named_parameters() if p.requires_grad}


def test_pad_trains_adapters_and_decoder_only():
    model = build()
    expected = {
        n
        for n, _ in model.named_parameters()
        if re.search(ADAPTER_KEYS, n) or re.match(
            r'neck\.(decoder_blocks|ln1|decoder_pred|mask_token)', n)
    }
    assert trained_names(model) == expected
    per_block = {
        n.split('.adapter.')[1]
        for n in expected if n.startswith('backbone.layers.0.')
    }
    assert per_block == {
        'norm.weight', 'norm.bias', 'down.weight', 'down.bias', 'up.weight',
        'up.bias', 'scale_pred'
    }


def test_one_step_changes_only_the_trained_parameters():
    torch.manual_seed(0)
    model = build()
    model.train()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-2))
    # The adapters start with a zero output (zero up-projection), so their
    # down-projection and scale get gradients from the second step on.
    for _ in range(3):
        model.train_step(batch(), optim)
    changed = {
        n
        for n, p in model.named_parameters() if not torch.equal(
            p, before[n])
    }
    assert changed == trained_names(model)
    data = model.data_preprocessor(batch(), True)
    model(**data, mode='loss')['loss'].backward()
    for name, param in model.named_parameters():
        assert (param.grad is None) == (not param.requires_grad), name


def test_loads_a_mae_checkpoint_with_decoder_strictly(tmp_path):
    mae = build(backbone_type='mmpretrain.MAEViT', frozen_encoder=False)
    for param in mae.parameters():
        torch.nn.init.normal_(param)
    state = mae.state_dict()
    path = str(tmp_path / 'mae.pth')
    torch.save(dict(state_dict=state), path)
    init_cfg = dict(
        type='mmir.StrictPretrained',
        checkpoint=path,
        allow_missing=[ADAPTER_KEYS])
    model = build(init_cfg=init_cfg)
    own = model.state_dict()
    for key, value in state.items():
        assert torch.equal(own[key], value), key
    for adapter in model.backbone.adapters():
        assert torch.all(adapter.up.weight == 0)
    del state['neck.decoder_blocks.0.attn.qkv.weight']
    torch.save(dict(state_dict=state), path)
    with pytest.raises(KeyError, match='decoder_blocks.0.attn.qkv.weight'):
        build(init_cfg=init_cfg)


def test_frozen_encoder_needs_adapters_and_baseline_trains_all():
    with pytest.raises(ValueError, match='adapters'):
        build(backbone_type='mmpretrain.MAEViT')
    baseline = build(backbone_type='mmpretrain.MAEViT', frozen_encoder=False)
    assert trained_names(baseline) == {
        n
        for n, _ in baseline.named_parameters()
        if n not in ('backbone.pos_embed', 'neck.decoder_pos_embed')
    }
