# Copyright (c) mmir contributors. All rights reserved.
"""PAD checkpoints of the authors' code, converted, reproduce their model
(the reference model is in :mod:`.pad_reference`)."""
import os

import pytest
import torch

from mmir.checkpoint import read_state_dict
from mmir.checkpoint.formats import pad_to_mmir
from mmir.models import AdapterViT
from mmir.registry import MODELS, WEIGHT_INITIALIZERS
from ...conftest import REPO, run_tool
from .pad_reference import (ARCH, BOTTLENECK, DEPTH, DIMS, PATCH, SIZE,
                            authors_checkpoint, check_same_model,
                            converted_model, mmir_mae, random_pad)


def test_patchwise_checkpoint_reproduces_the_authors_model(tmp_path):
    ref = random_pad()
    src, dst = str(tmp_path / 'checkpoint-3.pth'), str(tmp_path / 'o.pth')
    weights = authors_checkpoint(ref, src)
    converted = pad_to_mmir(src, dst)
    meta = converted['meta']
    assert meta['key_map'] == 'pad_mae' and meta['dropped_keys'] == []
    assert meta['scale_mode'] == 'patchwise'
    assert meta['adapter_layers'] == list(range(DEPTH))
    assert meta['bottleneck'] == BOTTLENECK
    assert len(converted['state_dict']) == len(weights)
    saved = torch.load(dst, weights_only=True)
    assert set(saved['state_dict']) == set(mmir_mae().state_dict())

    model = converted_model(dst)
    check_same_model(model, ref)
    # the gates are trained (not 0.5) and differ between tokens
    scales = torch.stack([block.last_scale for block in ref.blocks])
    assert scales.std() > 0.01 and (scales - 0.5).abs().max() > 0.05

    # the [mlp, adapter] order of the gate input matters
    swapped = read_state_dict(dst)
    for i in range(DEPTH):
        key = f'backbone.layers.{i}.ffn.adapter.scale_pred'
        swapped[key] = swapped[key].roll(DIMS, dims=1)
    model.load_state_dict(swapped)
    with pytest.raises(AssertionError):
        check_same_model(model.double(), ref)


def test_backbone_loads_with_strict_pretrained(tmp_path):
    src, dst = str(tmp_path / 'pad.pth'), str(tmp_path / 'mmir.pth')
    torch.save(random_pad().state_dict(), src)  # a bare state dict
    converted = pad_to_mmir(src, dst)['state_dict']
    backbone = AdapterViT(
        arch=ARCH,
        img_size=SIZE,
        patch_size=PATCH,
        adapter_cfg=dict(bottleneck=BOTTLENECK))
    WEIGHT_INITIALIZERS.build(
        dict(type='StrictPretrained', checkpoint=dst,
             prefix='backbone.'))(backbone)
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, converted[f'backbone.{key}']), key


@pytest.mark.parametrize('scale_mode', ['fixed', 'learnable'])
def test_fixed_scale_checkpoint(tmp_path, scale_mode):
    ref = random_pad(adapter=0.3, seed=1)
    src, dst = str(tmp_path / 'pad.pth'), str(tmp_path / 'mmir.pth')
    weights = authors_checkpoint(ref, src)
    assert weights['blocks.0.adaptmlp.scale'].shape == (1, )
    converted = pad_to_mmir(src, dst)
    assert converted['meta']['scale_mode'] == 'fixed'
    scale = converted['state_dict']['backbone.layers.1.ffn.adapter.scale']
    assert scale.shape == () and scale.item() == pytest.approx(0.3)
    check_same_model(converted_model(dst, scale_mode), ref)


