# Copyright (c) mmir contributors. All rights reserved.
"""``init_cfg`` initializer that loads through mmir's strict loader."""
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import initialize

from mmir.registry import WEIGHT_INITIALIZERS
from mmir.utils.checkpoint import load_strict, read_state_dict
from mmir.utils.key_maps import map_keys


@WEIGHT_INITIALIZERS.register_module(name='StrictPretrained')
class StrictPretrainedInit:
    """Initialise a module from a checkpoint, refusing silent mismatches.

    mmengine's ``Pretrained`` initializer loads with ``strict=False`` and
    only logs missing keys.  This one reads the file with
    ``weights_only=True``, maps external names, and raises on any missing
    key or shape mismatch (see :func:`mmir.utils.checkpoint.load_strict`),
    except for keys matching ``allow_missing``: parameters that are new by
    design, such as fine-tuning layer scales absent from a pre-training
    checkpoint.  Use it as
    ``init_cfg=dict(type='mmir.StrictPretrained', checkpoint=...,
    prefix='backbone.')``.

    Args:
        checkpoint (str): Checkpoint file.
        prefix (str): Prefix of the module's weights in the file, removed
            before loading. Defaults to ''.
        key_map (str): Source format, a key of
            ``mmir.utils.key_maps.KEY_MAPS``. Defaults to 'mmpretrain'.
        allow_missing (Sequence[str]): Regular expressions of module keys
            that may stay at their initial value. Defaults to ().
    """

    def __init__(self,
                 checkpoint: str,
                 prefix: str = '',
                 key_map: str = 'mmpretrain',
                 allow_missing: Sequence[str] = ()) -> None:
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.key_map = key_map
        self.allow_missing = list(allow_missing)

    def __call__(self, module: torch.nn.Module) -> None:
        """Load the checkpoint into ``module``."""
        weights = map_keys(
            read_state_dict(self.checkpoint, self.prefix), self.key_map)
        own = module.state_dict()
        kept = [
            key for key in own if key not in weights and any(
                re.search(p, key) for p in self.allow_missing)
        ]
        unused = sorted(set(weights) - set(own))
        weights.update((key, own[key]) for key in kept)
        load_strict(module, weights, self.checkpoint)
        print_log(
            f'Loaded {self.checkpoint} into {type(module).__name__}; '
            f'{len(kept)} keys kept their initial value by allow_missing '
            f'{_summary(kept)}; {len(unused)} checkpoint keys unused '
            f'{_summary(unused)}',
            logger='current')


def _summary(keys: Sequence[str], limit: int = 8) -> str:
    """The first ``limit`` keys, and how many more."""
    more = f' and {len(keys) - limit} more' if len(keys) > limit else ''
    return f'{list(keys[:limit])}{more}'


@contextmanager
def strict_pretrained_last(module: BaseModule) -> Iterator[None]:
    """Defer a module's ``mmir.StrictPretrained`` ``init_cfg`` to the end.

    mmengine applies initializers other than its own ``Pretrained`` before
    the children's ``init_weights``, and mmpretrain's blocks re-draw their
    weights there, so a checkpoint loaded by the ``init_cfg`` would be
    overwritten.  Wrap the module's own initialisation in this context::

        def init_weights(self):
            with strict_pretrained_last(self):
                super().init_weights()
                ...  # own re-initialisation

    and the checkpoint is loaded when the block exits.  Nested uses load
    once, at the outermost exit.

    Args:
        module (BaseModule): The module being initialised.
    """
    init_cfg = module.init_cfg
    deferred = isinstance(init_cfg, dict) and str(init_cfg.get(
        'type', '')).endswith('StrictPretrained')
    if deferred:
        module.init_cfg = None
    try:
        yield
    finally:
        if deferred:
            module.init_cfg = init_cfg
    if deferred:
        initialize(module, init_cfg)
