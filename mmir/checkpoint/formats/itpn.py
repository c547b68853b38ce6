# Copyright (c) mmir contributors. All rights reserved.
"""iTPN checkpoints of the iTPN authors' code.

The authors keep one set of names from pre-training to detection: the
HiViT backbone (``patch_embed``, ``absolute_pos_embed``, ``blocks`` with
the MLP blocks, the two merges and the attention blocks in one list, a
``relative_position_index`` buffer when the attention has a relative
position bias) and the integral pyramid (``align_dim_16tofpn``,
``split_16to8``, ``align_dim_16to8``, ``block_16to8``, ``split_8to4``,
``align_dim_8to4``, ``block_8to4``, ``fpn_modules``).  mmir's
:class:`~mmir.models.iTPNHiViT` keeps them, with the pyramid under
``pyramid.``.  :func:`itpn_to_mmir` (``tools/model_converters/
itpn_to_mmir.py``) recognises four layouts, checks the file against its
layout (refusing unknown and missing keys by name), and writes mmir
names:

- ``pixel``: pixel pre-training (``iTPNMaskedAutoencoder``, weights under
  ``model``): ``backbone.`` and the pixel decoder, ``neck.``
  (:class:`~mmir.models.iTPNDecoder`; timm block names become mmpretrain
  ones).
- ``clip``: CLIP-target pre-training (``iTPNClipDistill``): ``backbone.``
  (with the mask token) and the CLIP head, ``head.``
  (:class:`~mmir.models.iTPNClipDistillHead`).  The CLIP teacher is not in
  the authors' file (their training script holds it apart), so the
  model's ``target_generator.`` comes from its own weights.
- ``classification``: ImageNet fine-tuning (no pyramid): ``backbone.``.
- ``downstream``: the mmdet / mmseg models (``state_dict`` with the
  backbone under ``backbone.``): ``backbone.``.

Every source key is renamed or dropped with a reason (``meta``).  The
backbone-level ``relative_position_index`` is a constant that mmir's
attention blocks each build for themselves: it is dropped after a check
and every block's buffer is written from :func:`relative_position_index`.

The tables are not registered in ``KEY_MAPS``: a rename alone does not
load (the index buffers have to be written), so ``StrictPretrained`` reads
the converted file, whose names are mmir's (``key_map='mmpretrain'``).
"""
import math
import re
from typing import Dict, NamedTuple, Optional, Set, Tuple

import torch

from ..converted import describe, save_converted
from ..key_map import KeyMap, apply_key_map, blocks_as
from ..safe_load import read_external
from .timm_vit import TIMM_VIT

KEY_MAPS = {}

PYRAMID_MODULES = ('align_dim_16tofpn', 'split_16to8', 'align_dim_16to8',
                   'block_16to8', 'split_8to4', 'align_dim_8to4',
                   'block_8to4', 'fpn_modules')
# The authors' backbone and pyramid -> ``iTPNHiViT`` under ``backbone.``.
BACKBONE = [
    (r'^(patch_embed\.|blocks\.|absolute_pos_embed$)', r'backbone.\1'),
    (rf'^({"|".join(PYRAMID_MODULES)})\.', r'backbone.pyramid.\1.'),
]
# The pixel decoder -> ``iTPNDecoder`` under ``neck.``.
PIXEL_DECODER = blocks_as(TIMM_VIT, 'decoder_blocks',
                          'neck.decoder_blocks.') + [
    (r'^(decoder_embed|decoder_norm|decoder_pred)\.', r'neck.\1.'),
    (r'^(mask_token|decoder_pos_embed)$', r'neck.\1'),
]
# The CLIP head -> ``iTPNClipDistillHead`` under ``head.``; the mask token
# of the CLIP variant is the backbone's.
CLIP_HEAD = [
    (r'^(decoder_embed|norm|lm_head|cls_pt_layers|norm_cls|lm_cls_head)\.',
     r'head.\1.'),
    (r'^mask_token$', 'backbone.mask_token'),
]
# One table per layout, named as ``meta['key_map']`` names it.
ITPN_KEY_MAPS = {
    'itpn_pixel': KeyMap(BACKBONE + PIXEL_DECODER, []),
    'itpn_clip': KeyMap(BACKBONE + CLIP_HEAD, []),
    'itpn_classification': KeyMap(BACKBONE, []),
    'itpn_downstream': KeyMap(BACKBONE, []),
}