def test_plain_mae_of_the_pad_code_converts(tmp_path):
    # PAD's continual full pre-training baseline: no adapters
    ref = random_pad(adapter=None, seed=2)
    src, dst = str(tmp_path / 'pad.pth'), str(tmp_path / 'mmir.pth')
    authors_checkpoint(ref, src)
    meta = pad_to_mmir(src, dst)['meta']
    assert meta['adapter_layers'] == [] and meta['scale_mode'] is None
    model = mmir_mae()
    model.backbone = MODELS.build(
        dict(
            type='mmpretrain.MAEViT',
            arch=ARCH,
            img_size=SIZE,
            patch_size=PATCH))
    model.load_state_dict(read_state_dict(dst), strict=True)
    images = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        torch.testing.assert_close(
            model.eval().backbone(images, mask=None)[0],
            ref.eval().forward_encoder(images))


def test_unused_fixed_scale_of_a_gated_block_is_reported(tmp_path):
    weights = random_pad().state_dict()
    weights['blocks.1.adaptmlp.scale'] = torch.tensor([0.5])
    src, dst = str(tmp_path / 'pad.pth'), str(tmp_path / 'mmir.pth')
    torch.save(dict(model=weights), src)
    converted = pad_to_mmir(src, dst)
    assert converted['meta']['dropped_keys'] == ['blocks.1.adaptmlp.scale']
    converted_model(dst)  # strict


def test_bad_checkpoints_are_refused_naming_keys(tmp_path):
    src, dst = str(tmp_path / 'pad.pth'), str(tmp_path / 'mmir.pth')
    good = random_pad().state_dict()

    def convert(weights):
        torch.save(dict(model=weights, epoch=3), src)
        return pad_to_mmir(src, dst)

    with pytest.raises(KeyError, match=r"pad.pth.*unknown keys \['head"):
        convert(dict(good, **{'head.weight': torch.ones(2)}))
    with pytest.raises(KeyError, match=r"adaptmlp.gate.*\(1 in all\)"):
        convert(dict(good, **{'blocks.0.adaptmlp.gate': torch.ones(2)}))
    for key in ('decoder_norm.weight', 'blocks.1.adaptmlp.up_proj.bias',
                'blocks.0.mlp.fc2.weight'):
        without = {k: v for k, v in good.items() if k != key}
        with pytest.raises(KeyError, match=rf"missing keys \['{key}'\]"):
            convert(without)
    no_gate = {k: v for k, v in good.items() if 'blocks.0.scalar' not in k}
    with pytest.raises(KeyError, match=r'blocks.0.\(scalar_pred'):
        convert(no_gate)
    mixed = dict(no_gate, **{'blocks.0.adaptmlp.scale': torch.ones(1)})
    with pytest.raises(KeyError, match='mix scale'):
        convert(mixed)
    fixed = random_pad(adapter=0.5).state_dict()
    fixed['blocks.0.adaptmlp.scale'] = torch.ones(2)
    with pytest.raises(KeyError, match=r'blocks.0.adaptmlp.scale has shape'):
        convert(fixed)
    # an encoder-only timm file: no adapters needed, but the decoder is
    encoder = {k: v for k, v in good.items() if 'decoder' not in k
               and k != 'mask_token'}
    with pytest.raises(KeyError, match='missing keys.*decoder_embed'):
        convert(encoder)
    assert not os.path.exists(dst)


def test_command_line_tool(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    src = str(tmp_path / 'checkpoint-3.pth')
    weights = authors_checkpoint(random_pad(), src)
    out = run_tool([
        'tools/model_converters/pad_to_mmir.py', src,
        str(tmp_path / 'out' / 'pad_mmir.pth')
    ], env=env).stdout
    assert f'{len(weights)} tensors' in out and 'pad_mae' in out
    assert 'adapters in blocks [0, 1], bottleneck 16, scale mode ' \
        'patchwise' in out
    assert os.path.exists(tmp_path / 'out' / 'pad_mmir.pth')

    torch.save(dict(model=dict(weights, extra=torch.ones(1))), src)
    bad = run_tool([
        'tools/model_converters/pad_to_mmir.py', src,
        str(tmp_path / 'bad.pth')
    ], env=env, check=False)
    assert bad.returncode != 0 and 'Traceback' not in bad.stderr
    assert 'checkpoint-3.pth' in bad.stderr and "'extra'" in bad.stderr
