# Copyright (c) mmir contributors. All rights reserved.
"""mmir's one checkpoint path.

Every weight that mmir reads goes through this package: training
checkpoints (``load_from``, ``--resume``), ImageNet and pre-training
initialisations (``init_cfg``), teachers, and the authors' releases that
the tools in ``tools/model_converters/`` convert.

* :mod:`.safe_load`: the torch >= 2.6 ``weights_only`` allow-list of what
  mmengine pickles (registered by ``import mmir``) and the readers
  :func:`read_state_dict` and :func:`read_external`.
* :mod:`.strict`: :func:`load_strict` and its report naming missing,
  unexpected and mismatched keys.
* :mod:`.key_map`: :class:`KeyMap` (regular-expression renames and drops)
  and :func:`apply_key_map`.
* :mod:`.converted`: :func:`save_converted` writes
  ``{'state_dict', 'meta'}`` that loads with ``weights_only=True``;
  :func:`describe` summarises it for the tools.
* :mod:`.formats`: one module per external format, each holding its key
  map, its conversion and its layout check: ``mmpretrain`` (the identity),
  ``timm_vit`` (official MAE, DINO and iBOT ViTs), ``unip`` (the UNIP
  authors' students), ``pad`` (the PAD authors' models), ``itpn`` (the
  iTPN authors' pixel, CLIP, classification and det/seg files),
  ``dalle`` (OpenAI's pickled DALL-E encoder and decoder, read without
  their package), ``beit`` (BEiT-style pre-training -> BEiT-style
  fine-tuning) and ``mmseg`` (mmir -> the mmseg fine-tuning configs).
  :data:`KEY_MAPS` is assembled from them; :func:`map_keys` applies one
  by name.
* :mod:`.strict_pretrained`: the ``mmir.StrictPretrained`` ``init_cfg``,
  reading, mapping and loading strictly.  It needs ``mmengine.model``, so
  it is not imported here (``import mmir`` must stay light); the
  ``WEIGHT_INITIALIZERS`` registry and ``mmir.models`` import it.

A new format is one new file plus one thin tool; for example CLIP:

1. ``mmir/checkpoint/formats/<format>.py`` defines ``KEY_MAPS``
   (``{'<name>': KeyMap(renames, drops)}``, empty when the names are
   another format's), checks the layout of a file (refusing unknown or
   missing keys by name, as ``pad`` does) and converts it with
   ``<format>_to_mmir(src, dst, ...)``, which reads with
   :func:`read_external` and writes with :func:`save_converted`.  Its
   import in ``formats/__init__.py`` adds it to ``FORMATS``, and so its key
   maps to ``StrictPretrained(key_map=...)``.
2. ``tools/model_converters/<format>_to_mmir.py`` parses the command line,
   calls the conversion, prints :func:`describe` and turns a ``KeyError``
   into an error message (copy ``pad_to_mmir.py``).
3. ``tests/test_checkpoint/test_formats/test_<format>.py`` compares a
   converted synthetic file with a reference model written from the
   authors' layout.
"""
from .converted import describe, save_converted
from .formats import KEY_MAPS, map_keys
from .key_map import KeyMap, apply_key_map
from .safe_load import (checkpoint_safe_globals, read_external,
                        read_state_dict, register_checkpoint_safe_globals)
from .strict import load_strict

__all__ = [
    'KEY_MAPS', 'KeyMap', 'apply_key_map', 'checkpoint_safe_globals',
    'describe', 'load_strict', 'map_keys', 'read_external',
    'read_state_dict', 'register_checkpoint_safe_globals', 'save_converted'
]
