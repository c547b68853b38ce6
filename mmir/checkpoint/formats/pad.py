# Copyright (c) mmir contributors. All rights reserved.
"""PAD pre-training checkpoints of the PAD authors' code.

The authors' ``main_pretrain.py`` (MAE repo) saves the whole model: a timm
ViT encoder whose blocks carry adapters (``adaptmlp``) with a per-token
scale predictor (``scalar_pred``) or a fixed scale, and MAE's decoder.
The key map ``pad_mae`` renames it to mmpretrain's ``MAE`` with an
``mmir.AdapterMAEViT`` backbone (``backbone.``) and a
``MAEPretrainDecoder`` neck (``neck.``); :func:`pad_to_mmir`
(``tools/model_converters/pad_to_mmir.py``) first checks the file against
the layout (:func:`_pad_layout`), so that no key is lost or left unknown.
"""
import re
from typing import Dict, List, Optional, Tuple

import torch

from ..converted import save_converted
from ..key_map import KeyMap, apply_key_map, blocks_as, prefixed
from ..safe_load import read_external
from .timm_vit import TIMM_VIT

# PAD's adapter names (MAE repo) -> mmir ``Adapter`` names inside an
# ``AdaptedFFN``.  The fixed-scale buffer is (1,) in PAD and 0-dim in mmir:
# the converter reshapes it.
PAD_ADAPTER = [
    (r'^blocks\.(\d+)\.adaptmlp\.adapter_layer_norm_before\.',
     r'layers.\1.ffn.adapter.norm.'),
    (r'^blocks\.(\d+)\.adaptmlp\.down_proj\.',
     r'layers.\1.ffn.adapter.down.'),
    (r'^blocks\.(\d+)\.adaptmlp\.up_proj\.', r'layers.\1.ffn.adapter.up.'),
    (r'^blocks\.(\d+)\.adaptmlp\.scale$', r'layers.\1.ffn.adapter.scale'),
    (r'^blocks\.(\d+)\.scalar_pred\.weight$',
     r'layers.\1.ffn.adapter.scale_pred'),
]
# A whole PAD (MAE-repo) model -> mmpretrain's MAE with ``backbone.`` an
# ``mmir.AdapterMAEViT`` and ``neck.`` a ``MAEPretrainDecoder``.  Keys of
# another layout stay as they are, for the converter to report.
PAD_MAE = (
    prefixed(TIMM_VIT + PAD_ADAPTER + [(r'^(cls_token|pos_embed)$', r'\1')],
             'backbone.')
    + blocks_as(TIMM_VIT, 'decoder_blocks', 'neck.decoder_blocks.') + [
        (r'^decoder_norm\.', 'neck.ln1.'),
        (r'^(decoder_embed|decoder_pred)\.', r'neck.\1.'),
        (r'^(mask_token|decoder_pos_embed)$', r'neck.\1'),
    ])
PAD_MAE_MAP = KeyMap(PAD_MAE, [])

KEY_MAPS = {'pad_mae': PAD_MAE_MAP}

# PAD (MAE repo) layout: what a transformer block holds, what the whole
# model holds outside the blocks, and what an adapter adds to its block.
PAD_BLOCK_KEYS = tuple(f'{name}.{param}'
                       for name in ('norm1', 'attn.qkv', 'attn.proj',
                                    'norm2', 'mlp.fc1', 'mlp.fc2')
                       for param in ('weight', 'bias'))
PAD_MODEL_KEYS = ('cls_token', 'pos_embed', 'patch_embed.proj.weight',
                  'patch_embed.proj.bias', 'norm.weight', 'norm.bias',
                  'decoder_embed.weight', 'decoder_embed.bias', 'mask_token',
                  'decoder_pos_embed', 'decoder_norm.weight',
                  'decoder_norm.bias', 'decoder_pred.weight',
                  'decoder_pred.bias')
PAD_ADAPTER_KEYS = tuple(f'adaptmlp.{name}.{param}'
                         for name in ('adapter_layer_norm_before',
                                      'down_proj', 'up_proj')
                         for param in ('weight', 'bias'))
# The scale of the adapter output: a per-token predictor or one value.
PAD_SCALE_KEYS = {'patchwise': 'scalar_pred.weight', 'fixed': 'adaptmlp.scale'}
PAD_BLOCK_INDEX = re.compile(r'^(blocks|decoder_blocks)\.(\d+)\.')
PAD_ADAPTER_INDEX = re.compile(r'^blocks\.(\d+)\.(adaptmlp|scalar_pred)\.')