# Keys dropped, and why.
INDEX_DROP = (r'^relative_position_index$',
              'a constant index; mmir writes one into every attention block')
AUX_BIAS_DROP = (
    r'^cls_pt_layers\.\d+\.attn\.relative_position_bias_table$',
    "mmir's iTPNClipDistillHead has no relative position bias in its "
    'auxiliary blocks (a pre-training-only branch)')
CLASSIFIER_DROP = (r'^(fc_norm|head)\.',
                   'the ImageNet classifier of fine-tuning; mmir converts '
                   'the backbone')
TASK_DROP = ('not the backbone of the authors\' mmdet/mmseg model (a task '
             'head); mmir converts the backbone')
LAYOUT_DROPS = {
    'pixel': [INDEX_DROP],
    'clip': [INDEX_DROP, AUX_BIAS_DROP],
    'classification': [INDEX_DROP, CLASSIFIER_DROP],
    'downstream': [INDEX_DROP],
}

# What a block holds: every block an MLP, attention blocks more.
MLP_KEYS = tuple(f'{name}.{param}' for name in ('norm2', 'mlp.fc1', 'mlp.fc2')
                 for param in ('weight', 'bias'))
ATTENTION_KEYS = tuple(f'{name}.{param}'
                       for name in ('norm1', 'attn.qkv', 'attn.proj')
                       for param in ('weight', 'bias'))
RPE_TABLE = 'attn.relative_position_bias_table'
# A merge of the backbone, or a split of the pyramid.
NORM_REDUCTION_KEYS = ('norm.weight', 'norm.bias', 'reduction.weight')
STEM_KEYS = ('patch_embed.proj.weight', 'patch_embed.proj.bias',
             'patch_embed.norm.weight', 'patch_embed.norm.bias',
             'absolute_pos_embed')
DECODER_EMBED_KEYS = tuple(f'decoder_embed.{level}.{layer}.{param}'
                           for level in range(3) for layer in range(2)
                           for param in ('weight', 'bias'))
PIXEL_DECODER_KEYS = DECODER_EMBED_KEYS + (
    'mask_token', 'decoder_pos_embed', 'decoder_norm.weight',
    'decoder_norm.bias', 'decoder_pred.weight', 'decoder_pred.bias')
CLIP_HEAD_KEYS = DECODER_EMBED_KEYS + tuple(
    f'{name}.{param}' for name in ('norm', 'lm_head', 'norm_cls',
                                   'lm_cls_head')
    for param in ('weight', 'bias')) + ('mask_token', )
CLASSIFIER_KEYS = ('fc_norm.weight', 'fc_norm.bias', 'head.weight',
                   'head.bias')
# One letter per backbone block: MLP block, merge, attention block; the
# stages are MLP blocks, a merge, MLP blocks, a merge, attention blocks.
HIVIT_STAGES = re.compile(r'^(m*)M(m*)M(a+)$')
BLOCK_PART = re.compile(r'^blocks\.(\d+)\.([^.]+)\.')


class Backbone(NamedTuple):
    """What a file tells of its HiViT and pyramid.

    Args:
        depths (Tuple[int, int, int]): Blocks of the three stages.
        rpe (bool): Relative position bias in the attention blocks.
        layer_scale (bool): Layer scale (``gamma_1``, ``gamma_2``).
        fpn_depth (int, optional): Blocks after each top-down step of the
            pyramid; None without a pyramid.
    """

    depths: Tuple[int, int, int]
    rpe: bool
    layer_scale: bool
    fpn_depth: Optional[int]


