# Copyright (c) mmir contributors. All rights reserved.
"""One module per external checkpoint format, and the registry of formats.

Every module of this package defines ``KEY_MAPS``, its named key maps
(empty when the format reuses another's names), next to its tables, its
conversion and its layout check.  :data:`FORMATS` lists the modules;
:data:`KEY_MAPS` is assembled from them and is what
``mmir.StrictPretrained(key_map=...)``, ``NMIHAD(teacher_key_map=...)``
and ``tools/analysis_tools/attention_nmi.py --key-map`` choose from.
"""
from typing import Dict, Sequence

import torch

from ..key_map import KeyMap, apply_key_map
from . import beit, dalle, itpn, mmpretrain, mmseg, pad, timm_vit, unip
from .dalle import dalle_to_mmir, describe_dalle
from .itpn import describe_itpn, itpn_to_mmir
from .mmseg import config_last_heads, mmir_to_mmseg
from .pad import pad_to_mmir, pad_to_mmpretrain
from .timm_vit import teacher_to_mmir, timm_vit_to_mmpretrain
from .unip import unip_to_mmir

FORMATS = (mmpretrain, timm_vit, unip, pad, itpn, mmseg, dalle, beit)


def _collect(formats: Sequence) -> Dict[str, KeyMap]:
    """Merge the ``KEY_MAPS`` of ``formats``, refusing a name twice."""
    key_maps = {}
    for module in formats:
        for name, key_map in module.KEY_MAPS.items():
            if name in key_maps:
                raise ValueError(f'key map {name!r} of {module.__name__} '
                                 'is already defined')
            key_maps[name] = key_map
    return key_maps


KEY_MAPS: Dict[str, KeyMap] = _collect(FORMATS)


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
    return apply_key_map(state_dict, KEY_MAPS[key_map])


__all__ = [
    'FORMATS', 'KEY_MAPS', 'map_keys', 'config_last_heads', 'dalle_to_mmir',
    'describe_dalle', 'describe_itpn', 'itpn_to_mmir', 'mmir_to_mmseg',
    'pad_to_mmir', 'pad_to_mmpretrain', 'teacher_to_mmir',
    'timm_vit_to_mmpretrain', 'unip_to_mmir'
]
