# Copyright (c) mmir contributors. All rights reserved.
"""timm-style ViTs: the official MAE, DINO and iBOT checkpoints.

The key map ``timm_vit`` renames timm / MAE-v1 / DINO / iBOT ViT names to
mmpretrain's ``VisionTransformer`` and drops what is not the encoder (a
classifier or projection head, MAE's decoder, a mask token).  It serves
``NMIHAD(teacher_key_map='timm_vit')`` and ``mmir.StrictPretrained``
directly; :func:`teacher_to_mmir` (``tools/model_converters/
teacher_to_mmir.py``) writes a converted teacher, checked to be a complete
ViT with every block key mapped.
"""
import re
from typing import Dict, List, Tuple

import torch

from ..converted import save_converted
from ..key_map import KeyMap, apply_key_map
from ..safe_load import read_external
from .mmpretrain import REQUIRED_KEYS, VIT_KEYS

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
TIMM_VIT_MAP = KeyMap(TIMM_VIT, TIMM_VIT_DROP)

KEY_MAPS = {'timm_vit': TIMM_VIT_MAP}

# Keys that belong to a transformer block, whatever their prefix.
BLOCK_KEYS = re.compile(r'(^|\.)(blocks|layers)\.\d+\.')


def timm_vit_to_mmpretrain(
        state_dict: Dict[str, torch.Tensor],
        source: str) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Rename timm/MAE/DINO/iBOT ViT weights to mmpretrain's names.

    Keys that are not part of the ViT encoder (a classifier or projection
    head, MAE's decoder, a mask token) are dropped.

    Args:
        state_dict (Dict[str, torch.Tensor]): Weights under timm names.
        source (str): The file they came from, for messages.

    Returns:
        Tuple[Dict[str, torch.Tensor], List[str]]: The renamed weights and
        the source keys that were dropped.

    Raises:
        KeyError: Naming ``source``, when the patch embedding or the first
            block is missing, or when block keys are left unmapped (e.g.
            under a prefix that was not removed).
    """
    kept, dropped, unmapped_blocks = {}, [], []
    for key, value in state_dict.items():
        # One key at a time, to know which source key each name came from.
        names = list(apply_key_map({key: value}, TIMM_VIT_MAP))
        if names and VIT_KEYS.match(names[0]):
            kept[names[0]] = value
        elif names and BLOCK_KEYS.search(names[0]):
            unmapped_blocks.append(key)
        else:
            dropped.append(key)
    if unmapped_blocks:
        raise KeyError(f'{source}: block keys not in timm/MAE layout: '
                       f'{unmapped_blocks[:5]} ({len(unmapped_blocks)} in '
                       'all); wrong file, or a prefix to remove?')
    missing = [k for k in REQUIRED_KEYS if k not in kept]
    if missing:
        raise KeyError(f'{source}: no ViT weights found (missing '
                       f'{missing}); keys look like '
                       f'{sorted(state_dict)[:5]}')
    return kept, dropped


def teacher_to_mmir(src: str, dst: str, prefix: str = '') -> dict:
    """Convert an MAE, DINO or iBOT ViT checkpoint to an mmir teacher.

    MAE files keep the weights under ``model``, DINO files are bare, iBOT
    files keep them under ``teacher`` with a ``backbone.`` prefix (pass it
    as ``prefix``); heads and decoders are dropped.  The output has
    mmpretrain names and loads as ``NMIHAD(teacher_checkpoint=dst,
    teacher_key_map='mmpretrain')``.

    Args:
        src (str): Teacher checkpoint.
        dst (str): Output file.
        prefix (str): Prefix of the ViT weights in ``src``, removed.
            Defaults to ''.

    Returns:
        dict: The checkpoint written.
    """
    weights, dropped = timm_vit_to_mmpretrain(
        read_external(src, prefix), src)
    meta = dict(
        source=src,
        converter='teacher_to_mmir',
        key_map='timm_vit',
        prefix=prefix,
        dropped_keys=dropped)
    return save_converted(weights, meta, dst)