def relative_position_index(size: int) -> torch.Tensor:
    """Index of the relative position bias table for a ``size x size``
    grid of units, for every (query, key) pair in row-major order.

    Returns:
        Tensor: ``(size**2, size**2)`` int64, offsets in ``[0,
        (2 * size - 1)**2)``, rows of the table by vertical offset.
    """
    rows = torch.arange(size).repeat_interleave(size)
    cols = torch.arange(size).repeat(size)
    vertical = rows[:, None] - rows[None, :] + size - 1
    horizontal = cols[:, None] - cols[None, :] + size - 1
    return vertical * (2 * size - 1) + horizontal


def _count(weights: Dict[str, torch.Tensor], container: str) -> int:
    """1 + the largest index ``<i>`` of keys ``<container>.<i>.*``."""
    pattern = re.compile(rf'^{re.escape(container)}\.(\d+)\.')
    indices = [int(m[1]) for m in map(pattern.match, weights) if m]
    return max(indices) + 1 if indices else 0


def _block_kinds(weights: Dict[str, torch.Tensor]) -> str:
    """One letter per backbone block, ``M`` (merge: ``norm``,
    ``reduction``), ``a`` (attention: ``norm1``, ``attn``) or ``m`` (MLP),
    told by any of the block's keys."""
    kinds = ['m'] * _count(weights, 'blocks')
    for key in weights:
        match = BLOCK_PART.match(key)
        if match and match[2] in ('norm', 'reduction'):
            kinds[int(match[1])] = 'M'
        elif match and match[2] in ('norm1', 'attn'):
            kinds[int(match[1])] = 'a'
    return ''.join(kinds)


def _block_keys(prefix: str,
                attention: bool,
                rpe: bool = False,
                layer_scale: bool = False) -> Set[str]:
    """The keys of one authors' ``BlockWithRPE`` under ``prefix``."""
    names = list(MLP_KEYS)
    if attention:
        names += ATTENTION_KEYS + ((RPE_TABLE, ) if rpe else ())
    if layer_scale:
        names += ['gamma_2'] + (['gamma_1'] if attention else [])
    return {f'{prefix}.{name}' for name in names}


def _has(weights: Dict[str, torch.Tensor], pattern: str) -> bool:
    """Whether a key matches ``pattern``."""
    return any(re.match(pattern, key) for key in weights)


def _width(weights: Dict[str, torch.Tensor], key: str) -> Optional[int]:
    """The last dimension of ``key``, None when it is missing."""
    return weights[key].shape[-1] if key in weights else None


def _backbone_keys(kinds: str, rpe: bool, layer_scale: bool) -> Set[str]:
    """The backbone's keys for blocks of ``kinds`` (see
    :func:`_block_kinds`)."""
    keys = set(STEM_KEYS) | ({'relative_position_index'} if rpe else set())
    for i, kind in enumerate(kinds):
        if kind == 'M':
            keys.update(f'blocks.{i}.{name}' for name in NORM_REDUCTION_KEYS)
        else:
            keys |= _block_keys(f'blocks.{i}', kind == 'a', rpe, layer_scale)
    return keys


def _has_align(weights: Dict[str, torch.Tensor]) -> bool:
    """Whether the authors built ``align_dim_16tofpn``: where the main
    stage and the pyramid differ in width (told by the keys present when a
    width is missing)."""
    embed_dims = _width(weights, 'absolute_pos_embed')
    fpn_dim = _width(weights, 'fpn_modules.0.norm2.weight')
    if embed_dims is None or fpn_dim is None:
        return _has(weights, r'^align_dim_16tofpn\.')
    return embed_dims != fpn_dim


