# Copyright (c) mmir contributors. All rights reserved.
"""The transfer benchmark's grid, choice and settings file."""
import json

import pytest

from mmir.utils.transfer_tuning import (LAYER_DECAYS, LRS, candidates,
                                        choose, read_settings, setting_name,
                                        to_options, write_settings)


def test_grid_searches_layer_decay_only_where_it_exists():
    ft, lp = LRS['ft'], LRS['lp']
    assert candidates('ft', layer_decay=False) == [{'lr': lr} for lr in ft]
    grid = candidates('ft', layer_decay=True)
    assert len(grid) == len(ft) * len(LAYER_DECAYS)
    assert {(g['lr'], g['layer_decay'])
            for g in grid} == {(lr, d) for lr in ft for d in LAYER_DECAYS}
    assert candidates('lp', layer_decay=True) == [{'lr': lr} for lr in lp]
    assert candidates('ft', layer_decay=True, limit=2) == grid[:2]


def test_choice_is_the_best_and_the_first_on_a_tie():
    scores = [({'lr': 1}, 50.), ({'lr': 2}, 61.), ({'lr': 3}, 61.),
              ({'lr': 4}, 12.)]
    assert choose(scores) == {'lr': 2}
    with pytest.raises(ValueError):
        choose([])


def test_names_options_and_file_round_trip(tmp_path):
    setting = {'lr': 0.001, 'layer_decay': 0.65}
    assert setting_name(setting) == 'layer_decay0.65_lr0.001'
    assert setting_name({}) == 'config'
    assert to_options(setting) == {
        'optim_wrapper.optimizer.lr': 0.001,
        'optim_wrapper.paramwise_cfg.layer_decay_rate': 0.65
    }
    path = str(tmp_path / 'settings.json')
    write_settings(path, {'mae/ft': setting, 'unip/lp': {'lr': 0.003}})
    assert read_settings(path) == {
        'mae/ft': setting,
        'unip/lp': {
            'lr': 0.003
        }
    }


def test_unknown_setting_is_refused_with_its_name(tmp_path):
    path = tmp_path / 'settings.json'
    path.write_text(json.dumps({'mae/ft': {'momentum': 0.9}}))
    with pytest.raises(KeyError, match='mae/ft.*momentum'):
        read_settings(str(path))
