# Copyright (c) mmir contributors. All rights reserved.
"""mmir modules build from mmseg- and mmdet-scoped registries and unprefixed
under the mmir scope."""
import pytest
from mmengine.registry import DefaultScope

from mmir.datasets import SODADataset
from mmir.engine import TorchRNGStateHook
from .conftest import run_tool


@pytest.fixture
def soda_cfg(synthir_root):
    return dict(
        data_root=f'{synthir_root}/soda/InfraredSemanticLabel',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassPNG'),
        ann_file='train_infrared.txt',
        pipeline=[])


def test_prefixed_from_mmseg_scope(soda_cfg):
    from mmseg.registry import DATASETS, HOOKS
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DATASETS.build(dict(type='mmir.SODADataset', **soda_cfg))
        hook = HOOKS.build(dict(type='mmir.TorchRNGStateHook'))
    assert isinstance(dataset, SODADataset) and len(dataset) > 0
    assert isinstance(hook, TorchRNGStateHook)


def test_prefixed_from_mmdet_scope(soda_cfg):
    from mmdet.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = DATASETS.build(dict(type='mmir.SODADataset', **soda_cfg))
    assert isinstance(dataset, SODADataset)


def test_unprefixed_under_mmir_scope(soda_cfg):
    from mmir.registry import DATASETS, HOOKS
    with DefaultScope.overwrite_default_scope('mmir'):
        dataset = DATASETS.build(dict(type='SODADataset', **soda_cfg))
        hook = HOOKS.build(dict(type='TorchRNGStateHook'))
    assert isinstance(dataset, SODADataset)
    assert isinstance(hook, TorchRNGStateHook)


def test_unknown_type_is_an_error():
    from mmir.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmir'):
        with pytest.raises(KeyError, match='NoSuchDataset'):
            DATASETS.build(dict(type='NoSuchDataset'))


def test_register_all_modules_fills_every_registry():
    script = (
        'from mmir.registry import HOOKS, MODELS, TRANSFORMS\n'
        'before = {"NMIHAD", "PADScaleWarmupHook"} & (\n'
        '    set(MODELS.module_dict) | set(HOOKS.module_dict))\n'
        'from mmir.utils import register_all_modules\n'
        'register_all_modules(init_default_scope=False)\n'
        'print(sorted(before))\n'
        'print(sorted(MODELS.module_dict))\n'
        'print(sorted(HOOKS.module_dict))\n'
        'print(sorted(TRANSFORMS.module_dict))\n')
    out = run_tool(['-c', script]).stdout.splitlines()
    before, models, hooks, transforms = (eval(line) for line in out[-4:])
    assert before == []
    assert {
        'AttnViT', 'AdapterViT', 'NMIHAD', 'PADMAE', 'LLFPN',
        'AttentionKLLoss', 'AttentionCELoss', 'AttentionDistillHead'
    } <= set(models)
    assert {'PADScaleWarmupHook', 'TorchRNGStateHook'} <= set(hooks)
    assert {'LoadInfraredImage', 'RandomRoICrop'} <= set(transforms)