def _pyramid_keys(weights: Dict[str, torch.Tensor]) -> Set[str]:
    """The pyramid's keys, as many blocks after each top-down step as
    ``block_16to8`` holds (mmir has one ``fpn_depth`` for both steps)."""
    keys = {f'{split}.{name}' for split in ('split_16to8', 'split_8to4')
            for name in NORM_REDUCTION_KEYS}
    keys |= {'align_dim_16to8.weight', 'align_dim_8to4.weight'}
    for k in range(_count(weights, 'block_16to8')):
        keys |= _block_keys(f'block_16to8.{k}', False)
        keys |= _block_keys(f'block_8to4.{k}', False)
    for k in range(3):
        keys |= _block_keys(f'fpn_modules.{k}', False)
    if _has_align(weights):
        keys |= {'align_dim_16tofpn.weight', 'align_dim_16tofpn.bias'}
    return keys


def _pixel_decoder_keys(weights: Dict[str, torch.Tensor]) -> Set[str]:
    """The pixel decoder's keys (blocks without relative position bias or
    layer scale)."""
    keys = set(PIXEL_DECODER_KEYS)
    for k in range(_count(weights, 'decoder_blocks')):
        keys |= _block_keys(f'decoder_blocks.{k}', True)
    return keys


def _clip_head_keys(weights: Dict[str, torch.Tensor]) -> Set[str]:
    """The CLIP head's keys, its auxiliary blocks with a relative position
    bias and a layer scale if any of them has one."""
    rpe = _has(weights, rf'^cls_pt_layers\.\d+\.{re.escape(RPE_TABLE)}$')
    layer_scale = _has(weights, r'^cls_pt_layers\.\d+\.gamma_2$')
    keys = set(CLIP_HEAD_KEYS)
    for k in range(_count(weights, 'cls_pt_layers')):
        keys |= _block_keys(f'cls_pt_layers.{k}', True, rpe, layer_scale)
    return keys


def _layout_of(weights: Dict[str, torch.Tensor], source: str) -> str:
    """``pixel``, ``clip`` or ``classification``, by the part beside the
    backbone: the pixel decoder, the CLIP head or the classifier."""
    if _has(weights, r'^decoder_blocks\.'):
        return 'pixel'
    if _has(weights, r'^lm_head\.'):
        return 'clip'
    if _has(weights, r'^(fc_norm|head)\.'):
        return 'classification'
    raise KeyError(
        f'{source} is not an iTPN checkpoint of the authors: no pixel '
        'decoder (decoder_blocks.*), CLIP head (lm_head.*), classifier '
        '(fc_norm.*, head.*) or detector/segmentor backbone (backbone.*); '
        f'its keys begin {sorted(weights)[:10]} ({len(weights)} in all)')


def _options(weights: Dict[str, torch.Tensor]) -> Tuple[bool, bool]:
    """Whether the backbone has a relative position bias (its index buffer
    or any table) and a layer scale (any ``gamma_2``)."""
    rpe = ('relative_position_index' in weights
           or _has(weights, rf'^blocks\.\d+\.{re.escape(RPE_TABLE)}$'))
    return rpe, _has(weights, r'^blocks\.\d+\.gamma_2$')


def _expected_keys(weights: Dict[str, torch.Tensor], layout: str,
                   kinds: str) -> Set[str]:
    """Every key of ``layout`` for the backbone blocks of ``kinds``."""
    keys = _backbone_keys(kinds, *_options(weights))
    if layout != 'classification':
        keys |= _pyramid_keys(weights)
    if layout == 'pixel':
        keys |= _pixel_decoder_keys(weights)
    elif layout == 'clip':
        keys |= _clip_head_keys(weights)
    elif layout == 'classification':
        keys |= set(CLASSIFIER_KEYS)
    return keys


