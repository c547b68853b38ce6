# Copyright (c) mmir contributors. All rights reserved.
"""Safe reading of checkpoints: the allow-list and the weight readers.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and
refuses any pickled global that is not allow-listed.  mmengine 0.10.7 calls
plain ``torch.load`` and stores numpy scalars and arrays and its own
``HistoryBuffer`` in the checkpoint metadata, so neither ``load_from`` nor
``--resume`` would work.  Instead of turning the protection off
(``weights_only=False`` runs arbitrary pickles), mmir allow-lists exactly
the types mmengine writes.

``HistoryBuffer`` also pickles its statistics *functions*, which a pickle
can only name through ``builtins.getattr``; allow-listing ``getattr`` would
let a crafted file reach any module global.  Those functions are class-level
registrations (``HistoryBuffer.register_statistics``) that are rebuilt on
import, so mmir makes ``HistoryBuffer`` pickle its data only.

``import mmir`` registers the allow-list; this module therefore imports
nothing heavier than torch, numpy and ``mmengine.logging``.
"""
import argparse
from typing import Dict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def checkpoint_safe_globals() -> list:
    """Return every global that mmengine checkpoints pickle.

    Returns:
        list: Callables and classes for ``torch.serialization``.
    """
    multiarray = np._core.multiarray if hasattr(np, '_core') else \
        np.core.multiarray
    # ``np.dtype(...)`` builds instances of per-dtype classes (numpy >= 1.25)
    numeric_dtypes = [type(np.dtype(code)) for code in '?bBhHiIlLqQefdFD']
    return [
        multiarray.scalar, multiarray._reconstruct, np.ndarray, np.dtype,
        *numeric_dtypes, HistoryBuffer
    ]


def _history_buffer_state(buffer: HistoryBuffer) -> dict:
    """Pickle state of a ``HistoryBuffer``: its data, no functions."""
    state = dict(buffer.__dict__)
    state.pop('statistics_methods', None)
    return state


def register_checkpoint_safe_globals() -> None:
    """Make mmengine checkpoints save and load with ``weights_only``."""
    HistoryBuffer.__getstate__ = _history_buffer_state
    torch.serialization.add_safe_globals(checkpoint_safe_globals())


WRAPPER_KEYS = ('state_dict', 'model', 'teacher', 'module')


def read_state_dict(path: str, prefix: str = '') -> dict:
    """Read the weights of a checkpoint file with ``weights_only=True``.

    The weights may sit under ``state_dict``, ``model``, ``teacher`` or
    ``module`` (as mmengine, MAE, DINO/iBOT and others save them); a
    ``module.`` prefix (DDP) is removed, then only keys under ``prefix`` are
    kept, with the prefix stripped.

    Args:
        path (str): Checkpoint file.
        prefix (str): E.g. ``'backbone.'``. Defaults to ''.

    Returns:
        dict: Name -> tensor.
    """
    checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    for key in WRAPPER_KEYS:
        if isinstance(checkpoint, dict) and isinstance(
                checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    state_dict = {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in checkpoint.items() if isinstance(v, torch.Tensor)
    }
    if prefix:
        state_dict = {
            k[len(prefix):]: v
            for k, v in state_dict.items() if k.startswith(prefix)
        }
    if not state_dict:
        raise KeyError(f'{path}: no weights found'
                       + (f' under prefix {prefix!r}' if prefix else ''))
    return state_dict


def read_external(path: str, prefix: str = '') -> Dict[str, torch.Tensor]:
    """Read the weights of an external training checkpoint.

    As :func:`read_state_dict`, but full training checkpoints of MAE, DINO,
    iBOT, UNIP and PAD also pickle their ``argparse.Namespace`` of
    arguments, a plain attribute container that is allowed here.

    Args:
        path (str): Checkpoint file.
        prefix (str): Prefix of the weights, removed. Defaults to ''.

    Returns:
        Dict[str, torch.Tensor]: Name -> tensor.
    """
    with torch.serialization.safe_globals([argparse.Namespace]):
        return read_state_dict(path, prefix)
