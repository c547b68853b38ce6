# Copyright (c) mmir contributors. All rights reserved.
"""``init_cfg`` initializer that loads through mmir's strict loader."""
import re
from typing import Sequence

import torch

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
        for key in own:
            if key not in weights and any(
                    re.search(p, key) for p in self.allow_missing):
                weights[key] = own[key]
        load_strict(module, weights, self.checkpoint)
