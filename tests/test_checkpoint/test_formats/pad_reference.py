# Copyright (c) mmir contributors. All rights reserved.
"""A small PAD model in the authors' layout, and mmir's counterpart.

The reference is written from the key layout and the block equations of
the PAD method spec (MAE repo attribute names), in plain torch; the
converted weights must give the same encoder tokens, adapter scales and
decoder predictions in mmir's model (:func:`check_same_model`).
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models import MAE

from mmir.checkpoint import read_state_dict

from .random_weights import randomize_

PATCH, SIZE, DIMS, HEADS, DEPTH, HIDDEN = 8, 32, 32, 2, 2, 128
BOTTLENECK, DEC_DIMS, DEC_HEADS, DEC_DEPTH = 16, 16, 2, 2
NUM_PATCHES = (SIZE // PATCH)**2
ARCH = dict(
    embed_dims=DIMS, num_layers=DEPTH, num_heads=HEADS,
    feedforward_channels=HIDDEN)


class RefAttention(nn.Module):
    """timm 0.3.2 attention: one qkv projection, heads as channel chunks."""

    def __init__(self, dims: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dims, 3 * dims)
        self.proj = nn.Linear(dims, dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, dims = x.shape
        head_dims = dims // self.heads
        q, k, v = self.qkv(x).reshape(batch, tokens, 3, self.heads,
                                      head_dims).permute(2, 0, 3, 1, 4)
        weights = (q @ k.transpose(-2, -1) / head_dims**0.5).softmax(-1)
        out = (weights @ v).transpose(1, 2).reshape(batch, tokens, dims)
        return self.proj(out)


class RefMlp(nn.Module):
    """fc1 -> GELU -> fc2."""

    def __init__(self, dims: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dims, hidden)
        self.fc2 = nn.Linear(hidden, dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class RefAdaptMLP(nn.Module):
    """PAD's adapter: LN (eps 1e-5) -> down -> ReLU -> dropout -> up."""

    def __init__(self, dims: int, fixed_scale=None) -> None:
        super().__init__()
        self.adapter_layer_norm_before = nn.LayerNorm(dims)
        self.down_proj = nn.Linear(dims, BOTTLENECK)
        self.up_proj = nn.Linear(BOTTLENECK, dims)
        if fixed_scale is not None:
            self.register_buffer('scale', torch.tensor([fixed_scale]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.relu(self.down_proj(self.adapter_layer_norm_before(x)))
        return self.up_proj(F.dropout(hidden, 0.1, self.training))


class RefBlock(nn.Module):
    """Pre-norm block; with an adapter ``x + s * a + mlp``.

    ``adapter`` is None (decoder), ``'patchwise'`` (``scalar_pred`` on
    ``[mlp, adapter]``) or a float (the fixed scale buffer).
    """

    def __init__(self, dims: int, heads: int, adapter=None) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dims, eps=1e-6)
        self.attn = RefAttention(dims, heads)
        self.norm2 = nn.LayerNorm(dims, eps=1e-6)
        self.mlp = RefMlp(dims, 4 * dims)
        self.patchwise = adapter == 'patchwise'
        if adapter is not None:
            self.adaptmlp = RefAdaptMLP(
                dims, None if self.patchwise else adapter)
        if self.patchwise:
            self.scalar_pred = nn.Linear(2 * dims, 1, bias=False)
        self.last_scale = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        mlp_out = self.mlp(self.norm2(x))
        if not hasattr(self, 'adaptmlp'):
            return x + mlp_out
        adapter_out = self.adaptmlp(x)
        if self.patchwise:
            scale = torch.sigmoid(
                self.scalar_pred(torch.cat([mlp_out, adapter_out], -1)))
        else:
            scale = self.adaptmlp.scale
        self.last_scale = scale
        return x + scale * adapter_out + mlp_out


class RefPAD(nn.Module):
    """PAD's MAE in the authors' layout: adapter encoder + MAE decoder."""

    def __init__(self, adapter='patchwise') -> None:
        super().__init__()
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, DIMS, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIMS))
        self.pos_embed = nn.Parameter(torch.zeros(1, NUM_PATCHES + 1, DIMS))
        self.blocks = nn.ModuleList(
            RefBlock(DIMS, HEADS, adapter) for _ in range(DEPTH))
        self.norm = nn.LayerNorm(DIMS, eps=1e-6)
        self.decoder_embed = nn.Linear(DIMS, DEC_DIMS)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, DEC_DIMS))
        self.decoder_pos_embed = nn.Parameter(
            torch.zeros(1, NUM_PATCHES + 1, DEC_DIMS))
        self.decoder_blocks = nn.ModuleList(
            RefBlock(DEC_DIMS, DEC_HEADS) for _ in range(DEC_DEPTH))
        self.decoder_norm = nn.LayerNorm(DEC_DIMS, eps=1e-6)
        self.decoder_pred = nn.Linear(DEC_DIMS, PATCH * PATCH * 3)

    def forward_encoder(self, images: torch.Tensor,
                        ids_keep: torch.Tensor = None) -> torch.Tensor:
        x = self.patch_embed.proj(images).flatten(2).transpose(1, 2)
        x = x + self.pos_embed[:, 1:]
        if ids_keep is not None:
            x = torch.gather(x, 1,
                             ids_keep[..., None].expand(-1, -1, DIMS))
        cls_token = self.cls_token + self.pos_embed[:, :1]
        x = torch.cat([cls_token.expand(len(x), -1, -1), x], 1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    def forward_decoder(self, latent: torch.Tensor,
                        ids_restore: torch.Tensor) -> torch.Tensor:
        x = self.decoder_embed(latent)
        batch, patches = ids_restore.shape
        masked = self.mask_token.expand(batch, patches + 1 - x.shape[1], -1)
        shuffled = torch.cat([x[:, 1:], masked], 1)
        restored = torch.gather(
            shuffled, 1, ids_restore[..., None].expand(-1, -1, DEC_DIMS))
        x = torch.cat([x[:, :1], restored], 1) + self.decoder_pos_embed
        for block in self.decoder_blocks:
            x = block(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:]


def random_pad(adapter='patchwise', seed: int = 0) -> RefPAD:
    """A reference PAD with random weights (adapters and gates included)."""
    return randomize_(RefPAD(adapter), seed)


def authors_checkpoint(model: RefPAD, path: str) -> dict:
    """Save as PAD's ``main_pretrain.py`` does; return the state dict."""
    optimizer = torch.optim.AdamW(model.parameters())
    model.forward_encoder(torch.randn(1, 3, SIZE, SIZE)).sum().backward()
    optimizer.step()
    state_dict = model.state_dict()
    torch.save(
        dict(
            model=state_dict,
            optimizer=optimizer.state_dict(),
            epoch=3,
            scaler=dict(scale=65536.0, growth_factor=2.0),
            args=argparse.Namespace(adapt=True, patch_wise_scalar=True)),
        path)
    return state_dict


def mmir_mae(scale_mode: str = 'patchwise') -> MAE:
    """mmpretrain's MAE with mmir's adapter encoder, the reference's
    shapes."""
    return MAE(
        backbone=dict(
            type='mmir.AdapterMAEViT',
            arch=ARCH,
            img_size=SIZE,
            patch_size=PATCH,
            mask_ratio=0.75,
            adapter_cfg=dict(bottleneck=BOTTLENECK, scale_mode=scale_mode)),
        neck=dict(
            type='MAEPretrainDecoder',
            num_patches=NUM_PATCHES,
            patch_size=PATCH,
            in_chans=3,
            embed_dim=DIMS,
            decoder_embed_dim=DEC_DIMS,
            decoder_depth=DEC_DEPTH,
            decoder_num_heads=DEC_HEADS),
        head=dict(
            type='MAEPretrainHead',
            norm_pix=True,
            patch_size=PATCH,
            loss=dict(type='PixelReconstructionLoss', criterion='L2')))


def converted_model(dst: str, scale_mode: str = 'patchwise') -> MAE:
    """Load a converted file strictly (every key, both ways)."""
    model = mmir_mae(scale_mode)
    model.load_state_dict(read_state_dict(dst), strict=True)
    return model.double().eval()


def mmir_scales(model: MAE, images: torch.Tensor) -> list:
    """Every block's adapter scale during an all-token forward."""
    outputs = {}
    hooks = []
    for i, layer in enumerate(model.backbone.layers):
        for name in ('layers', 'adapter'):
            hooks.append(
                getattr(layer.ffn, name).register_forward_hook(
                    lambda mod, args, out, key=(i, name): outputs.
                    __setitem__(key, out)))
    model.backbone(images, mask=None)
    for hook in hooks:
        hook.remove()
    return [
        layer.ffn.adapter.scale_of(outputs[i, 'layers'],
                                   outputs[i, 'adapter'])
        for i, layer in enumerate(model.backbone.layers)
    ]


def check_same_model(model: MAE, ref: RefPAD) -> None:
    """Encoder (all tokens and masked), scales and decoder agree."""
    ref.double().eval()
    images = torch.randn(3, 3, SIZE, SIZE, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(
            model.backbone(images, mask=None)[0], ref.forward_encoder(images))
        theirs = [block.last_scale for block in ref.blocks]
        for i, ours in enumerate(mmir_scales(model, images)):
            # PAD's fixed scale is (1,), mmir's 0-dim
            torch.testing.assert_close(ours, theirs[i].reshape(ours.shape))

        latent, mask, ids_restore = model.backbone(images)
        ids_keep = ids_restore.argsort(1)[:, :latent.shape[1] - 1]
        torch.testing.assert_close(latent,
                                   ref.forward_encoder(images, ids_keep))
        assert mask.sum() == 3 * NUM_PATCHES * 0.75
        torch.testing.assert_close(
            model.neck(latent, ids_restore),
            ref.forward_decoder(latent, ids_restore))
