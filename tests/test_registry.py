# Copyright (c) mmir contributors. All rights reserved.
"""mmir modules build from mmseg- and mmdet-scoped registries and unprefixed
under the mmir scope."""
import pytest
from mmengine.registry import DefaultScope

from mmir.datasets import SODADataset
from mmir.engine import TorchRNGStateHook


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
