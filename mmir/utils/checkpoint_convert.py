# Copyright (c) mmir contributors. All rights reserved.
"""Convert external ViT checkpoints to mmir's and mmir's to mmseg's.

Three conversions, each behind a thin tool in ``tools/model_converters/``:

* :func:`unip_to_mmir`: a student released by the UNIP authors (timm/MAE
  names, usually under ``model``) -> ``backbone.`` + mmpretrain names, the
  layout the fine-tuning configs load with ``mmir.StrictPretrained``.
* :func:`teacher_to_mmir`: an MAE, DINO or iBOT ViT -> mmpretrain names,
  loadable as ``NMIHAD(teacher_checkpoint=..., teacher_key_map=
  'mmpretrain')``.
* :func:`mmir_to_mmseg`: an NMI-HAD checkpoint -> its student only.

Every output is ``{'state_dict': ..., 'meta': ...}`` holding tensors and
plain Python values only, so it loads with ``torch.load(weights_only=True)``.
"""
import argparse
import ast
import os
import os.path as osp
import re
from collections import Counter
from typing import Dict, List, Optional, Tuple

import torch

from .checkpoint import read_state_dict
from .key_maps import map_keys

# mmpretrain VisionTransformer names a converted ViT may contain.
VIT_KEYS = re.compile(
    r'^(cls_token|pos_embed|patch_embed\.projection\.(weight|bias)'
    r'|ln1\.(weight|bias)'
    r'|layers\.\d+\.(ln[12]\.(weight|bias)'
    r'|attn\.(qkv|proj)\.(weight|bias)'
    r'|ffn\.layers\.(0\.0|1)\.(weight|bias)'
    r'|attn\.gamma1\.weight|ffn\.gamma2\.weight))$')
# Keys that belong to a transformer block, whatever their prefix.
BLOCK_KEYS = re.compile(r'(^|\.)(blocks|layers)\.\d+\.')
# Keys without which a file is not a ViT.
REQUIRED_KEYS = ('patch_embed.projection.weight', 'layers.0.attn.qkv.weight')
STUDENT_PREFIX = 'backbone.'


def read_external(path: str, prefix: str = '') -> Dict[str, torch.Tensor]:
    """Read the weights of an external training checkpoint.

    As :func:`~mmir.utils.checkpoint.read_state_dict`, but full training
    checkpoints of MAE, DINO, iBOT and UNIP also pickle their
    ``argparse.Namespace`` of arguments, a plain attribute container that
    is allowed here.

    Args:
        path (str): Checkpoint file.
        prefix (str): Prefix of the weights, removed. Defaults to ''.

    Returns:
        Dict[str, torch.Tensor]: Name -> tensor.
    """
    with torch.serialization.safe_globals([argparse.Namespace]):
        return read_state_dict(path, prefix)


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
        names = list(map_keys({key: value}, 'timm_vit'))
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


def _save(state_dict: Dict[str, torch.Tensor], meta: dict,
          dst: str) -> dict:
    """Write ``{'state_dict', 'meta'}`` to ``dst`` and return it."""
    checkpoint = dict(state_dict=state_dict, meta=meta)
    directory = osp.dirname(dst)
    if directory:
        os.makedirs(directory, exist_ok=True)
    torch.save(checkpoint, dst)
    return checkpoint


def unip_to_mmir(src: str, dst: str, last_heads: int = 16) -> dict:
    """Convert a UNIP student released by the authors to mmir.

    The file holds timm/MAE names, under ``model`` or bare, maybe with a
    ``module.`` prefix.  The output has ``backbone.`` + mmpretrain names
    (the final ``norm`` becomes ``ln1``), as the fine-tuning configs load
    with ``mmir.StrictPretrained(prefix='backbone.')``.

    Args:
        src (str): The authors' checkpoint.
        dst (str): Output file.
        last_heads (int): Head count of the student's last block during
            pre-training (the teacher's: 16 for MAE-L and iBOT-L, 12 for
            DINO-B).  Shapes do not reveal it, so it is only recorded in
            ``meta``. Defaults to 16.

    Returns:
        dict: The checkpoint written.
    """
    weights, dropped = timm_vit_to_mmpretrain(read_external(src), src)
    meta = dict(
        source=src,
        converter='unip_to_mmir',
        key_map='timm_vit',
        dropped_keys=dropped,
        last_heads=last_heads)
    return _save({STUDENT_PREFIX + k: v
                  for k, v in weights.items()}, meta, dst)


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
    return _save(weights, meta, dst)


