# Copyright (c) mmir contributors. All rights reserved.
"""Convert external ViT checkpoints to mmir's and mmir's to mmseg's.

Four conversions, each behind a thin tool in ``tools/model_converters/``:

* :func:`unip_to_mmir`: a student released by the UNIP authors (timm/MAE
  names, usually under ``model``) -> ``backbone.`` + mmpretrain names, the
  layout the fine-tuning configs load with ``mmir.StrictPretrained``.
* :func:`teacher_to_mmir`: an MAE, DINO or iBOT ViT -> mmpretrain names,
  loadable as ``NMIHAD(teacher_checkpoint=..., teacher_key_map=
  'mmpretrain')``.
* :func:`mmir_to_mmseg`: an NMI-HAD checkpoint -> its student only.
* :func:`pad_to_mmir`: a PAD checkpoint (MAE-repo names, encoder with
  adapters + decoder) -> mmpretrain's ``MAE`` with an
  ``mmir.AdapterMAEViT`` backbone and a ``MAEPretrainDecoder`` neck; its
  ``backbone.`` weights are what the fine-tuning configs load.

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
    return map_keys(kept, 'pad_mae'), dropped, adapters, scale_mode


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
    return _save(weights, meta, dst)


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
        str: Tensor count, key map, head count or adapters, and dropped
        keys (grouped by their first name component).
    """
    meta = checkpoint['meta']
    lines = [
        f'wrote {dst}: {len(checkpoint["state_dict"])} tensors',
        f'source: {meta["source"]}', f'key map: {meta["key_map"]}'
    ]
    if 'last_heads' in meta:
        lines.append(f'last-block heads: {meta["last_heads"]}')
    if meta.get('adapter_layers'):
        lines.append(f'adapters in blocks {meta["adapter_layers"]}, '
                     f'bottleneck {meta["bottleneck"]}, scale mode '
                     f'{meta["scale_mode"]}')
    elif 'adapter_layers' in meta:
        lines.append('no adapters (a plain MAE)')
    dropped = meta['dropped_keys']
    groups = Counter(k.split('.')[0] for k in dropped)
    summary = ', '.join(f'{name} ({count})'
                        for name, count in sorted(groups.items()))
    lines.append(f'dropped {len(dropped)} keys'
                 + (f': {summary}' if summary else ''))
    return '\n'.join(lines)
