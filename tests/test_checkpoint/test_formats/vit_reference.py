# Copyright (c) mmir contributors. All rights reserved.
"""A timm-style ViT written from the key layout, and tiny mmir models.

Shared by the tests of the formats whose files hold timm/MAE ViT names
(``timm_vit``, ``unip``) and of the export to mmseg.
"""
import math

import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmir.models import AttnViT
from mmir.registry import MODELS, WEIGHT_INITIALIZERS

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
