# Copyright (c) mmir contributors. All rights reserved.
"""InfMixDataset over a hand-written list and the SynthIR twin config."""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DATASETS, DefaultScope

from mmir.datasets import DatasetError, InfMixDataset
from mmir.datasets.converters.pretrain_common import convert_synthir
from ..conftest import REPO

# 3 + 2 InfPre images of two datasets, 3 ImageNet, 4 COCO.
LIST = ([('infpre', f'InfPre/ds_a/thermal/{i}.png') for i in range(3)] +
        [('infpre', f'InfPre/ds_b/thermal/{i}.jpg') for i in range(2)] +
        [('in1k', f'imagenet/train/n01/n01_{i}.JPEG') for i in range(3)] +
        [('coco', f'coco/train2017/{i:012d}.jpg') for i in range(4)])


@pytest.fixture
def root(tmp_path) -> str:
    """Empty image files and the list ``infmix.txt``."""
    for _, path in LIST:
        os.makedirs(osp.dirname(tmp_path / path), exist_ok=True)
        open(tmp_path / path, 'w').close()
    with open(tmp_path / 'infmix.txt', 'w') as f:
        f.writelines(f'{tag} {path}\n' for tag, path in LIST)
    return str(tmp_path)


def build(root: str, **kwargs) -> InfMixDataset:
    """The dataset over ``root/infmix.txt`` with no pipeline."""
    return InfMixDataset(
        data_root=root, ann_file='infmix.txt', pipeline=[], **kwargs)


def test_length_sources_ratio(root):
    dataset = build(root)
    assert len(dataset) == 12
    assert dataset.metainfo['sources'] == ('infpre', 'in1k', 'coco')
    assert set(dataset[0]) >= {'img_path', 'source'}
    assert dataset[5]['source'] == 'in1k'
    assert dataset[5]['img_path'] == osp.join(root, LIST[5][1])
    assert len(build(root, sources=['in1k', 'coco'])) == 7
    # Every 2nd per source: 3 of 5 InfPre, 2 of 3 IN-1K, 2 of 4 COCO.
    thinned = build(root, keep_ratio=0.5)
    assert [d['source'] for d in thinned].count('infpre') == 3
    assert len(thinned) == 7
    coco = [d['img_path'] for d in thinned if d['source'] == 'coco']
    assert [osp.basename(p) for p in coco] == [
        f'{i:012d}.jpg' for i in (0, 2)
    ]
    assert len(build(root, sources=['coco'], keep_ratio=0.5)) == 2


def test_infpre_datasets(root):
    dataset = build(root, infpre_datasets=['ds_b'])
    assert len(dataset) == 2 + 3 + 4
    assert all('ds_a' not in d['img_path'] for d in dataset)
    with pytest.raises(ValueError, match="'SODA'"):
        build(root, infpre_datasets=['SODA'])


def test_missing_file_named(root):
    os.remove(osp.join(root, LIST[9][1]))
    with pytest.raises(DatasetError, match='000000000001.jpg: missing'):
        build(root)
    assert len(build(root, check_files=False)) == 12


def test_base_config_pipeline():
    cfg = Config.fromfile(osp.join(REPO, 'configs/_base_/datasets/infmix.py'))
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline] == [
        'LoadImageFromFile', 'mmir.RGB2Gray', 'RandomResizedCrop',
        'RandomFlip', 'PackInputs'
    ]
    assert pipeline[2].crop_ratio_range == (0.2, 1.0)
    assert pipeline[2].interpolation == 'bicubic'
    assert 'default_scope' not in cfg


def test_registry_and_synthir_twin(synthir_root, tmp_path):
    root = str(tmp_path)
    os.symlink(osp.join(synthir_root, 'soda'), osp.join(root, 'soda'))
    convert_synthir(root, 'lists/infmix_synthir.txt',
                    'soda/InfraredSemanticLabel/JPEGImages')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/infmix_synthir.py'))
    assert cfg.data_preprocessor.mean[0] == pytest.approx(96.9255)
    assert cfg.data_preprocessor.std[0] == pytest.approx(47.7105)
    cfg = cfg.train_dataloader.dataset
    cfg.data_root = root
    dataset = DATASETS.build(dict(cfg, pipeline=[]))
    assert isinstance(dataset, InfMixDataset)
    assert len(dataset) == 30
    assert dataset[0]['source'] == 'synthir'
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        packed = DATASETS.build(cfg)[0]
    img = packed['inputs'].numpy()
    assert img.shape == (3, 64, 64)
    np.testing.assert_array_equal(img[0], img[2])
