# Copyright (c) mmir contributors. All rights reserved.
"""tools/analysis_tools/attention_nmi.py on tiny ViTs and SynthIR images."""
import glob
import json
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmir.models import AttnViT
from mmir.models.utils import attention_nmi
from ..conftest import REPO, run_tool

TOOL = 'tools/analysis_tools/attention_nmi.py'
UNIP = osp.join(
    REPO, 'configs/demo/unip_vit-tiny-p8_mae-auto_1xb16-300i_synthir-64px.py')
# A second model: an MAEViT config without data_preprocessor (UNIP's gray
# statistics apply), weights saved as an official MAE file (timm names, no
# prefix, a decoder).
MAE_CONFIG = """
model = dict(
    backbone=dict(
        type='MAEViT',
        arch=dict(
            embed_dims=32, num_layers=6, num_heads=4,
            feedforward_channels=64),
        img_size=64,
        patch_size=8,
        mask_ratio=0.75))
"""
NUM_IMAGES = 6
# mmpretrain -> timm names, to write an MAE-style file.
TO_TIMM = [
    (r'^patch_embed\.projection\.', 'patch_embed.proj.'),
    (r'^layers\.(\d+)\.ln1\.', r'blocks.\1.norm1.'),
    (r'^layers\.(\d+)\.ln2\.', r'blocks.\1.norm2.'),
    (r'^layers\.(\d+)\.attn\.', r'blocks.\1.attn.'),
    (r'^layers\.(\d+)\.ffn\.layers\.0\.0\.', r'blocks.\1.mlp.fc1.'),
    (r'^layers\.(\d+)\.ffn\.layers\.1\.', r'blocks.\1.mlp.fc2.'),
    (r'^ln1\.', 'norm.'),
]


def timm_names(state_dict: dict) -> dict:
    """The weights under timm / MAE names, plus a decoder tensor."""
    renamed = {}
    for key, value in state_dict.items():
        for pattern, replacement in TO_TIMM:
            key = re.sub(pattern, replacement, key)
        renamed[key] = value
    renamed['decoder_embed.weight'] = torch.zeros(2, 2)
    return renamed


def make_checkpoint(config: str, path: str, prefix: str,
                    timm: bool = False) -> AttnViT:
    """Random weights of ``model.backbone`` saved under ``prefix``, in
    ``state_dict`` as mmengine does, or timm-named in ``model`` as MAE."""
    backbone = dict(Config.fromfile(config).model.backbone)
    backbone.pop('type')
    backbone.pop('mask_ratio', None)
    torch.manual_seed(0)
    vit = AttnViT(**backbone)
    vit.init_weights()
    weights = timm_names(vit.state_dict()) if timm else vit.state_dict()
    torch.save(
        {
            'model' if timm else 'state_dict':
            {prefix + k: v
             for k, v in weights.items()}
        }, path)
    vit.eval()
    return vit


@pytest.fixture(scope='module')
def models(tmp_path_factory) -> dict:
    """Two configs with checkpoints: the demo student and a 6-layer MAE."""
    root = tmp_path_factory.mktemp('nmi_models')
    mae_config = str(root / 'mae_tiny.py')
    with open(mae_config, 'w') as file:
        file.write(MAE_CONFIG)
    unip_ckpt, mae_ckpt = str(root / 'unip.pth'), str(root / 'mae.pth')
    return dict(
        unip=(UNIP, unip_ckpt, make_checkpoint(UNIP, unip_ckpt,
                                               'backbone.')),
        mae=(mae_config, mae_ckpt,
             make_checkpoint(mae_config, mae_ckpt, '', timm=True)))


def image_dir(synthir_root: str) -> str:
    return osp.join(synthir_root, 'soda/InfraredSemanticLabel/JPEGImages')


