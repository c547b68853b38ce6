# Copyright (c) mmir contributors. All rights reserved.
"""``init_cfg`` initializer that loads through mmir's strict loader."""
import re
from typing import Sequence

import torch
from mmengine.logging import print_log

from mmir.registry import WEIGHT_INITIALIZERS
from .formats import map_keys
from .safe_load import read_state_dict
from .strict import load_strict


@WEIGHT_INITIALIZERS.register_module(name='StrictPretrained')
class StrictPretrainedInit:
    """Initialise a module from a checkpoint, refusing silent mismatches.

    mmengine's ``Pretrained`` initializer loads with ``strict=False`` and
    only logs missing keys.  This one reads the file with
    ``weights_only=True``, maps external names, and raises on any missing
    key or shape mismatch (see :func:`mmir.checkpoint.load_strict`),
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
            ``mmir.checkpoint.KEY_MAPS``. Defaults to 'mmpretrain'.
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
