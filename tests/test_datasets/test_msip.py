# Copyright (c) mmir contributors. All rights reserved.
"""MSIPDataset (and PretrainListDataset) over a hand-written list."""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DATASETS, DefaultScope

from mmir.datasets import CropBorder, DatasetError, MSIPDataset
from mmir.datasets.converters.pretrain_common import convert_synthir
from ..conftest import REPO

# 4 DroneVehicle, 3 LLVIP, 1 LasHeR image.
LIST = ([('dronevehicle', f'dronevehicle/train/trainimgr/{i:05d}.jpg')
         for i in range(4)] +
        [('llvip', f'llvip/infrared/train/{i}.jpg') for i in range(3)] +
        [('lasher', 'lasher/seq A/infrared/i1.jpg')])


def make_root(root: str, entries: list = LIST) -> str:
    """Empty image files and the list ``msip.txt`` under ``root``."""
    for _, path in entries:
        os.makedirs(osp.dirname(osp.join(root, path)), exist_ok=True)
        open(osp.join(root, path), 'w').close()
    with open(osp.join(root, 'msip.txt'), 'w') as f:
        f.writelines(f'{tag} {path}\n' for tag, path in entries)
    return root


def build(root: str, **kwargs) -> MSIPDataset:
    """The dataset over ``root/msip.txt`` with no pipeline."""
    return MSIPDataset(
        data_root=root, ann_file='msip.txt', pipeline=[], **kwargs)


def test_samples_sources_and_ratio(tmp_path):
    root = make_root(str(tmp_path))
    dataset = build(root)
    assert len(dataset) == 8
    assert dataset.metainfo['sources'][0] == 'dronevehicle'
    sample = dataset[7]
    assert sample['img_path'] == osp.join(root, LIST[7][1])
    assert sample['source'] == 'lasher' and sample['border'] == 0
    assert sample['rois'].shape == (0, 4)
    assert dataset[0]['border'] == 100
    assert len(build(root, sources=['llvip', 'lasher'])) == 4
    # Every 2nd per source: 2 of 4, 2 of 3, 1 of 1.
    thinned = build(root, keep_ratio=0.5)
    assert [d['source'] for d in thinned] == ['dronevehicle'] * 2 + [
        'llvip'
    ] * 2 + ['lasher']
    assert thinned[1]['img_path'].endswith('00002.jpg')
    assert len(build(root, keep_ratio=0.3)) == 2 + 1 + 1
    with pytest.raises(ValueError, match='keep_ratio'):
        build(root, keep_ratio=0)
    with pytest.raises(ValueError, match='flir'):
        build(root, sources=['flir'])


def test_rois_attached(tmp_path):
    root = make_root(str(tmp_path))
    roi = osp.join(root, 'roi', 'llvip/infrared/train/1.txt')
    os.makedirs(osp.dirname(roi))
    with open(roi, 'w') as f:
        f.write('1 2 41 52\n0 0 60 60\n')
    rois = build(root)[5]['rois']
    assert rois.dtype == np.float32
    np.testing.assert_array_equal(rois, [[1, 2, 41, 52], [0, 0, 60, 60]])
    assert build(root)[4]['rois'].shape == (0, 4)
    assert 'rois' not in build(root, roi_prefix=None)[5]


def test_missing_files_and_bad_lines(tmp_path):
    root = make_root(str(tmp_path))
    os.remove(osp.join(root, LIST[1][1]))
    os.remove(osp.join(root, LIST[7][1]))
    with pytest.raises(DatasetError) as err:
        build(root)
    assert '2 problems' in str(err.value)
    assert '00001.jpg: missing' in str(err.value)
    assert 'seq A/infrared/i1.jpg: missing' in str(err.value)
    assert len(build(root, check_files=False)) == 8
    with open(osp.join(root, 'msip.txt'), 'a') as f:
        f.write('flir a.jpg\nllvip\n')
    with pytest.raises(DatasetError) as err:
        build(root, check_files=False)
    assert "msip.txt:9: unknown source 'flir'" in str(err.value)
    assert 'msip.txt:10: expected' in str(err.value)


def test_crop_border():
    img = np.arange(20 * 30, dtype=np.uint8).reshape(20, 30)
    rois = np.array([[0, 0, 10, 10], [0, 1, 2, 3], [5, 6, 40, 30]],
                    np.float32)
    out = CropBorder()(dict(img=img, border=2, rois=rois))
    np.testing.assert_array_equal(out['img'], img[2:18, 2:28])
    assert out['img_shape'] == (16, 26)
    np.testing.assert_array_equal(out['rois'],
                                  [[0, 0, 8, 8], [3, 4, 26, 16]])
    assert CropBorder()(dict(img=img, border=0))['img'] is img
    with pytest.raises(ValueError, match='x.png'):
        CropBorder()(dict(img=img, border=10, img_path='x.png'))


def test_base_config_pipeline():
    cfg = Config.fromfile(osp.join(REPO, 'configs/_base_/datasets/msip.py'))
    assert [t.type for t in cfg.train_dataloader.dataset.pipeline] == [
        'LoadImageFromFile', 'mmir.CropBorder', 'mmir.RandomRoICrop',
        'RandomFlip', 'PackInputs'
    ]
    assert cfg.data_preprocessor.mean == [0.3801 * 255] * 3
    assert 'default_scope' not in cfg


def synthir_cfg(root: str) -> Config:
    """The SynthIR twin's dataset, over a list written for ``root``."""
    convert_synthir(root, 'lists/msip_synthir.txt',
                    'soda/InfraredSemanticLabel/JPEGImages')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/msip_synthir.py'))
    cfg.train_dataloader.dataset.data_root = root
    return cfg.train_dataloader.dataset


def test_synthir_twin(synthir_root, tmp_path):
    root = str(tmp_path / 'synthir')
    os.makedirs(root)
    os.symlink(osp.join(synthir_root, 'soda'), osp.join(root, 'soda'))
    cfg = synthir_cfg(root)
    dataset = DATASETS.build(dict(cfg, pipeline=[]))
    assert isinstance(dataset, MSIPDataset)
    assert len(dataset) == 30
    assert dataset[0]['source'] == 'synthir'
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        packed = DATASETS.build(cfg)[0]
    assert tuple(packed['inputs'].shape) == (3, 64, 64)
