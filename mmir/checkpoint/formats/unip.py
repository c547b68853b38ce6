# Copyright (c) mmir contributors. All rights reserved.
"""UNIP students released by the UNIP authors.

The authors' ``main_pretrain.py`` saves the student with timm/MAE names,
under ``model`` (next to ``epoch`` and the pickled ``args``) or bare, maybe
with a ``module.`` prefix.  Its names are those of :mod:`.timm_vit`, so the
format adds no key map of its own; :func:`unip_to_mmir`
(``tools/model_converters/unip_to_mmir.py``) writes ``backbone.`` +
mmpretrain names, the layout the fine-tuning configs load with
``mmir.StrictPretrained(prefix='backbone.')``, and records the head count
of the student's last block, which the weight shapes do not reveal.
"""
from ..converted import save_converted
from ..safe_load import read_external
from .mmpretrain import STUDENT_PREFIX
from .timm_vit import timm_vit_to_mmpretrain

KEY_MAPS = {}


def unip_to_mmir(src: str, dst: str, last_heads: int = 16) -> dict:
    """Convert a UNIP student released by the authors to mmir.

    The file holds timm/MAE names, under ``model`` or bare, maybe with a
    ``module.`` prefix.  The output has ``backbone.`` + mmpretrain names
    (the final ``norm`` becomes ``ln1``), as the fine-tuning configs load
    with ``mmir.StrictPretrained(prefix='backbone.')``.

    Args:
        src (str): The authors' checkpoint.
        dst (str): Output file.
        last_heads (int): Head count of the student's last block during
            pre-training (the teacher's: 16 for MAE-L and iBOT-L, 12 for
            DINO-B).  Shapes do not reveal it, so it is only recorded in
            ``meta``. Defaults to 16.

    Returns:
        dict: The checkpoint written.
    """
    weights, dropped = timm_vit_to_mmpretrain(read_external(src), src)
    meta = dict(
        source=src,
        converter='unip_to_mmir',
        key_map='timm_vit',
        dropped_keys=dropped,
        last_heads=last_heads)
    return save_converted({STUDENT_PREFIX + k: v
                           for k, v in weights.items()}, meta, dst)
