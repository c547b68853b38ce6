# Copyright (c) mmir contributors. All rights reserved.
"""Key maps from external checkpoint formats to mmpretrain's ViT names.

Each map is an ordered list of ``(pattern, replacement)`` regular
expressions applied to every key; keys that match a ``DROP`` pattern are
removed.  Add a format by adding a table here.  ``pad_mae`` maps a whole
PAD model (encoder, adapters and MAE decoder) to the names of mmpretrain's
``MAE``, with the ``backbone.`` and ``neck.`` prefixes.
"""
import re
from typing import Dict, List, Tuple

import torch

# timm / MAE-v1 / DINO / iBOT ViT names -> mmpretrain VisionTransformer.
TIMM_VIT = [
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.', r'layers.\1.attn.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^blocks\.(\d+)\.ls1\.gamma$', r'layers.\1.attn.gamma1.weight'),
    (r'^blocks\.(\d+)\.ls2\.gamma$', r'layers.\1.ffn.gamma2.weight'),
    (r'^norm\.', 'ln1.'),
]
# Parts of pre-training checkpoints that are not the ViT encoder.
TIMM_VIT_DROP = [r'^head\.', r'^fc_norm\.', r'^decoder', r'^mask_token$']


def _prefixed(renames: List[Tuple[str, str]],
              prefix: str) -> List[Tuple[str, str]]:
    """``renames`` with ``prefix`` put before every replacement."""
    return [(pattern, prefix + replacement)
            for pattern, replacement in renames]


def _blocks_as(renames: List[Tuple[str, str]], source: str,
               target: str) -> List[Tuple[str, str]]:
    """The ``^blocks.<i>.`` -> ``layers.<i>.`` rules of ``renames``, for
    blocks named ``source`` that become ``target`` (a full prefix)."""
    return [(pattern.replace(r'^blocks\.', f'^{source}\\.', 1),
             replacement.replace('layers.', target, 1))
            for pattern, replacement in renames
            if pattern.startswith(r'^blocks\.')]


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
    _prefixed(TIMM_VIT + PAD_ADAPTER + [(r'^(cls_token|pos_embed)$', r'\1')],
              'backbone.')
    + _blocks_as(TIMM_VIT, 'decoder_blocks', 'neck.decoder_blocks.') + [
        (r'^decoder_norm\.', 'neck.ln1.'),
        (r'^(decoder_embed|decoder_pred)\.', r'neck.\1.'),
        (r'^(mask_token|decoder_pos_embed)$', r'neck.\1'),
    ])

KEY_MAPS: Dict[str, Tuple[List[Tuple[str, str]], List[str]]] = {
    'mmpretrain': ([], []),
    'timm_vit': (TIMM_VIT, TIMM_VIT_DROP),
    'pad_mae': (PAD_MAE, []),
}


def map_keys(state_dict: Dict[str, torch.Tensor],
             key_map: str) -> Dict[str, torch.Tensor]:
    """Rename (and drop) checkpoint keys by a named map.

    Args:
        state_dict (Dict[str, torch.Tensor]): Weights in the source format.
        key_map (str): A key of :data:`KEY_MAPS`.

    Returns:
        Dict[str, torch.Tensor]: Weights under mmpretrain names.
    """
    if key_map not in KEY_MAPS:
        raise KeyError(f'unknown key map {key_map!r}; choose from '
                       f'{sorted(KEY_MAPS)}')
    renames, drops = KEY_MAPS[key_map]
    mapped = {}
    for key, value in state_dict.items():
        if any(re.search(pattern, key) for pattern in drops):
            continue
        for pattern, replacement in renames:
            key = re.sub(pattern, replacement, key)
        mapped[key] = value
    return mapped
