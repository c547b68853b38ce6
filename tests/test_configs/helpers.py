# Copyright (c) mmir contributors. All rights reserved.
"""Collect the configs, strip their weights, shrink their models for CPU.

:func:`shrink_model` is the one place where config tests change a model's
size; every test that builds a full-size config goes through
:func:`build_model`.
"""
import glob
import inspect
import math
import os.path as osp
from typing import Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from ..conftest import REPO

CONFIGS = sorted(
    path for path in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path.split(osp.sep))

# Patch tokens per side of a shrunk backbone's input (64 px at patch 16).
GRID = 4
# Least width of a shrunk backbone, in channels.
MIN_WIDTH = 32
# Keys of neck and head configs whose values follow the backbone width.
WIDTH_KEYS = ('in_channels', 'channels', 'embed_dim')
# iTPN at CPU size: main-stage width, pyramid width, CLIP teacher width.
ITPN_WIDTH, ITPN_FPN, ITPN_TEACHER = 64, 32, 32
# CIM at CPU size: the widths of DALL-E's encoder and decoder.
DALLE_WIDTH = 8


def strip_pretrained(cfg) -> None:
    """Drop every weight file from a config, recursively and in place.

    Removes the ``init_cfg`` and ``pretrained`` entries and sets every
    string-valued ``*checkpoint`` entry (e.g. NMI-HAD's
    ``teacher_checkpoint``) to None.

    Args:
        cfg (dict | list | tuple): A model config or a part of one.
    """
    if isinstance(cfg, dict):
        for key in ('init_cfg', 'pretrained'):
            cfg.pop(key, None)
        for key, value in cfg.items():
            if key.endswith('checkpoint') and isinstance(value, str):
                cfg[key] = None
            else:
                strip_pretrained(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            strip_pretrained(value)


def resolve_type(cfg: dict, scope: Optional[str]) -> type:
    """The class that ``MODELS.build(cfg)`` builds under ``scope``.

    As ``build_from_cfg`` does, a ``_scope_`` entry (from a ``pkg::`` base)
    replaces the scope, and the scope's registry resolves the name, so
    ``mmir.X``, ``mmseg.X`` and ``mmdet.X`` reach those registries.

    Args:
        cfg (dict): A config with a ``type``.
        scope (str, optional): The default scope the config is built in.

    Returns:
        type: The registered class.
    """
    obj_type = cfg['type']
    if not isinstance(obj_type, str):
        return obj_type
    with MODELS.switch_scope_and_registry(cfg.get('_scope_', scope)) as reg:
        cls = reg.get(obj_type)
    assert cls is not None, f'{obj_type!r} is not registered under {scope}'
    return cls


def sub_scope(cfg: dict, scope: Optional[str]) -> Optional[str]:
    """The default scope in which the children of ``cfg`` are built."""
    return cfg.get('_scope_', scope)


def init_default(cls: type, name: str):
    """The default of ``cls.__init__``'s argument ``name``, else None."""
    for klass in cls.__mro__:
        if '__init__' not in vars(klass):
            continue
        param = inspect.signature(klass.__init__).parameters.get(name)
        if param is not None and param.default is not param.empty:
            return param.default
    return None


def shrink_width(heads: int, last_heads: Optional[int]) -> int:
    """The least width >= ``MIN_WIDTH`` that every head count divides.

    It is also a multiple of 4, as 2-D sin-cos position embeddings need.
    """
    step = 4
    for count in (heads, last_heads or 1):
        step = step * count // math.gcd(step, count)
    return step * math.ceil(MIN_WIDTH / step)


def shrink_backbone(cfg: dict, cls: type) -> Optional[Tuple[int, int]]:
    """Shrink one ViT config with a named ``arch`` in place.

    Rewrites ``arch`` (a name of ``cls.arch_zoo``) to a dict with the same
    depth and head counts, a width of :func:`shrink_width` and the same MLP
    ratio; ``img_size`` to ``GRID`` patches per side (``patch_size`` is
    kept); a nonzero ``window_size`` to ``GRID // 2``, so that windows
    still tile the grid. A config whose ``arch`` is already a dict (a
    CPU-sized demo) is left as written.

    Args:
        cfg (dict): The backbone (or teacher) config.
        cls (type): Its class.

    Returns:
        Tuple[int, int] | None: The old and new widths, or None when the
        config was left as written.
    """
    if not isinstance(cfg.get('arch'), str):
        return None
    zoo = cls.arch_zoo[cfg['arch'].lower()]
    width = shrink_width(zoo['num_heads'], cfg.get('last_heads'))
    cfg['arch'] = dict(
        embed_dims=width,
        num_layers=zoo['num_layers'],
        num_heads=zoo['num_heads'],
        feedforward_channels=zoo['feedforward_channels'] * width //
        zoo['embed_dims'])
    patch_size = cfg.get('patch_size', init_default(cls, 'patch_size'))
    cfg['img_size'] = patch_size * GRID
    if cfg.get('window_size'):
        cfg['window_size'] = GRID // 2
    return zoo['embed_dims'], width


def _scale_widths(cfg, old: int, new: int) -> None:
    """Scale the ``WIDTH_KEYS`` values that are multiples of ``old``."""

    def scale(value):
        if isinstance(value, (list, tuple)):
            return type(value)(scale(v) for v in value)
        if isinstance(value, int) and value % old == 0:
            return value // old * new
        return value

    if isinstance(cfg, dict):
        for key, value in cfg.items():
            if key in WIDTH_KEYS:
                cfg[key] = scale(value)
            else:
                _scale_widths(value, old, new)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            _scale_widths(value, old, new)


def _shrink_itpn_heads(model_cfg: dict) -> None:
    """The parts around a shrunk iTPN backbone: every channel count that
    follows from its two widths, recomputed (iTPN's ``C/4 + F, C/2 + F, C
    + F`` are not multiples of ``C``, so :func:`_scale_widths` cannot)."""
    width, fpn = ITPN_WIDTH, ITPN_FPN
    neck, head = model_cfg.get('neck'), model_cfg.get('head')
    if neck is not None:  # the pixel decoder
        neck.update(grid=(GRID, GRID), fpn_dim=fpn, decoder_embed_dim=width)
    if model_cfg.get('mfm_head') is not None:
        model_cfg['mfm_head'].update(
            in_dims=width, stage_dims=(width // 4, width // 2, width))
    if head is not None and 'teacher_dims' in head:  # the CLIP variant
        head.update(embed_dims=width, fpn_dim=fpn, teacher_dims=ITPN_TEACHER)
        # CLIP's visual tower (a download): a 1-block ViT of tokens
        # (CLS first) on the same grid
        model_cfg['target_generator'] = dict(
            type='mmpretrain.VisionTransformer',
            arch=dict(embed_dims=ITPN_TEACHER, num_layers=1, num_heads=2,
                      feedforward_channels=ITPN_TEACHER),
            img_size=16 * GRID,
            patch_size=16,
            out_type='raw')
    decode_head = model_cfg.get('decode_head')
    if decode_head is not None:
        maps = [width // 4 + fpn, width // 2 + fpn, width + fpn, width + fpn]
        decode_head.update(in_channels=maps, channels=fpn)
        auxiliary = model_cfg.get('auxiliary_head')
        if auxiliary is not None:
            auxiliary.update(
                in_channels=maps[auxiliary['in_index']], channels=fpn)
    if model_cfg.get('rpn_head') is not None:
        model_cfg['rpn_head'].update(in_channels=fpn, feat_channels=fpn)
        roi = model_cfg['roi_head']
        for part in ('bbox', 'mask'):
            if f'{part}_head' in roi:
                roi[f'{part}_roi_extractor']['out_channels'] = fpn
                roi[f'{part}_head']['in_channels'] = fpn


def shrink_itpn(model_cfg: dict) -> Tuple[int, int]:
    """Rewrite an iTPN model config (an ``iTPNHiViT`` backbone with its
    pyramid) in place to a CPU size; give its input size.

    A named ``arch`` becomes width :data:`ITPN_WIDTH` with the same depths
    and heads, the pyramid :data:`ITPN_FPN`, ``img_size`` ``GRID`` units;
    the decoder, MFM and CLIP heads and the mmseg / mmdet heads follow
    (:func:`_shrink_itpn_heads`).  A config whose ``arch`` is a dict (the
    CPU demo) is left as written.
    """
    from mmir.models import iTPNHiViT
    backbone = model_cfg['backbone']
    patch = backbone.get('patch_size', 16)
    if isinstance(backbone.get('arch'), str):
        zoo = iTPNHiViT.arch_zoo[backbone['arch']]
        backbone['arch'] = dict(zoo, embed_dims=ITPN_WIDTH)
        backbone['img_size'] = patch * GRID
        backbone['pyramid'] = dict(backbone['pyramid'], fpn_dim=ITPN_FPN)
        _shrink_itpn_heads(model_cfg)
    size = backbone.get('img_size', 224)
    return size, size


def shrink_cim(model_cfg: dict, scope: Optional[str]) -> Tuple[int, int]:
    """Rewrite a CIM model config in place to a CPU size; give its input
    size.

    A ViT enhancer shrinks as :func:`shrink_backbone` (its head follows);
    a CNN enhancer keeps its layout and sees ``16 * GRID`` px.  When the
    enhancer was shrunk, the generator sees the same size at a width of
    :func:`shrink_width` (its head follows), and a DALL-E tokenizer gets
    widths of :data:`DALLE_WIDTH` (its vocabulary is kept).  The CPU demo
    (``arch`` dicts) is left as written.
    """
    backbone, generator = model_cfg['backbone'], model_cfg['generator']
    backbone_cls = resolve_type(backbone, scope)
    if 'arch' in backbone:
        widths = shrink_backbone(backbone, backbone_cls)
        if widths is None:
            size = backbone['img_size']
            return size, size
        _scale_widths(model_cfg['head'], *widths)
        size = backbone['img_size']
    else:
        size = 16 * GRID
    arch = generator['arch']
    width = shrink_width(arch['num_heads'], None)
    generator.update(
        img_size=size,
        arch=dict(arch, embed_dims=width, feedforward_channels=4 * width))
    model_cfg['generator_head']['embed_dims'] = width
    tokenizer = model_cfg['tokenizer']
    if tokenizer['type'] == 'mmir.DALLETokenizer':
        tokenizer['encoder']['n_hid'] = DALLE_WIDTH
        tokenizer['decoder'].update(n_init=DALLE_WIDTH, n_hid=DALLE_WIDTH)
    return size, size


def shrink_adavipro(model_cfg: dict) -> Tuple[int, int]:
    """Rewrite an AdaViPro model config in place to a CPU size; give its
    input size.

    A CLIP classifier's vision ViT shrinks as :func:`shrink_backbone`, its
    text transformer and projections to :data:`MIN_WIDTH` (depth and heads
    kept); the prompt follows the image size (the same share of it).  An
    ``ImageClassifier`` of CPU size (the demo) is left as written.
    """
    classifier = model_cfg['classifier']
    vision = classifier.get('vision_backbone')
    if vision is None:
        size = classifier['backbone']['img_size']
        return size, size
    from mmpretrain.models import VisionTransformer
    old = vision.get('img_size', 224)
    _, width = shrink_backbone(vision, VisionTransformer)
    size = vision['img_size']
    classifier['projection'].update(in_channels=width, out_channels=MIN_WIDTH)
    classifier['text_backbone']['width'] = MIN_WIDTH
    classifier.update(transformer_width=MIN_WIDTH, proj_dim=MIN_WIDTH)
    prompter = model_cfg['prompter']
    prompter['prompt_size'] = max(prompter.get('prompt_size', 30) * size //
                                  old, 1)
    prompter['image_size'] = size
    return size, size


def shrink_model(model_cfg: dict, scope: Optional[str]) -> Tuple[int, int]:
    """Rewrite a model config in place to a CPU size; give its input size.

    Only sizes change, never the structure (depth, head counts, block
    indices, strides, number of classes):

    - an iTPN model: see :func:`shrink_itpn`; a CIM model:
      :func:`shrink_cim`;
    - ``backbone`` and ``teacher``: see :func:`shrink_backbone`
      (``arch``, ``img_size``, ``window_size``);
    - every other part, when the backbone was shrunk from width C to C':
      the ``WIDTH_KEYS`` (``in_channels``, ``channels``, ``embed_dim``)
      whose values are multiples k * C become k * C' (UPerNet's channels,
      a linear head's concatenation, MAE's decoder input, ...), and the
      ``num_patches`` of a neck that takes it becomes ``GRID ** 2``.

    Args:
        model_cfg (dict): The model config, weights already stripped.
        scope (str, optional): The default scope it is built in.

    Returns:
        Tuple[int, int]: The input size (H, W) the backbone expects.
    """
    scope = sub_scope(model_cfg, scope)
    if model_cfg.get('type') == 'mmir.CIM':
        return shrink_cim(model_cfg, scope)
    if model_cfg.get('type') == 'mmir.AdaViProClassifier':
        return shrink_adavipro(model_cfg)
    if model_cfg.get('type') == 'mmir.VQTokenizerPretrain':
        # convolutions of CPU size as written; GRID tokens per side
        tokenizer = model_cfg['tokenizer']
        size = GRID * tokenizer.get('downsample', init_default(
            resolve_type(tokenizer, scope), 'downsample'))
        return size, size
    backbone = model_cfg['backbone']
    backbone_cls = resolve_type(backbone, scope)
    if backbone_cls.__name__ == 'iTPNHiViT':
        return shrink_itpn(model_cfg)
    widths = shrink_backbone(backbone, backbone_cls)
    if isinstance(model_cfg.get('teacher'), dict):
        teacher = model_cfg['teacher']
        shrink_backbone(teacher, resolve_type(teacher, scope))
    if widths is not None:
        for key, part in model_cfg.items():
            if key not in ('backbone', 'teacher'):
                _scale_widths(part, *widths)
        neck = model_cfg.get('neck')
        if isinstance(neck, dict) and 'num_patches' in inspect.signature(
                resolve_type(neck, scope)).parameters:
            neck['num_patches'] = GRID**2
    # A CNN (no img_size) sees what a shrunk ViT of patch 16 sees.
    size = backbone.get('img_size', init_default(
        backbone_cls, 'img_size')) or 16 * GRID
    return tuple(size) if isinstance(size, (list, tuple)) else (size, size)


def load_config(path: str) -> Config:
    """Load a config; shrink and strip its model.

    Returns:
        Config: The config, with ``input_size`` (H, W) of the shrunk
        model added.
    """
    cfg = Config.fromfile(path)
    strip_pretrained(cfg.model)
    cfg.input_size = shrink_model(cfg.model, cfg.get('default_scope'))
    return cfg


def build_model(cfg: Config, init: bool = False) -> torch.nn.Module:
    """Build ``cfg.model`` in the config's default scope, as the Runner.

    Args:
        cfg (Config): The config.
        init (bool): Also run ``init_weights``, as the Runner does before
            training. Defaults to False.

    Returns:
        torch.nn.Module: The model.
    """
    model_cfg = cfg.model
    if cfg.get('data_preprocessor') is not None:
        # as the Runner: a top-level data_preprocessor is the model's default
        model_cfg = dict(model_cfg)
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(model_cfg)
        if init:
            model.init_weights()
    return model
