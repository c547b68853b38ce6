# Copyright (c) mmir contributors. All rights reserved.
"""A small iTPN in the authors' layout, in plain torch.

Written from the authors' parameter names and the equations of iTPN and
HiViT (no mmir or mmpretrain code): the HiViT backbone (a 4x4 sub-token
patch embedding, MLP blocks, merges, attention blocks with an optional
relative position bias indexed by one backbone buffer and an optional
layer scale), the integral pyramid, and what each layout adds: the pixel
decoder, the CLIP head or the classifier.  It writes random weights in
the authors' checkpoint layouts and computes the features the converted
mmir models must reproduce.
"""
import argparse
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .random_weights import randomize_

PATCH, SIZE = 16, 64
GRID = SIZE // PATCH
DIMS, DEPTHS, HEADS = 64, (1, 1, 2), 4
STEM_RATIO, MLP_RATIO = 3, 4
FPN_DIM, DEC_DIMS, DEC_DEPTH, DEC_HEADS = 32, 64, 1, 4
TEACHER_DIMS, CLASSES = 32, 10
ARCH = dict(embed_dims=DIMS, depths=DEPTHS, num_heads=HEADS)
# What each layout holds, as the authors' models build it.  Their
# pre-training models use LN eps 1e-6; their mmdet/mmseg backbones keep
# nn.LayerNorm's 1e-5, as do the CLIP head's auxiliary blocks.
VARIANTS = dict(
    pixel=dict(rpe=False, layer_scale=False, eps=1e-6, fpn_depth=1),
    clip=dict(rpe=True, layer_scale=True, eps=1e-6, fpn_depth=1),
    classification=dict(
        rpe=True, layer_scale=True, eps=1e-6, fpn_depth=None),
    det=dict(rpe=False, layer_scale=False, eps=1e-5, fpn_depth=1),
    seg=dict(rpe=True, layer_scale=True, eps=1e-5, fpn_depth=2),
)
AUX_EPS = 1e-5
# Task heads of the authors' mmdet / mmseg 2.x models.
TASK_HEADS = dict(
    det={
        'rpn_head.rpn_conv.weight': (8, FPN_DIM, 3, 3),
        'roi_head.bbox_head.fc_cls.weight': (3, 8)
    },
    seg={
        'decode_head.conv_seg.weight': (5, 8, 1, 1),
        'auxiliary_head.conv_seg.weight': (5, 8, 1, 1)
    })


def grid_index() -> torch.Tensor:
    """Row of the bias table for every (query, key) unit pair: the pair's
    (row, column) offset, shifted to be >= 0, in a ``2*GRID-1`` wide
    table."""
    coords = torch.stack(
        torch.meshgrid(torch.arange(GRID), torch.arange(GRID),
                       indexing='ij')).flatten(1)
    offsets = coords[:, :, None] - coords[:, None, :] + GRID - 1
    return offsets[0] * (2 * GRID - 1) + offsets[1]


def to_map(level: torch.Tensor) -> torch.Tensor:
    """Unit groups ``(B, GRID**2, h, w, C)`` -> an NCHW map."""
    batch, _, h, w, channels = level.shape
    return level.reshape(batch, GRID, GRID, h, w, channels).permute(
        0, 5, 1, 3, 2, 4).reshape(batch, channels, GRID * h, GRID * w)


class RefAttention(nn.Module):
    """Multi-head self-attention, ``qkv`` as one projection, an optional
    per-head bias looked up in ``relative_position_bias_table``."""

    def __init__(self, dims: int, heads: int, rpe: bool) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dims, 3 * dims)
        self.proj = nn.Linear(dims, dims)
        if rpe:
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros((2 * GRID - 1)**2, heads))

    def forward(self, x: torch.Tensor,
                index: Optional[torch.Tensor] = None) -> torch.Tensor:
        batch, tokens, dims = x.shape
        q, k, v = self.qkv(x).reshape(batch, tokens, 3, self.heads,
                                      -1).permute(2, 0, 3, 1, 4)
        logits = q @ k.transpose(-2, -1) * (dims // self.heads)**-0.5
        if index is not None:
            bias = self.relative_position_bias_table[index]
            logits = logits + bias.reshape(tokens, tokens, -1).permute(
                2, 0, 1)
        out = logits.softmax(-1) @ v
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dims))


