# Copyright (c) mmir contributors. All rights reserved.
"""Every config under configs/ loads and builds its model."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from .conftest import REPO

CONFIGS = sorted(
    path for path in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path.split(osp.sep))


def strip_pretrained(cfg):
    """Drop every ``init_cfg`` and ``pretrained`` entry, recursively."""
    if isinstance(cfg, dict):
        for key in ('init_cfg', 'pretrained'):
            cfg.pop(key, None)
        for value in cfg.values():
            strip_pretrained(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            strip_pretrained(value)


def test_configs_are_collected():
    assert len(CONFIGS) > 0


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds_model(path):
    cfg = Config.fromfile(path)
    strip_pretrained(cfg.model)
    scope = cfg.get('default_scope', 'mmir')
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg.model)
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) > 0
