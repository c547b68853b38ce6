# Copyright (c) mmir contributors. All rights reserved.
"""Apply a module's checkpoint ``init_cfg`` after its own initialisation."""
from contextlib import contextmanager
from typing import Iterator, Optional, Union

from mmengine.model import BaseModule
from mmengine.model.weight_init import PretrainedInit, initialize

from mmir.checkpoint.strict_pretrained import StrictPretrainedInit

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


def init_cfg_with_pretrained(
        pretrained: Optional[str],
        init_cfg: Optional[Union[dict, list]]) -> Optional[Union[dict, list]]:
    """The ``init_cfg`` of a backbone given a ``pretrained`` checkpoint, as
    mmseg's segmentors pass it (``EncoderDecoder(pretrained=...)`` sets
    ``backbone.pretrained``): a ``Pretrained`` entry for it.

    Args:
        pretrained (str, optional): The checkpoint, or None.
        init_cfg (dict | list, optional): The backbone's own ``init_cfg``.

    Returns:
        dict | list | None: ``init_cfg``, or the entry for ``pretrained``.

    Raises:
        ValueError: When both are given (which one would win is unclear).
    """
    if pretrained is None:
        return init_cfg
    if init_cfg is not None:
        raise ValueError('give the checkpoint either as pretrained or in '
                         'init_cfg, not both')
    return dict(type='Pretrained', checkpoint=pretrained)
