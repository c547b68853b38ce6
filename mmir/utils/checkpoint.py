# Copyright (c) mmir contributors. All rights reserved.
"""Safe loading of the checkpoints mmengine writes.

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
"""
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