class RefMlp(nn.Module):
    """fc1 -> GELU -> fc2."""

    def __init__(self, dims: int, ratio: float) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dims, int(dims * ratio))
        self.fc2 = nn.Linear(int(dims * ratio), dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class RefBlock(nn.Module):
    """Pre-LN residual block: attention (``heads > 0``) then MLP, each
    branch scaled by ``gamma_1`` / ``gamma_2`` with a layer scale."""

    def __init__(self,
                 dims: int,
                 heads: int,
                 ratio: float,
                 eps: float,
                 rpe: bool = False,
                 layer_scale: bool = False) -> None:
        super().__init__()
        self.attn = None
        if heads:
            self.norm1 = nn.LayerNorm(dims, eps=eps)
            self.attn = RefAttention(dims, heads, rpe)
        self.norm2 = nn.LayerNorm(dims, eps=eps)
        self.mlp = RefMlp(dims, ratio)
        if layer_scale:
            if heads:
                self.gamma_1 = nn.Parameter(torch.ones(dims))
            self.gamma_2 = nn.Parameter(torch.ones(dims))

    def scaled(self, branch: torch.Tensor, name: str) -> torch.Tensor:
        gamma = getattr(self, name, None)
        return branch if gamma is None else gamma * branch

    def forward(self, x: torch.Tensor,
                index: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.attn is not None:
            x = x + self.scaled(self.attn(self.norm1(x), index), 'gamma_1')
        return x + self.scaled(self.mlp(self.norm2(x)), 'gamma_2')


class RefPatchEmbed(nn.Module):
    """A ``PATCH/4`` convolution; each unit's 4x4 sub-tokens, then LN."""

    def __init__(self, dims: int, eps: float) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dims, PATCH // 4, PATCH // 4)
        self.norm = nn.LayerNorm(dims, eps=eps)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.proj(images)
        batch, dims, height, width = x.shape
        x = x.reshape(batch, dims, height // 4, 4, width // 4, 4)
        x = x.permute(0, 2, 4, 3, 5, 1).reshape(batch, -1, 4, 4, dims)
        return self.norm(x)


class RefMerge(nn.Module):
    """2x2 sub-tokens -> one: the (row, col) = (0,0), (1,0), (0,1), (1,1)
    neighbours concatenated, LN, a Linear to twice the width."""

    def __init__(self, dims: int, eps: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * dims, eps=eps)
        self.reduction = nn.Linear(4 * dims, 2 * dims, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        quarters = [x[..., r::2, c::2, :] for c in (0, 1) for r in (0, 1)]
        return self.reduction(self.norm(torch.cat(quarters, -1)))


class RefSplit(nn.Module):
    """One sub-token -> 2x2: LN, a Linear to four ``fpn_dim`` chunks, the
    chunk ``2*i + j`` to sub-position (row i, col j)."""

    def __init__(self, dims: int, fpn_dim: int, eps: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dims, eps=eps)
        self.reduction = nn.Linear(dims, 4 * fpn_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, units, h, w, _ = x.shape
        x = self.reduction(self.norm(x)).reshape(batch, units, h, w, 2, 2,
                                                 -1)
        return x.permute(0, 1, 2, 4, 3, 5, 6).reshape(
            batch, units, 2 * h, 2 * w, -1)


def ref_blocks(depth: int, dims: int, eps: float) -> nn.Sequential:
    """``depth`` C-MLP blocks of the pyramid."""
    return nn.Sequential(
        *[RefBlock(dims, 0, MLP_RATIO, eps) for _ in range(depth)])


def decoder_embed(width: int, eps: float) -> nn.ModuleList:
    """LN + Linear per level into a per-unit budget of ``width``."""
    return nn.ModuleList(
        nn.Sequential(
            nn.LayerNorm(FPN_DIM, eps=eps),
            nn.Linear(FPN_DIM, width // 4**level)) for level in range(3))


class RefITPN(nn.Module):
    """iTPN of one of :data:`VARIANTS`, the authors' names at top level."""

    def __init__(self, variant: str) -> None:
        super().__init__()
        cfg = VARIANTS[variant]
        eps, rpe = cfg['eps'], cfg['rpe']
        self.patch_embed = RefPatchEmbed(DIMS // 4, eps)
        self.absolute_pos_embed = nn.Parameter(torch.zeros(1, GRID**2, DIMS))
        if rpe:
            self.register_buffer('relative_position_index', grid_index())
        self.blocks = nn.ModuleList()
        dims = DIMS // 4
        for stage, depth in enumerate(DEPTHS):
            main = stage == 2
            self.blocks.extend(
                RefBlock(dims, HEADS if main else 0,
                         MLP_RATIO if main else STEM_RATIO, eps, rpe,
                         cfg['layer_scale']) for _ in range(depth))
            if not main:
                self.blocks.append(RefMerge(dims, eps))
                dims *= 2
        if cfg['fpn_depth']:
            self.add_pyramid(cfg['fpn_depth'], eps)
        if variant == 'pixel':
            self.add_pixel_decoder(eps)
        elif variant == 'clip':
            self.add_clip_head(eps, cfg['layer_scale'])
        elif variant == 'classification':
            self.fc_norm = nn.LayerNorm(DIMS, eps=eps)
            self.head = nn.Linear(DIMS, CLASSES)

    def add_pyramid(self, depth: int, eps: float) -> None:
        self.align_dim_16tofpn = nn.Linear(DIMS, FPN_DIM)
        self.split_16to8 = RefSplit(DIMS, FPN_DIM, eps)
        self.align_dim_16to8 = nn.Linear(DIMS // 2, FPN_DIM, bias=False)
        self.block_16to8 = ref_blocks(depth, FPN_DIM, eps)
        self.split_8to4 = RefSplit(FPN_DIM, FPN_DIM, eps)
        self.align_dim_8to4 = nn.Linear(DIMS // 4, FPN_DIM, bias=False)
        self.block_8to4 = ref_blocks(depth, FPN_DIM, eps)
        self.fpn_modules = nn.ModuleList(
            RefBlock(FPN_DIM, 0, MLP_RATIO, eps) for _ in range(3))

    def add_pixel_decoder(self, eps: float) -> None:
        self.decoder_embed = decoder_embed(DEC_DIMS, eps)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, DEC_DIMS))
        self.decoder_pos_embed = nn.Parameter(
            torch.zeros(1, GRID**2, DEC_DIMS), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            RefBlock(DEC_DIMS, DEC_HEADS, MLP_RATIO, eps)
            for _ in range(DEC_DEPTH))
        self.decoder_norm = nn.LayerNorm(DEC_DIMS, eps=eps)
        self.decoder_pred = nn.Linear(DEC_DIMS, PATCH**2 * 3)

    def add_clip_head(self, eps: float, layer_scale: bool) -> None:
        self.decoder_embed = decoder_embed(DIMS, eps)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, DIMS))
        self.norm = nn.LayerNorm(DIMS, eps=eps)
        self.lm_head = nn.Linear(DIMS, TEACHER_DIMS)
        self.cls_pt_layers = nn.ModuleList(
            RefBlock(DIMS, HEADS, MLP_RATIO, AUX_EPS, True, layer_scale)
            for _ in range(2))
        self.norm_cls = nn.LayerNorm(DIMS, eps=eps)
        self.lm_cls_head = nn.Linear(DIMS, TEACHER_DIMS)

    def index(self) -> Optional[torch.Tensor]:
        """The bias table rows of all unit pairs, None without a bias."""
        buffer = getattr(self, 'relative_position_index', None)
        return None if buffer is None else buffer.flatten()

    def stages(self,
               images: torch.Tensor,
               ids_keep: Optional[torch.Tensor] = None,
               masked: Optional[torch.Tensor] = None,
               keep_index: Optional[int] = None
               ) -> Tuple[List[torch.Tensor], Optional[torch.Tensor]]:
        """The three stages (the units ``ids_keep`` only, or the masked
        units' main-stage input replaced by the mask token) and the output
        of main block ``keep_index``."""
        x = self.patch_embed(images)
        rows = torch.arange(len(x))[:, None]
        if ids_keep is not None:
            x = x[rows, ids_keep]
        laterals = []
        for block in self.blocks[:-DEPTHS[2]]:
            if isinstance(block, RefMerge):
                laterals.append(x)
            x = block(x)
        x = x[:, :, 0, 0]
        if masked is not None:
            weight = masked[..., None].to(x.dtype)
            x = x * (1 - weight) + self.mask_token * weight
        pos = self.absolute_pos_embed.expand(len(x), -1, -1)
        x = x + (pos if ids_keep is None else pos[rows, ids_keep])
        kept = None
        for i, block in enumerate(self.blocks[-DEPTHS[2]:]):
            x = block(x, self.index())
            if i == keep_index:
                kept = x
        return [*laterals, x], kept

    def pyramid(self, stages: List[torch.Tensor]) -> List[torch.Tensor]:
        """Levels at strides 16, 8 and 4 of the stages' units."""
        stage1, stage2, stage3 = stages
        x = stage3[:, :, None, None]
        top = self.align_dim_16tofpn(x)
        middle = self.block_16to8(
            self.split_16to8(x) + self.align_dim_16to8(stage2))
        bottom = self.block_8to4(
            self.split_8to4(middle) + self.align_dim_8to4(stage1))
        return [
            block(level)
            for block, level in zip(self.fpn_modules, (top, middle, bottom))
        ]

    def stage_maps(self, images: torch.Tensor) -> List[torch.Tensor]:
        """The stages as NCHW maps, strides 4, 8, 16."""
        stage1, stage2, stage3 = self.stages(images)[0]
        return [to_map(stage1), to_map(stage2), to_map(stage3[:, :, None,
                                                              None])]

    def det_maps(self, images: torch.Tensor) -> List[torch.Tensor]:
        """The detector's five maps, strides 4 to 64."""
        top, middle, bottom = map(to_map, self.pyramid(self.stages(images)[0]))
        stride32 = F.avg_pool2d(top, 2)
        return [bottom, middle, top, stride32, F.avg_pool2d(stride32, 2)]

    def seg_maps(self, images: torch.Tensor) -> List[torch.Tensor]:
        """The segmentor's four maps: each level with its stage, stride 32
        by max pooling."""
        stage1, stage2, stage3 = self.stages(images)[0]
        levels = self.pyramid([stage1, stage2, stage3])
        paired = zip(levels, (stage3[:, :, None, None], stage2, stage1))
        top, middle, bottom = [
            to_map(torch.cat(pair, -1)) for pair in paired
        ]
        return [bottom, middle, top, F.max_pool2d(top, 2)]

    def decode(self, levels: List[torch.Tensor],
               ids_restore: torch.Tensor) -> torch.Tensor:
        """Pixels of every unit from the levels of the visible units."""
        batch, units = ids_restore.shape
        restored = []
        for level, embed in zip(levels, self.decoder_embed):
            x = embed(level).reshape(batch, level.shape[1], -1)
            tokens = self.mask_token.expand(batch, units - x.shape[1], -1)
            x = torch.cat([x, tokens], 1)
            restored.append(x[torch.arange(batch)[:, None], ids_restore])
        x = restored[0] + self.decoder_pos_embed + restored[1] + restored[2]
        for block in self.decoder_blocks:
            x = block(x)
        return self.decoder_pred(self.decoder_norm(x))

    def clip_predict(self, levels: List[torch.Tensor],
                     aux: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """The CLIP head's main and auxiliary predictions."""
        batch, units = aux.shape[:2]
        fused = sum(
            embed(level).reshape(batch, units, -1)
            for level, embed in zip(levels, self.decoder_embed))
        for block in self.cls_pt_layers:
            aux = block(aux, self.index())
        return self.lm_head(self.norm(fused)), self.lm_cls_head(
            self.norm_cls(aux))


def random_reference(variant: str, seed: int = 0) -> RefITPN:
    """A reference of ``variant`` with random weights (layer scales and
    biases included), in eval mode.  The weights are drawn in float32, as
    the checkpoints hold them, and the model is float64."""
    return randomize_(RefITPN(variant).eval(), seed).double()


def float_state_dict(model: RefITPN) -> Dict[str, torch.Tensor]:
    """The weights as the authors save them, float32 (buffers kept)."""
    return {
        key: value.float() if value.is_floating_point() else value
        for key, value in model.state_dict().items()
    }


def pretraining_checkpoint(model: RefITPN,
                           path: str) -> Dict[str, torch.Tensor]:
    """Save as the authors' pre-training and fine-tuning scripts do (the
    weights under ``model``); return the weights."""
    weights = float_state_dict(model)
    optimizer = torch.optim.AdamW(model.parameters())
    torch.save(
        dict(
            model=weights,
            optimizer=optimizer.state_dict(),
            epoch=799,
            scaler=dict(scale=65536.0),
            args=argparse.Namespace(model='itpn', input_size=SIZE)), path)
    return weights


def downstream_checkpoint(model: RefITPN, path: str,
                          task: str) -> Dict[str, torch.Tensor]:
    """Save as the authors' mmdet / mmseg 2.x runs do: ``state_dict`` with
    the backbone under ``backbone.`` and the task heads; return it."""
    state_dict = {
        f'backbone.{key}': value
        for key, value in float_state_dict(model).items()
    }
    state_dict.update(
        (key, torch.randn(shape)) for key, shape in TASK_HEADS[task].items())
    torch.save(
        dict(
            meta=dict(epoch=12, mmdet_version='2.25.0', CLASSES=('a', 'b')),
            state_dict=state_dict,
            optimizer=dict(state={}, param_groups=[])), path)
    return state_dict
