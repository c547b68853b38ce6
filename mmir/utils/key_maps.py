# Copyright (c) mmir contributors. All rights reserved.
"""Key maps from external checkpoint formats to mmpretrain's ViT names.

Each map is an ordered list of ``(pattern, replacement)`` regular
expressions applied to every key; keys that match a ``DROP`` pattern are
removed.  Add a format by adding a table here.
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

KEY_MAPS: Dict[str, Tuple[List[Tuple[str, str]], List[str]]] = {
    'mmpretrain': ([], []),
    'timm_vit': (TIMM_VIT, TIMM_VIT_DROP),
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