def _check_layout(weights: Dict[str, torch.Tensor], layout: str,
                  source: str) -> Backbone:
    """Check ``weights`` against ``layout``, key by key.

    Returns:
        Backbone: What the file holds.

    Raises:
        KeyError: Naming ``source`` and the keys, when the backbone blocks
            do not form HiViT's stages or keys are unknown or missing.
    """
    kinds = _block_kinds(weights)
    stages = HIVIT_STAGES.match(kinds)
    expected = _expected_keys(weights, layout, kinds if stages else '')
    problems = []
    if not stages:
        problems.append(
            f'blocks.* are {kinds!r} (m: MLP block, M: merge with norm '
            'and reduction, a: attention block with norm1 and attn), '
            "not HiViT's MLP blocks, merge, MLP blocks, merge, attention "
            'blocks')
    unknown = sorted(key for key in set(weights) - expected
                     if stages or not key.startswith('blocks.'))
    missing = sorted(expected - set(weights))
    if unknown:
        problems.append(f'unknown keys {unknown[:10]} ({len(unknown)} in '
                        'all)')
    if missing:
        problems.append(f'missing keys {missing[:10]} ({len(missing)} in '
                        'all)')
    if problems:
        raise KeyError(f'{source} does not match the iTPN {layout} layout: '
                       + '; '.join(problems))
    fpn_depth = None if layout == 'classification' else _count(
        weights, 'block_16to8')
    return Backbone(
        tuple(len(group) for group in stages.groups()), *_options(weights),
        fpn_depth)


def _index_buffers(weights: Dict[str, torch.Tensor], backbone: Backbone,
                   source: str) -> Dict[str, torch.Tensor]:
    """Every mmir attention block's ``relative_position_index``, after a
    check that the authors' buffer is the index of a square grid."""
    if not backbone.rpe:
        return {}
    theirs = weights['relative_position_index']
    size = math.isqrt(theirs.shape[0])
    ours = relative_position_index(size)
    if theirs.shape != ours.shape or not torch.equal(theirs.long(), ours):
        raise KeyError(f'{source}: relative_position_index '
                       f'{tuple(theirs.shape)} is not the index of a square '
                       'grid of units')
    first = sum(backbone.depths[:2]) + 2
    return {
        f'backbone.blocks.{i}.attn.relative_position_index': ours
        for i in range(first, first + backbone.depths[2])
    }


def _split_downstream(
    state_dict: Dict[str, torch.Tensor]
) -> Tuple[Dict[str, torch.Tensor], Dict[str, str], Dict[str, str]]:
    """The backbone of an mmdet/mmseg model, its keys without
    ``backbone.``.

    Returns:
        Tuple: The backbone weights, their source names, and the other
        keys with the reason they are dropped.
    """
    prefix = 'backbone.'
    weights = {
        key[len(prefix):]: value
        for key, value in state_dict.items() if key.startswith(prefix)
    }
    sources = {key: prefix + key for key in weights}
    dropped = {
        key: TASK_DROP
        for key in state_dict if not key.startswith(prefix)
    }
    return weights, sources, dropped


def _read(src: str) -> Tuple[str, Dict[str, torch.Tensor], Dict[str, str],
                            Dict[str, str]]:
    """Read ``src`` and tell its layout.

    Returns:
        Tuple: The layout, the weights under the authors' model names,
        their names in the file, and the keys of the file dropped already
        (an mmdet/mmseg model's task heads), with the reasons.
    """
    state_dict = read_external(src)
    if any(key.startswith('backbone.') for key in state_dict):
        return ('downstream', *_split_downstream(state_dict))
    sources = {key: key for key in state_dict}
    return _layout_of(state_dict, src), state_dict, sources, {}


def _drops(weights: Dict[str, torch.Tensor], layout: str) -> Dict[str, str]:
    """The keys of ``layout`` that are dropped, with the reasons."""
    return {
        key: reason
        for key in weights for pattern, reason in LAYOUT_DROPS[layout]
        if re.match(pattern, key)
    }


def _rename(key: str, layout: str) -> str:
    """The mmir name of one authors' key of ``layout``."""
    key_map = ITPN_KEY_MAPS[f'itpn_{layout}']
    return next(iter(apply_key_map({key: None}, key_map)))