def config_last_heads(cfg_text: str) -> Optional[int]:
    """Read ``model.backbone.last_heads`` from a config's text.

    The text (mmengine stores it in ``meta['cfg']`` of a checkpoint) is
    parsed, never executed; only a literal integer is returned.

    Args:
        cfg_text (str): A Python config, as ``Config.pretty_text`` writes
            it.

    Returns:
        int, optional: The head count, or None when the text has no literal
        ``last_heads`` under ``model.backbone``.
    """
    try:
        tree = ast.parse(cfg_text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == 'model'
                for t in node.targets):
            heads = _dict_field(_dict_field(node.value, 'backbone'),
                                'last_heads')
            if isinstance(heads, ast.Constant) and type(heads.value) is int:
                return heads.value
    return None


def _dict_field(node: Optional[ast.AST], name: str) -> Optional[ast.AST]:
    """Return the value of ``name`` in a ``dict(...)`` or ``{...}`` node."""
    if isinstance(node, ast.Call) and isinstance(
            node.func, ast.Name) and node.func.id == 'dict':
        for keyword in node.keywords:
            if keyword.arg == name:
                return keyword.value
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == name:
                return value
    return None


def mmir_to_mmseg(src: str, dst: str) -> dict:
    """Keep only the student of an mmir NMI-HAD checkpoint.

    The ``backbone.*`` weights are kept with their prefix; the teacher
    (``target_generator.*``), the ``teacher_block`` buffer and the data
    preprocessor are dropped.  The student's last-block head count is
    recorded in ``meta['last_heads']`` when the config saved in the source
    (``meta['cfg']``) sets a literal ``model.backbone.last_heads``.

    Args:
        src (str): An mmir checkpoint (``state_dict`` + ``meta``).
        dst (str): Output file.

    Returns:
        dict: The checkpoint written.

    Raises:
        KeyError: Naming ``src``, when it has no student ViT weights.
    """
    state_dict = read_state_dict(src)
    weights = {
        k: v
        for k, v in state_dict.items() if k.startswith(STUDENT_PREFIX)
    }
    missing = [
        k for k in REQUIRED_KEYS if STUDENT_PREFIX + k not in weights
    ]
    if missing:
        raise KeyError(f'{src}: no student ViT weights found (missing '
                       f'{[STUDENT_PREFIX + k for k in missing]})')
    meta = dict(
        source=src,
        converter='mmir_to_mmseg',
        key_map='mmpretrain',
        dropped_keys=sorted(set(state_dict) - set(weights)))
    source_meta = torch.load(
        src, map_location='cpu', weights_only=True).get('meta') or {}
    cfg_text = source_meta.get('cfg')
    last_heads = config_last_heads(cfg_text) if isinstance(
        cfg_text, str) else None
    if last_heads is not None:
        meta['last_heads'] = last_heads
    return _save(weights, meta, dst)


def describe(checkpoint: dict, dst: str) -> str:
    """Summarise a converted checkpoint for the tools to print.

    Args:
        checkpoint (dict): As returned by the converters.
        dst (str): Where it was written.

    Returns:
        str: Tensor count, key map, head count and dropped keys (grouped
        by their first name component).
    """
    meta = checkpoint['meta']
    lines = [
        f'wrote {dst}: {len(checkpoint["state_dict"])} tensors',
        f'source: {meta["source"]}', f'key map: {meta["key_map"]}'
    ]
    if 'last_heads' in meta:
        lines.append(f'last-block heads: {meta["last_heads"]}')
    dropped = meta['dropped_keys']
    groups = Counter(k.split('.')[0] for k in dropped)
    summary = ', '.join(f'{name} ({count})'
                        for name, count in sorted(groups.items()))
    lines.append(f'dropped {len(dropped)} keys'
                 + (f': {summary}' if summary else ''))
    return '\n'.join(lines)
