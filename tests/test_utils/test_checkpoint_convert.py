# Copyright (c) mmir contributors. All rights reserved.
"""Converted checkpoints reproduce an independent timm-style forward."""
import argparse
import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.registry import DefaultScope

from mmir.models import AttnViT
from mmir.registry import MODELS, WEIGHT_INITIALIZERS
from mmir.utils.checkpoint import load_strict, read_state_dict
from mmir.utils.checkpoint_convert import (config_last_heads, mmir_to_mmseg,
                                           teacher_to_mmir, unip_to_mmir)
from ..conftest import REPO, run_tool

PATCH, SIZE = 8, 32
# A tiny NMI-HAD student: 32-d, 3 blocks, the last with 4 heads.
STUDENT = dict(
    type='AttnViT',
    arch=dict(
        embed_dims=32, num_layers=3, num_heads=2, feedforward_channels=64),
    img_size=SIZE,
    patch_size=PATCH,
    last_heads=4,
    pos_embed_type='sincos')


def timm_weights(dims: int, heads: list, seed: int = 0) -> dict:
    """Random ViT weights under timm/MAE names (``len(heads)`` blocks)."""
    gen = torch.Generator().manual_seed(seed)

    def rand(*shape, mean=0.):
        return mean + 0.3 * torch.randn(*shape, generator=gen)

    tokens = (SIZE // PATCH)**2 + 1
    weights = {
        'cls_token': rand(1, 1, dims),
        'pos_embed': rand(1, tokens, dims),
        'patch_embed.proj.weight': rand(dims, 3, PATCH, PATCH),
        'patch_embed.proj.bias': rand(dims),
        'norm.weight': rand(dims, mean=1.),
        'norm.bias': rand(dims),
    }
    shapes = {
        'attn.qkv': (3 * dims, dims),
        'attn.proj': (dims, dims),
        'mlp.fc1': (4 * dims, dims),
        'mlp.fc2': (dims, 4 * dims),
    }
    for i in range(len(heads)):
        for norm in ('norm1', 'norm2'):
            weights[f'blocks.{i}.{norm}.weight'] = rand(dims, mean=1.)
            weights[f'blocks.{i}.{norm}.bias'] = rand(dims)
        for name, shape in shapes.items():
            weights[f'blocks.{i}.{name}.weight'] = rand(*shape) / math.sqrt(
                shape[1] / 4)
            weights[f'blocks.{i}.{name}.bias'] = rand(shape[0])
    return weights


def reference_forward(weights: dict, images: torch.Tensor,
                      heads: list) -> tuple:
    """A timm-style ViT written from the key layout, in float64.

    Returns the tokens after the final norm and every block's pre-softmax
    logits q k^T / sqrt(d).
    """
    w = {k: v.double() for k, v in weights.items()}

    def norm(x, name):
        return F.layer_norm(x, x.shape[-1:], w[f'{name}.weight'],
                            w[f'{name}.bias'], 1e-6)

    def linear(x, name):
        return F.linear(x, w[f'{name}.weight'], w[f'{name}.bias'])

    x = F.conv2d(images.double(), w['patch_embed.proj.weight'],
                 w['patch_embed.proj.bias'], stride=PATCH)
    x = x.flatten(2).transpose(1, 2)
    x = torch.cat([w['cls_token'].expand(len(x), -1, -1), x], dim=1)
    x = x + w['pos_embed']
    batch, tokens, dims = x.shape
    all_logits = []
    for i, num_heads in enumerate(heads):
        qkv = linear(norm(x, f'blocks.{i}.norm1'), f'blocks.{i}.attn.qkv')
        # rows [0, C) are q, [C, 2C) k, [2C, 3C) v; heads are chunks
        q, k, v = (
            qkv[..., j * dims:(j + 1) * dims].reshape(
                batch, tokens, num_heads, dims // num_heads).transpose(1, 2)
            for j in range(3))
        logits = q @ k.transpose(-2, -1) / math.sqrt(dims // num_heads)
        all_logits.append(logits)
        out = (logits.softmax(-1) @ v).transpose(1, 2).reshape(x.shape)
        x = x + linear(out, f'blocks.{i}.attn.proj')
        hidden = F.gelu(
            linear(norm(x, f'blocks.{i}.norm2'), f'blocks.{i}.mlp.fc1'))
        x = x + linear(hidden, f'blocks.{i}.mlp.fc2')
    return norm(x, 'norm'), all_logits


def vit(dims: int, heads: list, **kwargs) -> AttnViT:
    """An AttnViT with the shapes of ``timm_weights(dims, heads)``."""
    last_heads = heads[-1] if heads[-1] != heads[0] else None
    return AttnViT(
        arch=dict(
            embed_dims=dims,
            num_layers=len(heads),
            num_heads=heads[0],
            feedforward_channels=4 * dims),
        img_size=SIZE,
        patch_size=PATCH,
        out_type='raw',
        last_heads=last_heads,
        **kwargs)


def load_student(model: AttnViT, path: str) -> None:
    """Load the ``backbone.`` weights of ``path`` as the fine-tuning configs'
    ``mmir.StrictPretrained`` does."""
    WEIGHT_INITIALIZERS.build(
        dict(type='StrictPretrained', checkpoint=path,
             prefix='backbone.'))(model)


def check_forward(model: AttnViT, weights: dict, heads: list) -> None:
    """Assert the model's tokens and logits equal the reference's."""
    images = torch.randn(2, 3, SIZE, SIZE)
    model.double().eval()
    tokens, logits = reference_forward(weights, images, heads)
    with torch.no_grad():
        torch.testing.assert_close(model(images.double())[0], tokens)
        model_logits = model.forward_attention(images.double(),
                                               range(len(heads)))
    for ours, ref in zip(model_logits, logits):
        torch.testing.assert_close(ours, ref)


def test_unip_to_mmir_reproduces_the_authors_forward(tmp_path):
    heads = [2, 2, 4]
    weights = timm_weights(32, heads)
    src = str(tmp_path / 'unip.pth')
    # as the authors' main_pretrain.py saves it, arguments included
    torch.save(
        dict(model=weights, epoch=99, args=argparse.Namespace(lr=1e-3)),
        src)
    dst = str(tmp_path / 'out' / 'unip_mmir.pth')
    unip_to_mmir(src, dst, last_heads=4)

    converted = torch.load(dst, weights_only=True)
    assert converted['meta']['last_heads'] == 4
    assert converted['meta']['source'] == src
    assert len(converted['state_dict']) == len(weights)
    assert all(k.startswith('backbone.') for k in converted['state_dict'])
    assert 'backbone.ln1.weight' in converted['state_dict']

    model = vit(32, heads)
    load_student(model, dst)
    check_forward(model, weights, heads)
    # the head count matters: regrouping the last block changes the output
    regrouped = vit(32, [2, 2, 2])
    load_student(regrouped, dst)
    with pytest.raises(AssertionError):
        check_forward(regrouped, weights, heads)


def test_strict_pretrained_init_cfg_keeps_converted_weights(tmp_path):
    src, dst = str(tmp_path / 'unip.pth'), str(tmp_path / 'mmir.pth')
    torch.save(dict(model=timm_weights(32, [2, 4])), src)
    converted = unip_to_mmir(src, dst, last_heads=4)['state_dict']
    model = vit(
        32, [2, 4],
        init_cfg=dict(
            type='mmir.StrictPretrained', checkpoint=dst,
            prefix='backbone.'))
    model.init_weights()
    for key, value in model.state_dict().items():
        assert torch.equal(value, converted[f'backbone.{key}']), key


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


def build_nmi_had(**kwargs) -> torch.nn.Module:
    """A tiny NMI-HAD: student 32-d, last block 4 heads; teacher 48-d."""
    teacher = dict(
        type='AttnViT',
        arch=dict(
            embed_dims=48,
            num_layers=2,
            num_heads=4,
            feedforward_channels=192),
        img_size=SIZE,
        patch_size=PATCH)
    cfg = dict(
        type='NMIHAD',
        backbone=STUDENT,
        teacher=teacher,
        teacher_layer=2,
        teacher_key_map='mmpretrain',
        **kwargs)
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_mmir_to_mmseg_keeps_the_student(tmp_path):
    model = build_nmi_had()
    cfg = Config(
        dict(
            model=dict(
                type='NMIHAD',
                backbone=dict(type='AttnViT', last_heads=4),
                teacher=dict(type='AttnViT', arch='large'))))
    src, dst = str(tmp_path / 'epoch_1.pth'), str(tmp_path / 'student.pth')
    # mmengine's meta also holds numpy scalars and a HistoryBuffer
    meta = dict(
        cfg=cfg.pretty_text, seed=np.int64(1), loss=HistoryBuffer([0.5], [1]))
    torch.save(dict(state_dict=model.state_dict(), meta=meta), src)
    meta = mmir_to_mmseg(src, dst)['meta']
    assert meta['last_heads'] == 4
    assert 'backbone.teacher_block' not in meta['dropped_keys']
    assert 'teacher_block' in meta['dropped_keys']

    converted = torch.load(dst, weights_only=True)['state_dict']
    assert set(converted) == {
        f'backbone.{k}'
        for k in model.backbone.state_dict()
    }
    student = MODELS.build(dict(STUDENT, type='mmir.AttnViT'))
    load_student(student, dst)
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(student.state_dict()[key], value), key

    torch.save(dict(state_dict=model.state_dict(), meta=dict()), src)
    assert 'last_heads' not in mmir_to_mmseg(src, dst)['meta']


def test_config_last_heads_reads_literals_only():
    assert config_last_heads("model = dict(backbone={'last_heads': 12})") \
        == 12
    assert config_last_heads('model = dict(backbone=dict(last_heads=h))') \
        is None
    assert config_last_heads('model = dict(teacher=dict(last_heads=4))') \
        is None
    assert config_last_heads('model = dict(backbone=dict(last_heads=True))') \
        is None
    assert config_last_heads('not python (') is None


def test_inputs_without_vit_weights_are_refused(tmp_path):
    path = str(tmp_path / 'resnet.pth')
    torch.save(dict(state_dict={'conv1.weight': torch.ones(1)}), path)
    for convert in (unip_to_mmir, teacher_to_mmir, mmir_to_mmseg):
        with pytest.raises(KeyError, match='resnet.pth'):
            convert(path, str(tmp_path / 'out.pth'))
    nested = str(tmp_path / 'encoder.pth')
    torch.save({f'encoder.{k}': v
                for k, v in timm_weights(32, [2]).items()}, nested)
    with pytest.raises(KeyError, match='encoder.pth: block keys'):
        unip_to_mmir(nested, str(tmp_path / 'out.pth'))
    assert not os.path.exists(tmp_path / 'out.pth')


def test_command_line_tools(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    authors = str(tmp_path / 'authors.pth')
    weights = timm_weights(32, [2, 4])
    torch.save(dict(model=weights), authors)
    out = run_tool([
        'tools/model_converters/unip_to_mmir.py', authors,
        str(tmp_path / 'a.pth'), '--last-heads', '4'
    ], env=env).stdout
    assert f'{len(weights)} tensors' in out and 'timm_vit' in out
    assert 'last-block heads: 4' in out

    ibot = str(tmp_path / 'ibot.pth')
    teacher = {f'backbone.{k}': v for k, v in weights.items()}
    torch.save(dict(teacher=dict(teacher, mask_token=torch.ones(1))), ibot)
    out = run_tool([
        'tools/model_converters/teacher_to_mmir.py', ibot,
        str(tmp_path / 't.pth'), '--prefix', 'backbone.'
    ], env=env).stdout
    assert f'{len(weights)} tensors' in out and 'dropped 0 keys' in out

    model = build_nmi_had()
    mmir = str(tmp_path / 'mmir.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), mmir)
    out = run_tool([
        'tools/model_converters/mmir_to_mmseg.py', mmir,
        str(tmp_path / 's.pth')
    ], env=env).stdout
    assert f'{len(model.backbone.state_dict())} tensors' in out
    assert 'target_generator (' in out and 'teacher_block (1)' in out

    bad = run_tool([
        'tools/model_converters/mmir_to_mmseg.py', authors,
        str(tmp_path / 'bad.pth')
    ], env=env, check=False)
    assert bad.returncode != 0
    assert 'authors.pth' in bad.stderr and 'Traceback' not in bad.stderr
