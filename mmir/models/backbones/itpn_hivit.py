# Copyright (c) mmir contributors. All rights reserved.
"""HiViT with iTPN's layouts, masking and integral feature pyramid."""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.backbones.hivit import (BlockWithRPE, PatchEmbed,
                                               PatchMerge)
from mmpretrain.models.utils import (build_2d_sincos_position_embedding,
                                     resize_pos_embed)

from mmir.registry import MODELS
from ..utils import (init_cfg_with_pretrained, pretrained_last,
                     trunc_normal_init_)

Stages = Tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def tokens_to_map(tokens: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """HiViT token groups ``(B, N, h, w, C)`` (or ``(B, N, C)``) of an
    ``Hp x Wp`` unit grid -> an NCHW map ``(B, C, Hp*h, Wp*w)``."""
    if tokens.dim() == 3:
        tokens = tokens[:, :, None, None, :]
    batch, _, h, w, channels = tokens.shape
    hp, wp = grid
    return tokens.reshape(batch, hp, wp, h, w, channels).permute(
        0, 5, 1, 3, 2, 4).reshape(batch, channels, hp * h, wp * w)


def random_masking(
        batch: int, num_units: int, mask_ratio: float,
        device: torch.device) -> Tuple[torch.Tensor, torch.Tensor,
                                       torch.Tensor]:
    """MAE's per-sample random masking of ``num_units`` units.

    Returns:
        tuple: The kept units ``(B, K)`` in a random order, the mask
        ``(B, N)`` (1 = dropped) and the indices ``(B, N)`` that restore
        the image order from ``kept`` followed by the dropped units.
    """
    keep = round(num_units * (1 - mask_ratio))
    shuffle = torch.argsort(torch.rand(batch, num_units, device=device), 1)
    restore = torch.argsort(shuffle, dim=1)
    mask = torch.ones(batch, num_units, device=device)
    mask[:, :keep] = 0
    return shuffle[:, :keep], mask.gather(1, restore), restore


def gather_units(tokens: torch.Tensor, kept: torch.Tensor) -> torch.Tensor:
    """The units ``kept`` ``(B, K)`` of ``tokens`` ``(B, N, ...)``."""
    index = kept.reshape(*kept.shape, *[1] * (tokens.dim() - 2))
    return tokens.gather(1, index.expand(-1, -1, *tokens.shape[2:]))


def resize_bias_table(table: torch.Tensor, side: int) -> torch.Tensor:
    """A relative-position bias table ``((2S-1)**2, heads)`` resized to
    ``(side**2, heads)`` by bicubic interpolation of its offset grid, the
    zero offset staying at the centre.

    Ours because mmpretrain's ``resize_relative_position_bias_table``
    calls SciPy's ``interp2d``, which SciPy 1.14 removed.
    """
    old = math.isqrt(table.shape[0])
    grid = table.t().reshape(1, -1, old, old)
    grid = F.interpolate(
        grid, size=(side, side), mode='bicubic', align_corners=True)
    return grid.reshape(-1, side * side).t().contiguous()


@MODELS.register_module()
class iTPNHiViT(BaseBackbone):
    """HiViT as iTPN uses it (`iTPN <https://arxiv.org/abs/2211.12735>`_),
    with its integral feature pyramid.

    A patch embedding cuts each ``patch_size`` unit into 4x4 sub-tokens;
    stages 1 and 2 are MLP-only blocks (no token mixing, so masked units
    can be dropped before them), each closed by a ``PatchMerge``; stage 3
    is a plain transformer on one token per unit, with an absolute
    position embedding (``absolute_pos_embed``, sin-cos initialised and
    learnt, as the authors' pixel model), optional relative position bias
    and layer scale.  ``blocks`` holds every block and merge in order, as
    in the authors' code, so their checkpoints keep their names.

    Layouts (``arch``; the authors count the early blocks directly, unlike
    mmpretrain's ``HiViT``, which doubles them):

    ========  ======  ===========  =====  ===========================
    arch      width   depths       heads  source
    ========  ======  ===========  =====  ===========================
    base      512     3 / 3 / 24   8      iTPN-B (30 layers)
    large     768     2 / 2 / 40   12     iTPN-L (44 layers)
    small     384     2 / 2 / 20   6      Fast-iTPN-S
    tiny      384     1 / 1 / 12   6      Fast-iTPN-T
    demo      128     1 / 1 / 6    4      CPU runs and the SynthIR demo
    ========  ======  ===========  =====  ===========================

    Outputs of :meth:`forward` (``out_type``):

    - ``'stages'``: NCHW maps of the stages in ``out_indices`` (0, 1, 2 at
      strides 4, 8, 16 for ``patch_size=16``); every index works, unlike
      mmpretrain's ``HiViT``.
    - ``'det'``: the pyramid's three ``fpn_dim`` levels (strides 4, 8, 16)
      and strides 32 and 64 by 2x2 average pooling of stride 16; mmdet's
      five levels with ``neck=None``, as the authors' detectors.
    - ``'seg'``: each pyramid level concatenated with the stage of the same
      stride, and stride 32 by 2x2 max pooling of stride 16 (the authors'
      UPerNet input: ``[384, 512, 768, 768]`` channels for base).

    Pre-training uses :meth:`forward_masked` (units dropped, MAE style)
    and :meth:`forward_mask_token` (mask token at stage 3, BEiT style).

    Args:
        arch (str | dict): A layout above, or a dict with ``embed_dims``,
            ``depths`` (three ints) and ``num_heads``.
        img_size (int): Training size; sets the position embedding grid.
            Defaults to 224.
        patch_size (int): Unit size (the main-stage stride). Defaults to 16.
        inner_patches (int): Sub-tokens per unit side. Defaults to 4.
        in_channels (int): Image channels. Defaults to 3.
        stem_mlp_ratio (float): MLP ratio of stages 1-2. Defaults to 3.
        mlp_ratio (float): MLP ratio of stage 3. Defaults to 4.
        qkv_bias (bool): Bias of the qkv projection. Defaults to True.
        drop_rate (float): Dropout rate. Defaults to 0.
        attn_drop_rate (float): Attention dropout rate. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linear over all blocks.
            Defaults to 0.
        norm_cfg (dict): Norm layer. Defaults to LN with eps 1e-6.
        ape (bool): Absolute position embedding. Defaults to True.
        rpe (bool): Relative position bias in stage 3 (needs every unit of
            the ``img_size`` grid). Defaults to False.
        patch_norm (bool): LN after the patch embedding. Defaults to True.
        layer_scale_init_value (float): Layer scale; 0 disables it.
            Defaults to 0.
        mask_token (bool): Learn a stage-3 mask token for
            :meth:`forward_mask_token`. Defaults to False.
        pyramid (dict, optional): An :class:`~mmir.models.iTPNPyramid`
            config (``type`` and ``embed_dims`` are filled in); needed by
            ``out_type`` ``'det'`` and ``'seg'`` and by pre-training.
        out_type (str): ``'stages'``, ``'det'`` or ``'seg'``.
            Defaults to ``'stages'``.
        out_indices (Sequence[int]): Stages returned by ``'stages'``.
            Defaults to ``(0, 1, 2)``.
        frozen_stages (int): Freeze the patch embedding and the first
            ``frozen_stages`` stages (3 freezes every block and the
            position embedding, 4 the pyramid too: linear probing); -1
            freezes nothing. Defaults to -1.
        pretrained (str, optional): Checkpoint to load, as mmseg's
            segmentors pass it; the same as a ``Pretrained`` ``init_cfg``.
        init_cfg (dict, optional): Initialisation config; a checkpoint in
            it loads after the own initialisation, pyramid included.
    """

    arch_zoo = {
        'base': dict(embed_dims=512, depths=(3, 3, 24), num_heads=8),
        'large': dict(embed_dims=768, depths=(2, 2, 40), num_heads=12),
        'small': dict(embed_dims=384, depths=(2, 2, 20), num_heads=6),
        'tiny': dict(embed_dims=384, depths=(1, 1, 12), num_heads=6),
        'demo': dict(embed_dims=128, depths=(1, 1, 6), num_heads=4),
    }
    OUT_TYPES = ('stages', 'det', 'seg')

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: int = 224,
                 patch_size: int = 16,
                 inner_patches: int = 4,
                 in_channels: int = 3,
                 stem_mlp_ratio: float = 3.,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 ape: bool = True,
                 rpe: bool = False,
                 patch_norm: bool = True,
                 layer_scale_init_value: float = 0.,
                 mask_token: bool = False,
                 pyramid: Optional[dict] = None,
                 out_type: str = 'stages',
                 out_indices: Sequence[int] = (0, 1, 2),
                 frozen_stages: int = -1,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            init_cfg=init_cfg_with_pretrained(pretrained, init_cfg))
        settings = self._arch(arch)
        self.embed_dims = settings['embed_dims']
        self.depths = tuple(settings['depths'])
        self.num_heads = settings['num_heads']
        if out_type not in self.OUT_TYPES:
            raise ValueError(f'out_type must be one of {self.OUT_TYPES}, '
                             f'got {out_type!r}')
        if out_type != 'stages' and pyramid is None:
            raise ValueError(f"out_type={out_type!r} needs a pyramid")
        if any(i not in (0, 1, 2) for i in out_indices):
            raise ValueError(f'out_indices must be stages 0, 1 or 2, got '
                             f'{tuple(out_indices)}')
        self.out_type = out_type
        self.out_indices = tuple(out_indices)
        self.patch_size = patch_size
        self.ape, self.rpe = ape, rpe
        self.num_main_blocks = self.depths[2]

        self.patch_embed = PatchEmbed(
            img_size=img_size,
            patch_size=patch_size,
            inner_patches=inner_patches,
            in_chans=in_channels,
            embed_dim=self.embed_dims // 4,
            norm_cfg=norm_cfg if patch_norm else None)
        self.grid = tuple(self.patch_embed.patches_resolution)
        if rpe and self.grid[0] != self.grid[1]:
            raise ValueError('rpe needs a square img_size')
        num_units = self.grid[0] * self.grid[1]
        self.absolute_pos_embed = nn.Parameter(
            torch.zeros(1, num_units, self.embed_dims)) if ape else None
        self.mask_token = nn.Parameter(torch.zeros(
            1, 1, self.embed_dims)) if mask_token else None
        self.pos_drop = nn.Dropout(p=drop_rate)

        rates = iter(
            torch.linspace(0, drop_path_rate, sum(self.depths),
                           device='cpu').tolist())
        self.blocks = nn.ModuleList()
        dim = self.embed_dims // 4
        for stage, depth in enumerate(self.depths):
            main = stage == 2
            for _ in range(depth):
                self.blocks.append(
                    BlockWithRPE(
                        self.grid[0],
                        dim,
                        self.num_heads if main else 0,
                        mlp_ratio if main else stem_mlp_ratio,
                        qkv_bias,
                        drop=drop_rate,
                        attn_drop=attn_drop_rate,
                        drop_path=next(rates),
                        rpe=rpe,
                        layer_scale_init_value=layer_scale_init_value,
                        norm_cfg=norm_cfg))
            if not main:
                self.blocks.append(PatchMerge(dim, norm_cfg))
                dim *= 2

        self.pyramid = None
        if pyramid is not None:
            pyramid = dict(type='mmir.iTPNPyramid', **pyramid)
            pyramid.setdefault('embed_dims', self.embed_dims)
            pyramid.setdefault('norm_cfg', norm_cfg)
            self.pyramid = MODELS.build(pyramid)

        self.frozen_stages = frozen_stages
        self._freeze_stages()
        self._register_load_state_dict_pre_hook(self._fit_grid)

    def _fit_grid(self, state_dict: dict, prefix: str, *args,
                  **kwargs) -> None:
        """Before loading: a position embedding or relative-position tables
        of another grid (a checkpoint of another ``img_size``) are resized
        to this model's, bicubic as mmpretrain's ViTs do, instead of being
        skipped; the relative-position index buffers are constants of the
        grid and keep this model's."""
        key = prefix + 'absolute_pos_embed'
        pos = state_dict.get(key)
        if self.absolute_pos_embed is not None and pos is not None and \
                pos.shape != self.absolute_pos_embed.shape:
            side = math.isqrt(pos.shape[1])
            if side * side != pos.shape[1]:
                raise ValueError(f'{key} of shape {tuple(pos.shape)} is not '
                                 'a square grid; cannot resize it')
            state_dict[key] = resize_pos_embed(
                pos, (side, side), self.grid, num_extra_tokens=0)
            print_log(f'{key}: resized from {side}x{side} to '
                      f'{self.grid[0]}x{self.grid[1]}', logger='current')
        for name, buffer in self.named_buffers(prefix=prefix[:-1]):
            if name.endswith('relative_position_index') and \
                    name in state_dict:
                state_dict[name] = buffer.clone()
        for name, table in self.named_parameters(prefix=prefix[:-1]):
            theirs = state_dict.get(name)
            if name.endswith('relative_position_bias_table') and \
                    theirs is not None and theirs.shape != table.shape:
                state_dict[name] = resize_bias_table(
                    theirs, math.isqrt(table.shape[0]))
                print_log(f'{name}: resized', logger='current')

    @classmethod
    def _arch(cls, arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            if arch not in cls.arch_zoo:
                raise KeyError(f'arch {arch!r} is not one of '
                               f'{sorted(cls.arch_zoo)}')
            return cls.arch_zoo[arch]
        keys = {'embed_dims', 'depths', 'num_heads'}
        if set(arch) != keys or len(arch['depths']) != 3 or min(
                arch['depths']) < 1:
            raise ValueError(f'a custom arch needs exactly {sorted(keys)} '
                             f'with three depths of at least 1, got {arch}')
        return arch

    # ------------------------------------------------------------------
    # initialisation and freezing

    def init_weights(self) -> None:
        """The authors' initialisation: truncated normal (std .02) Linear
        weights, zero biases, unit LNs, sin-cos position embedding (the
        pyramid initialises itself); then any checkpoint of
        ``init_cfg``."""
        with pretrained_last(self):
            super().init_weights()
            for name, child in self.named_children():
                if name != 'pyramid':
                    trunc_normal_init_(child)
            if self.absolute_pos_embed is not None:
                self.absolute_pos_embed.data.copy_(
                    build_2d_sincos_position_embedding(
                        self.grid, self.embed_dims).reshape_as(
                            self.absolute_pos_embed))
            if self.mask_token is not None:
                trunc_normal_(self.mask_token, std=.02)

    def stage_blocks(self, stage: int) -> List[nn.Module]:
        """Blocks of ``stage`` (0, 1, 2), with the merge closing it."""
        start = sum(d + 1 for d in self.depths[:stage])
        end = start + self.depths[stage] + (stage < 2)
        return list(self.blocks[start:end])

    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen = [self.patch_embed]
        if self.frozen_stages >= 3 and self.absolute_pos_embed is not None:
            self.absolute_pos_embed.requires_grad_(False)
        for stage in range(min(self.frozen_stages, 3)):
            frozen += self.stage_blocks(stage)
        if self.frozen_stages >= 4 and self.pyramid is not None:
            frozen.append(self.pyramid)
        for module in frozen:
            module.eval()
            module.requires_grad_(False)
        self._frozen = frozen

    def train(self, mode: bool = True) -> 'iTPNHiViT':
        super().train(mode)
        for module in getattr(self, '_frozen', []):
            module.eval()
        return self

    # ------------------------------------------------------------------
    # layer-wise lr decay

    def get_layer_depth(self, param_name: str,
                        prefix: str = '') -> Tuple[int, int]:
        """Depth of a parameter for layer-wise lr decay, counted as the
        authors count (30 layers for base, 44 for large).

        The patch embedding, position embedding and mask token get 0, the
        ``k``-th block (MLP or attention, merges not counted) ``k + 1``, a
        merge the depth of the block after it, and the pyramid and
        everything outside the backbone the top depth ``L + 1``.

        Args:
            param_name (str): Parameter name.
            prefix (str): The backbone's prefix in ``param_name``.

        Returns:
            Tuple[int, int]: The depth and the number of depths ``L + 2``.
        """
        num_layers = sum(self.depths) + 2
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        name = param_name[len(prefix):]
        if name.startswith(('patch_embed', 'absolute_pos_embed',
                            'mask_token')):
            return 0, num_layers
        if name.startswith('blocks.'):
            index = int(name.split('.')[1])
            blocks_before = sum(
                not isinstance(b, PatchMerge) for b in self.blocks[:index])
            return blocks_before + 1, num_layers
        return num_layers - 1, num_layers

    # ------------------------------------------------------------------
    # forward

    def _pos_embed(self, grid: Tuple[int, int]) -> torch.Tensor:
        if grid == self.grid:
            return self.absolute_pos_embed
        return resize_pos_embed(
            self.absolute_pos_embed,
            self.grid,
            grid,
            mode='bicubic',
            num_extra_tokens=0)

    def _early_stages(
            self, units: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Stages 1-2 on token groups ``(B, N, 4, 4, C/4)``: the stage-1
        and stage-2 outputs (taken before each merge) and the main-stage
        input ``(B, N, C)``."""
        laterals = []
        x = units
        for block in self.blocks[:-self.num_main_blocks]:
            if isinstance(block, PatchMerge):
                laterals.append(x)
            x = block(x)
        return laterals[0], laterals[1], x[..., 0, 0, :]

    def _main_stage(self,
                    x: torch.Tensor,
                    full_grid: bool,
                    keep_index: Optional[int] = None
                    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Stage 3; also the output of main block ``keep_index``."""
        if self.rpe and not full_grid:
            raise ValueError(
                'relative position bias needs every unit of the img_size '
                'grid: use rpe=False with dropped units or other sizes')
        rpe_index = True if self.rpe else None
        kept = None
        for i, block in enumerate(self.blocks[-self.num_main_blocks:]):
            x = block(x, rpe_index)
            if i == keep_index:
                kept = x
        return x, kept

    def forward_stages(self, x: torch.Tensor) -> Stages:
        """The three stages' token groups of the whole image:
        ``(B, N, 4, 4, C/4)``, ``(B, N, 2, 2, C/2)``, ``(B, N, C)``."""
        grid = self.grid_of(x)
        stage1, stage2, x = self._early_stages(self.patch_embed(x))
        if self.ape:
            x = x + self._pos_embed(grid)
        x, _ = self._main_stage(self.pos_drop(x), grid == self.grid)
        return stage1, stage2, x

    def forward_masked(self, x: torch.Tensor, mask_ratio: float = 0.75
                       ) -> Tuple[Stages, torch.Tensor, torch.Tensor]:
        """MAE-style: a random ``mask_ratio`` of the units is dropped
        before stage 1, so no stage computes on them.

        Returns:
            tuple: The stages of the visible units (as
            :meth:`forward_stages`, ``N_visible`` units in a per-sample
            random order), the mask ``(B, N)`` (1 = dropped) and the
            indices ``(B, N)`` that restore the original order.
        """
        grid = self.grid_of(x)
        units = self.patch_embed(x)
        kept, mask, restore = random_masking(units.shape[0], units.shape[1],
                                             mask_ratio, x.device)
        stage1, stage2, x = self._early_stages(gather_units(units, kept))
        if self.ape:
            pos = self._pos_embed(grid).expand(units.shape[0], -1, -1)
            x = x + gather_units(pos, kept)
        x, _ = self._main_stage(self.pos_drop(x), False)
        return (stage1, stage2, x), mask, restore

    def forward_mask_token(
            self,
            x: torch.Tensor,
            mask: torch.Tensor,
            keep_index: Optional[int] = None
    ) -> Tuple[Stages, Optional[torch.Tensor]]:
        """BEiT-style: every unit runs; the main-stage input of the masked
        units is replaced by the mask token (stages 1-2 see the whole
        image, as in the authors' CLIP variant).

        Args:
            x (Tensor): Images ``(B, C, H, W)``.
            mask (Tensor): ``(B, Hp, Wp)`` or ``(B, N)``, true = masked.
            keep_index (int, optional): Also return the output of this main
                block (the CLIP variant's auxiliary branch).

        Returns:
            tuple: The three stages of all units, and the kept block output
            (None without ``keep_index``).
        """
        if self.mask_token is None:
            raise ValueError('forward_mask_token needs mask_token=True')
        grid = self.grid_of(x)
        stage1, stage2, x = self._early_stages(self.patch_embed(x))
        weight = mask.flatten(1).to(x.dtype)[..., None]
        x = x * (1 - weight) + self.mask_token.to(x.dtype) * weight
        if self.ape:
            x = x + self._pos_embed(grid)
        x, kept = self._main_stage(
            self.pos_drop(x), grid == self.grid, keep_index)
        return (stage1, stage2, x), kept

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """NCHW maps as ``out_type`` says."""
        grid = self.grid_of(x)
        stages = self.forward_stages(x)
        if self.out_type == 'stages':
            return tuple(
                tokens_to_map(stages[i], grid) for i in self.out_indices)
        # pyramid levels come from stride 16 down; maps from stride 4 up
        levels = [
            tokens_to_map(level, grid)
            for level in reversed(self.pyramid(stages))
        ]
        if self.out_type == 'det':
            pooled = F.avg_pool2d(levels[2], 2)
            return (*levels, pooled, F.avg_pool2d(pooled, 2))
        maps = [
            torch.cat([level, tokens_to_map(stage, grid)], dim=1)
            for level, stage in zip(levels, stages)
        ]
        return (*maps, F.max_pool2d(maps[2], 2))

    def grid_of(self, x: torch.Tensor) -> Tuple[int, int]:
        height, width = x.shape[-2:]
        if height % self.patch_size or width % self.patch_size:
            raise ValueError(
                f'input {height}x{width} is not divisible by patch_size '
                f'{self.patch_size}')
        return height // self.patch_size, width // self.patch_size