def _backbone_meta(weights: Dict[str, torch.Tensor],
                   backbone: Backbone) -> dict:
    """The ``iTPNHiViT`` settings a file tells (for the configs)."""
    meta = dict(
        embed_dims=weights['absolute_pos_embed'].shape[-1],
        depths=list(backbone.depths),
        pos_embed_grid=math.isqrt(weights['absolute_pos_embed'].shape[1]),
        rpe=backbone.rpe,
        layer_scale=backbone.layer_scale)
    if backbone.rpe:
        meta['rpe_grid'] = math.isqrt(
            weights['relative_position_index'].shape[0])
    if backbone.fpn_depth is not None:
        meta['pyramid'] = dict(
            fpn_dim=weights['fpn_modules.0.norm2.weight'].shape[0],
            fpn_depth=backbone.fpn_depth)
    return meta


def itpn_to_mmir(src: str, dst: str) -> dict:
    """Convert an iTPN checkpoint of the authors' code to mmir.

    The file is a pre-training checkpoint (pixel or CLIP target) or an
    ImageNet fine-tuning one (weights under ``model``, maybe next to
    ``optimizer``, ``epoch``, ``scaler`` and ``args``, which are not
    converted), or an mmdet/mmseg checkpoint (``state_dict`` with
    ``backbone.``).  It must hold the whole layout: every block of the
    stages (a relative position bias and a layer scale in all of them or
    none), the pyramid but in fine-tuning, and the decoder or head of
    pre-training.  The output holds ``backbone.``
    (:class:`~mmir.models.iTPNHiViT` with its pyramid), and ``neck.``
    (pixel) or ``head.`` (CLIP) of :class:`~mmir.models.iTPN`; it loads
    strictly into that model (the CLIP teacher apart) and its ``backbone.``
    into the detection and segmentation backbones.  ``meta`` records every
    source key, renamed (``renamed_keys``) or dropped (``dropped_keys``,
    ``drop_reasons``), the buffers written (``filled_keys``) and the
    backbone settings (``backbone``).

    Args:
        src (str): The authors' checkpoint.
        dst (str): Output file.

    Returns:
        dict: The checkpoint written.

    Raises:
        KeyError: Naming ``src`` and the keys, when the file does not
            match a layout.
    """
    layout, weights, sources, dropped = _read(src)
    backbone = _check_layout(weights, layout, src)
    filled = _index_buffers(weights, backbone, src)
    own_drops = _drops(weights, layout)
    dropped.update((sources[key], reason)
                   for key, reason in own_drops.items())
    kept = [key for key in weights if key not in own_drops]
    renamed = {sources[key]: _rename(key, layout) for key in kept}
    converted = {renamed[sources[key]]: weights[key] for key in kept}
    meta = dict(
        source=src,
        converter='itpn_to_mmir',
        key_map=f'itpn_{layout}',
        layout=layout,
        dropped_keys=sorted(dropped),
        drop_reasons=dropped,
        renamed_keys=renamed,
        filled_keys=sorted(filled),
        backbone=_backbone_meta(weights, backbone))
    return save_converted(dict(converted, **filled), meta, dst)


def describe_itpn(checkpoint: dict, dst: str) -> str:
    """:func:`~mmir.checkpoint.describe`, the backbone settings, and every
    source key: its mmir name or why it was dropped.

    Args:
        checkpoint (dict): As :func:`itpn_to_mmir` returns it.
        dst (str): Where it was written.

    Returns:
        str: The report, one key a line.
    """
    meta = checkpoint['meta']
    lines = [describe(checkpoint, dst), f'layout: {meta["layout"]}',
             f'backbone: {meta["backbone"]}']
    lines += [
        f'{source} -> {target}'
        for source, target in meta['renamed_keys'].items()
    ]
    lines += [f'{key} dropped: {meta["drop_reasons"][key]}'
              for key in meta['dropped_keys']]
    lines += [f'{key} written: the index of every attention block'
              for key in meta['filled_keys']]
    return '\n'.join(lines)

