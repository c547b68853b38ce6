# Copyright (c) mmir contributors. All rights reserved.
"""Export of an mmir NMI-HAD checkpoint for the mmseg fine-tuning configs.

:func:`mmir_to_mmseg` (``tools/model_converters/mmir_to_mmseg.py``) keeps
the student (``backbone.*``, mmpretrain names, so the key map is the
identity ``mmpretrain``) and drops the teacher and the algorithm's
buffers.  The student's last-block head count is read from the config that
mmengine saved in the checkpoint (:func:`config_last_heads`, which parses
the text and never executes it).
"""
import ast
from typing import Optional

import torch

from ..converted import save_converted
from ..safe_load import read_state_dict
from .mmpretrain import REQUIRED_KEYS, STUDENT_PREFIX

KEY_MAPS = {}


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
    return save_converted(weights, meta, dst)
