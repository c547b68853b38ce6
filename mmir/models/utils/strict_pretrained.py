# Copyright (c) mmir contributors. All rights reserved.
"""``init_cfg`` initializer that loads through mmir's strict loader."""
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import PretrainedInit, initialize

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


LOADING_INITIALIZERS = ('Pretrained', 'StrictPretrained')


def is_loading_init(init_cfg: dict) -> bool:
    """Whether an ``init_cfg`` entry loads a checkpoint.

    True for mmengine's ``Pretrained`` (by name, scoped name or class) and
    ``mmir.StrictPretrained``.

    Args:
        init_cfg (dict): One initializer config.

    Returns:
        bool: Whether it loads weights from a file.
    """
    kind = init_cfg.get('type', '')
    if isinstance(kind, type):
        return issubclass(kind, (PretrainedInit, StrictPretrainedInit))
    return str(kind).rsplit('.', 1)[-1] in LOADING_INITIALIZERS


@contextmanager
def pretrained_last(module: BaseModule) -> Iterator[None]:
    """Load a module's checkpoint ``init_cfg`` after its own initialisation.

    mmengine loads a ``Pretrained`` ``init_cfg`` at the end of
    ``BaseModule.init_weights`` (and other initializers, such as
    ``mmir.StrictPretrained``, before the children's ``init_weights``), so
    whatever a subclass draws after ``super().init_weights()`` overwrites
    the checkpoint: mmpretrain's ``MAEViT`` re-draws its patch embedding and
    CLS token, mmir's adapters reset to zero.  Wrap the module's own
    initialisation in this context::

        def init_weights(self):
            with pretrained_last(self):
                super().init_weights()
                ...  # own re-initialisation

    and every loading entry of ``init_cfg`` (see :func:`is_loading_init`)
    is applied when the block exits, after everything else; other entries
    run as usual inside it.  Nested uses load once, at the outermost exit.
    Every mmir module that initialises anything after its parent class
    must use it, so each standard loading route keeps every weight.

    Args:
        module (BaseModule): The module being initialised.
    """
    init_cfg = module.init_cfg
    entries = [init_cfg] if isinstance(init_cfg, dict) else list(
        init_cfg or [])
    loading = [cfg for cfg in entries if is_loading_init(cfg)]
    if loading:
        others = [cfg for cfg in entries if not is_loading_init(cfg)]
        module.init_cfg = others or None
    try:
        yield
    finally:
        if loading:
            module.init_cfg = init_cfg
    if loading:
        initialize(module, loading)
