# Copyright (c) mmir contributors. All rights reserved.
"""The default data preprocessor of mmir's self-supervised algorithms."""
from typing import Optional


def selfsup_preprocessor(data_preprocessor: Optional[dict]) -> dict:
    """A copy of ``data_preprocessor`` whose type defaults to mmpretrain's.

    mmpretrain's own default (``'SelfSupDataPreprocessor'``) has no scope,
    and an mmir algorithm builds it from mmir's registry, which lacks it.

    Args:
        data_preprocessor (dict, optional): The config's preprocessor.

    Returns:
        dict: It, with ``type`` set to
        ``'mmpretrain.SelfSupDataPreprocessor'`` when missing.
    """
    data_preprocessor = dict(data_preprocessor or {})
    data_preprocessor.setdefault('type', 'mmpretrain.SelfSupDataPreprocessor')
    return data_preprocessor
