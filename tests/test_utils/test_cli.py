# Copyright (c) mmir contributors. All rights reserved.
import pytest
from mmengine.config import Config

from mmir.utils.cli import check_cfg_options


@pytest.fixture
def cfg():
    return Config(
        dict(
            model=dict(type='Net', backbone=dict(type='ViT', depth=2)),
            train_dataloader=dict(batch_size=2, dataset=dict(type='D')),
            train_pipeline=[dict(type='Load'), dict(type='Crop', size=4)]))


@pytest.mark.parametrize('key', [
    'model.backbone.depth',
    'train_dataloader.batch_size',
    'train_pipeline.1.size',
    'model.backbone.drop_path_rate',
    'model.backbone.init_cfg.checkpoint',
])
def test_accepted_keys(cfg, key):
    check_cfg_options(cfg, {key: 1})


@pytest.mark.parametrize('key,missing', [
    ('train_dataloader.batch_sise', 'train_dataloader.batch_sise'),
    ('trian_dataloader.batch_size', 'trian_dataloader'),
    ('train_pipeline.5.size', 'train_pipeline.5'),
])
def test_unknown_keys_are_named(cfg, key, missing):
    with pytest.raises(KeyError, match=f'"{missing}" does not exist'):
        check_cfg_options(cfg, {key: 1})
