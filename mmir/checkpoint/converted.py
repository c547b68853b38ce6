# Copyright (c) mmir contributors. All rights reserved.
"""Writing converted checkpoints, and describing them for the tools.

Every converter of :mod:`mmir.checkpoint.formats` writes
``{'state_dict': ..., 'meta': ...}`` holding tensors and plain Python
values only, so that it loads with ``torch.load(weights_only=True)``.
``meta`` records at least ``source``, ``converter``, ``key_map`` and
``dropped_keys``; :func:`describe` prints those and what a format adds
(``last_heads``; ``adapter_layers``, ``bottleneck`` and ``scale_mode``).
"""
import os
import os.path as osp
from collections import Counter
from typing import Dict

import torch


def save_converted(state_dict: Dict[str, torch.Tensor], meta: dict,
                   dst: str) -> dict:
    """Write ``{'state_dict', 'meta'}`` to ``dst`` and return it.

    Args:
        state_dict (Dict[str, torch.Tensor]): The converted weights.
        meta (dict): Plain Python values describing the conversion.
        dst (str): Output file; its directory is created.

    Returns:
        dict: The checkpoint written.
    """
    checkpoint = dict(state_dict=state_dict, meta=meta)
    directory = osp.dirname(dst)
    if directory:
        os.makedirs(directory, exist_ok=True)
    torch.save(checkpoint, dst)
    return checkpoint


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
