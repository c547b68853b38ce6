# Copyright (c) mmir contributors. All rights reserved.
"""Official MAE, DINO and iBOT ViTs, converted, reproduce an independent
timm-style forward."""
import os

import pytest
import torch

from mmir.checkpoint import load_strict, map_keys, read_state_dict
from mmir.checkpoint.formats import teacher_to_mmir
from ...conftest import REPO, run_tool
from .vit_reference import build_nmi_had, check_forward, timm_weights, vit


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


def test_teachers_from_mae_dino_and_ibot_files(tmp_path):
    heads = [4, 4]
    weights = timm_weights(48, heads, seed=1)
    mae = dict(weights, mask_token=torch.zeros(1, 1, 48))
    # iBOT: the ViT and a projection head under ``teacher``
    ibot = {f'backbone.{k}': v for k, v in weights.items()}
    ibot['head.last_layer.weight_g'] = torch.ones(8, 1)
    files = {
        'mae': (dict(model=mae), ''),
        'dino': (weights, ''),
        'ibot': (dict(teacher=ibot, epoch=3), 'backbone.'),
    }
    for name, (content, prefix) in files.items():
        src, dst = str(tmp_path / f'{name}.pth'), str(tmp_path / f'{name}_t')
        torch.save(content, src)
        meta = teacher_to_mmir(src, dst, prefix=prefix)['meta']
        assert meta['dropped_keys'] == (['mask_token']
                                        if name == 'mae' else []), name
        model = vit(48, heads)
        load_strict(model, read_state_dict(dst), dst)
        check_forward(model, weights, heads)
    with pytest.raises(KeyError, match='ibot.pth: block keys'):
        teacher_to_mmir(str(tmp_path / 'ibot.pth'), str(tmp_path / 'x'))


def test_teacher_loads_into_nmi_had(tmp_path):
    src, dst = str(tmp_path / 'mae.pth'), str(tmp_path / 'teacher.pth')
    weights = timm_weights(48, [4, 4], seed=2)
    torch.save(dict(model=weights), src)
    teacher_to_mmir(src, dst)
    model = build_nmi_had(teacher_checkpoint=dst)
    for key, value in model.teacher.state_dict().items():
        torch.testing.assert_close(value, read_state_dict(dst)[key])


def test_inputs_without_vit_weights_are_refused(tmp_path):
    path = str(tmp_path / 'resnet.pth')
    torch.save(dict(state_dict={'conv1.weight': torch.ones(1)}), path)
    with pytest.raises(KeyError, match='resnet.pth'):
        teacher_to_mmir(path, str(tmp_path / 'out.pth'))
    assert not os.path.exists(tmp_path / 'out.pth')


def test_command_line_tool(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    weights = timm_weights(32, [2, 4])
    ibot = str(tmp_path / 'ibot.pth')
    teacher = {f'backbone.{k}': v for k, v in weights.items()}
    torch.save(dict(teacher=dict(teacher, mask_token=torch.ones(1))), ibot)
    out = run_tool([
        'tools/model_converters/teacher_to_mmir.py', ibot,
        str(tmp_path / 't.pth'), '--prefix', 'backbone.'
    ], env=env).stdout
    assert f'{len(weights)} tensors' in out and 'dropped 0 keys' in out