def direct_first_layer_nmi(vit: AttnViT, folder: str) -> float:
    """Layer-1 NMI computed here: cv2 images, infmix_synthir statistics
    (RGB order), one forward."""
    paths = sorted(glob.glob(osp.join(folder, '*.jpg')))[:NUM_IMAGES]
    images = np.stack([
        cv2.resize(cv2.imread(p, cv2.IMREAD_COLOR), (64, 64))[..., ::-1]
        for p in paths
    ]).astype(np.float32)
    inputs = (images - 0.3801 * 255) / (0.1871 * 255)
    inputs = torch.from_numpy(inputs.transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        logits = vit.forward_attention(inputs, [0])[0]
    return attention_nmi(logits.softmax(-1)).mean(0).mean().item()


def test_nmi_json_plot_and_maps(models, synthir_root, tmp_path):
    (unip_cfg, unip_ckpt, unip_vit), (mae_cfg, mae_ckpt, _) = \
        models['unip'], models['mae']
    out_dir = str(tmp_path / 'out')
    run_tool([
        TOOL, unip_cfg, unip_ckpt,
        image_dir(synthir_root), '--model', mae_cfg, mae_ckpt, '--names',
        'unip', 'mae', '--num-images',
        str(NUM_IMAGES), '--batch-size', '4', '--key-map', 'mmpretrain',
        'timm_vit', '--layers', '1', '4',
        '--queries', '0', '30', '--out-dir', out_dir
    ])
    with open(osp.join(out_dir, 'nmi.json')) as file:
        result = json.load(file)
    assert set(result['nmi']) == {'unip', 'mae'}
    assert len(result['nmi']['unip']) == 4
    assert len(result['nmi']['mae']) == 6
    for values in result['nmi'].values():
        assert all(0 <= value <= 1 for value in values)
    for name, values in result['nmi'].items():
        distances = [abs(v - 0.09) for v in values]
        assert result['closest_layer'][name] == \
            distances.index(min(distances)) + 1
    assert result['nmi']['unip'][0] == pytest.approx(
        direct_first_layer_nmi(unip_vit, image_dir(synthir_root)),
        rel=1e-5)
    assert result['num_images'] == NUM_IMAGES
    assert osp.getsize(osp.join(out_dir, 'nmi.png')) > 0
    for name in ('unip', 'mae'):
        for layer in (1, 4):
            for query in (0, 30):
                assert osp.isfile(
                    osp.join(out_dir,
                             f'attn_{name}_layer{layer}_query{query}.png'))


def test_default_maps_use_centre_patch(models, synthir_root, tmp_path):
    config, checkpoint, _ = models['mae']
    out_dir = str(tmp_path / 'out')
    run_tool([
        TOOL, config, checkpoint,
        image_dir(synthir_root), '--num-images', '2', '--key-map',
        'timm_vit', '--out-dir', out_dir
    ])
    with open(osp.join(out_dir, 'nmi.json')) as file:
        chosen = json.load(file)['closest_layer']['mae_tiny']
    # 8x8 grid: CLS + row 4, column 4 -> token 37.
    layers = sorted({1, 3, 6, chosen})
    written = sorted(glob.glob(osp.join(out_dir, 'attn_*.png')))
    assert written == sorted(
        osp.join(out_dir, f'attn_mae_tiny_layer{layer}_query37.png')
        for layer in layers)


def test_wrong_prefix_or_missing_key_names_the_file(models, synthir_root,
                                                    tmp_path):
    config, checkpoint, _ = models['unip']
    proc = run_tool([
        TOOL, config, checkpoint,
        image_dir(synthir_root), '--prefix', 'teacher.', '--out-dir',
        str(tmp_path / 'out')
    ],
                    check=False)
    assert proc.returncode != 0
    assert checkpoint in proc.stderr and 'teacher.' in proc.stderr

    weights = torch.load(checkpoint, weights_only=True)['state_dict']
    weights.pop('backbone.layers.0.attn.qkv.weight')
    partial = str(tmp_path / 'partial.pth')
    torch.save({'state_dict': weights}, partial)
    proc = run_tool([
        TOOL, config, partial,
        image_dir(synthir_root), '--out-dir',
        str(tmp_path / 'out')
    ],
                    check=False)
    assert proc.returncode != 0
    assert partial in proc.stderr
    assert 'layers.0.attn.qkv.weight' in proc.stderr
