# Copyright (c) mmir contributors. All rights reserved.
"""The registry of key maps is assembled from every format module."""
import os.path as osp
import pkgutil

import pytest

from mmir.checkpoint import KEY_MAPS, KeyMap, formats


def test_every_format_module_is_registered():
    modules = {
        info.name
        for info in pkgutil.iter_modules([osp.dirname(formats.__file__)])
    }
    assert modules == {m.__name__.rsplit('.', 1)[-1] for m in formats.FORMATS}
    assert list(KEY_MAPS) == [
        'mmpretrain', 'timm_vit', 'pad_mae', 'beit_finetune'
    ]
    for module in formats.FORMATS:
        for name, key_map in module.KEY_MAPS.items():
            assert KEY_MAPS[name] is key_map and isinstance(key_map, KeyMap)


def test_a_name_defined_twice_is_refused():
    with pytest.raises(ValueError, match="'timm_vit' of .*timm_vit"):
        formats._collect(formats.FORMATS + (formats.timm_vit, ))


def test_beit_finetune_drops_only_the_final_token_norm():
    weights = {'ln1.weight': 1, 'ln1.bias': 2, 'layers.0.ln1.weight': 3,
               'rel_pos_bias.relative_position_bias_table': 4}
    assert formats.map_keys(weights, 'beit_finetune') == {
        'layers.0.ln1.weight': 3,
        'rel_pos_bias.relative_position_bias_table': 4
    }


def test_identity_map():
    weights = {'backbone.layers.0.ln1.weight': 1, 'head.fc': 2}
    assert formats.map_keys(weights, 'mmpretrain') == weights
