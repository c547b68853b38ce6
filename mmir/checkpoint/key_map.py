# Copyright (c) mmir contributors. All rights reserved.
"""Key maps: how a format's tensor names become mmpretrain's.

A :class:`KeyMap` is an ordered list of ``(pattern, replacement)`` regular
expressions applied to every key, and a list of ``drops``: keys that match
one of them are removed.  Each module of :mod:`mmir.checkpoint.formats`
defines the tables of its format; :func:`prefixed` and :func:`blocks_as`
build a table from another one (PAD's whole model from timm's ViT names).
"""
import re
from typing import Dict, List, NamedTuple, Tuple

import torch

Renames = List[Tuple[str, str]]


class KeyMap(NamedTuple):
    """The rename and drop rules of one external format.

    Args:
        renames (List[Tuple[str, str]]): ``(pattern, replacement)`` pairs,
            applied in order with :func:`re.sub`.
        drops (List[str]): Patterns of keys that are removed.
    """

    renames: Renames
    drops: List[str]


def apply_key_map(state_dict: Dict[str, torch.Tensor],
                  key_map: KeyMap) -> Dict[str, torch.Tensor]:
    """Rename (and drop) checkpoint keys by a key map.

    Args:
        state_dict (Dict[str, torch.Tensor]): Weights in the source format.
        key_map (KeyMap): The format's rules.

    Returns:
        Dict[str, torch.Tensor]: Weights under mmpretrain names.
    """
    renames, drops = key_map
    mapped = {}
    for key, value in state_dict.items():
        if any(re.search(pattern, key) for pattern in drops):
            continue
        for pattern, replacement in renames:
            key = re.sub(pattern, replacement, key)
        mapped[key] = value
    return mapped


def prefixed(renames: Renames, prefix: str) -> Renames:
    """``renames`` with ``prefix`` put before every replacement.

    Args:
        renames (List[Tuple[str, str]]): A table of renames.
        prefix (str): E.g. ``'backbone.'``.

    Returns:
        List[Tuple[str, str]]: The prefixed table.
    """
    return [(pattern, prefix + replacement)
            for pattern, replacement in renames]


def blocks_as(renames: Renames, source: str, target: str) -> Renames:
    """The ``^blocks.<i>.`` -> ``layers.<i>.`` rules of ``renames``, for
    blocks named ``source`` that become ``target``.

    Args:
        renames (List[Tuple[str, str]]): A table of ViT renames.
        source (str): The source name of the blocks, e.g.
            ``'decoder_blocks'``.
        target (str): Their full target prefix, e.g.
            ``'neck.decoder_blocks.'``.

    Returns:
        List[Tuple[str, str]]: The block rules, renamed.
    """
    return [(pattern.replace(r'^blocks\.', f'^{source}\\.', 1),
             replacement.replace('layers.', target, 1))
            for pattern, replacement in renames
            if pattern.startswith(r'^blocks\.')]