def _pad_layout(state_dict: Dict[str, torch.Tensor],
               source: str) -> Tuple[List[str], List[int], Optional[str]]:
    """Check a PAD state dict against the MAE-repo layout.

    The expected keys follow from the block indices present: every block
    ``0..max`` of the encoder and the decoder, the adapter keys of every
    block that has any, and one scale per adapter.

    Args:
        state_dict (Dict[str, torch.Tensor]): The authors' weights.
        source (str): The file they came from, for messages.

    Returns:
        Tuple[List[str], List[int], Optional[str]]: Keys to drop (fixed
        scales of patchwise blocks, unused there), the adapter blocks, and
        the scale mode (``'patchwise'``, ``'fixed'``, or None without
        adapters).

    Raises:
        KeyError: Naming ``source`` and the keys, when keys are not in the
            layout, are missing, or the adapters mix scale modes.
    """
    depth = dict(blocks=0, decoder_blocks=0)
    adapters = set()
    for key in state_dict:
        match = PAD_BLOCK_INDEX.match(key)
        if match:
            depth[match[1]] = max(depth[match[1]], int(match[2]) + 1)
        match = PAD_ADAPTER_INDEX.match(key)
        if match:
            adapters.add(int(match[1]))
    adapters = sorted(adapters)
    expected = set(PAD_MODEL_KEYS)
    for container, count in depth.items():
        expected.update(f'{container}.{i}.{key}' for i in range(count)
                        for key in PAD_BLOCK_KEYS)
    dropped, modes, no_scale = [], set(), []
    for i in adapters:
        expected.update(f'blocks.{i}.{key}' for key in PAD_ADAPTER_KEYS)
        scales = {
            mode: f'blocks.{i}.{key}'
            for mode, key in PAD_SCALE_KEYS.items()
            if f'blocks.{i}.{key}' in state_dict
        }
        expected.update(scales.values())
        if 'patchwise' in scales and 'fixed' in scales:
            # the predicted scale replaces the adapter's own
            dropped.append(scales.pop('fixed'))
        modes.update(scales)
        if not scales:
            no_scale.append(i)
    unknown = sorted(set(state_dict) - expected)
    missing = sorted(expected - set(state_dict)) + [
        f'blocks.{i}.({"|".join(PAD_SCALE_KEYS.values())})'
        for i in no_scale
    ]
    if unknown or missing:
        raise KeyError(f'{source} does not match the PAD (MAE-repo) layout: '
                       f'unknown keys {unknown[:10]} ({len(unknown)} in '
                       f'all); missing keys {missing[:10]} ({len(missing)} '
                       'in all)')
    if len(modes) > 1:
        raise KeyError(f'{source}: adapters mix scale predictors '
                       f'({PAD_SCALE_KEYS["patchwise"]}) and fixed scales '
                       f'({PAD_SCALE_KEYS["fixed"]}); mmir uses one mode')
    return dropped, adapters, modes.pop() if modes else None


def pad_to_mmpretrain(
        state_dict: Dict[str, torch.Tensor], source: str
) -> Tuple[Dict[str, torch.Tensor], List[str], List[int], Optional[str]]:
    """Rename a PAD model's weights to mmpretrain ``MAE`` names.

    Args:
        state_dict (Dict[str, torch.Tensor]): The authors' weights
            (MAE-repo names: encoder, adapters, decoder).
        source (str): The file they came from, for messages.

    Returns:
        Tuple: The weights under ``backbone.`` / ``neck.`` names, the
        source keys dropped, the adapter blocks and the scale mode (see
        :func:`_pad_layout`).

    Raises:
        KeyError: Naming ``source``, for unknown or missing keys, mixed
            scale modes, or a fixed scale that is not one value.
    """
    dropped, adapters, scale_mode = _pad_layout(state_dict, source)
    kept = {k: v for k, v in state_dict.items() if k not in dropped}
    for i in adapters:
        key = f'blocks.{i}.{PAD_SCALE_KEYS["fixed"]}'
        if key in kept:
            if kept[key].numel() != 1:
                raise KeyError(f'{source}: {key} has shape '
                               f'{tuple(kept[key].shape)}, not one value')
            # (1,) in PAD, 0-dim in mmir
            kept[key] = kept[key].reshape(())
    return apply_key_map(kept, PAD_MAE_MAP), dropped, adapters, scale_mode


def pad_to_mmir(src: str, dst: str) -> dict:
    """Convert a PAD pre-training checkpoint of the authors' code to mmir.

    The file is what PAD's ``main_pretrain.py`` saves (weights under
    ``model``, next to ``optimizer``, ``epoch``, ``scaler`` and ``args``,
    which are not converted) or a bare state dict.  Every weight must
    belong to the model: the encoder, the adapters with their scale
    predictors (``scalar_pred``) or fixed scales (``adaptmlp.scale``) and
    the MAE decoder.  Only a fixed scale next to a scale predictor, which
    the predictor replaces, is dropped (and listed in
    ``meta['dropped_keys']``).  The output (key map ``pad_mae``) loads
    strictly into mmpretrain's ``MAE`` with an ``mmir.AdapterMAEViT``
    backbone and a ``MAEPretrainDecoder`` neck, and its ``backbone.``
    weights into the fine-tuning backbones with
    ``mmir.StrictPretrained(prefix='backbone.')``.  ``meta`` records the
    adapter blocks, the bottleneck and the scale mode to configure them
    with (``'patchwise'``, or ``'fixed'``, which also loads as
    ``'learnable'``).

    Args:
        src (str): The authors' checkpoint.
        dst (str): Output file.

    Returns:
        dict: The checkpoint written.

    Raises:
        KeyError: Naming ``src`` and the keys, when the file is not a
            complete PAD model.
    """
    weights, dropped, adapters, scale_mode = pad_to_mmpretrain(
        read_external(src), src)
    meta = dict(
        source=src,
        converter='pad_to_mmir',
        key_map='pad_mae',
        dropped_keys=dropped,
        adapter_layers=adapters,
        scale_mode=scale_mode)
    if adapters:
        meta['bottleneck'] = weights[
            f'backbone.layers.{adapters[0]}.ffn.adapter.down.weight'].shape[0]
    return save_converted(weights, meta, dst)
