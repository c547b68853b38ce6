# Copyright (c) mmir contributors. All rights reserved.
"""The downstream dataset base configs hold the authors' settings, and
their SynthIR twins build a dataset that yields samples."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..conftest import REPO

CFG_DIR = osp.join(REPO, 'configs/_base_/datasets')
SEG = {
    # name: (dataset type, SynthIR folder, number of classes,
    #        (train, val, test) split files)
    'soda': ('mmir.SODADataset', 'soda/InfraredSemanticLabel', 21,
             ('train_infrared.txt', 'test_infrared.txt',
              'test_infrared.txt')),
    'mfnet': ('mmir.MFNetDataset', 'mfnet', 9,
              ('train.txt', 'val_test.txt', 'test.txt')),
    'scut_seg': ('mmir.SCUTSegDataset', 'scut_seg', 10,
                 ('train.txt', 'val.txt', 'val.txt')),
}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def load_twin(name, root):
    """Load a SynthIR twin config with its data root under ``root``."""
    cfg = Config.fromfile(osp.join(CFG_DIR, f'{name}_synthir.py'))
    for loader in LOADERS:
        dataset = cfg[loader].dataset
        dataset.data_root = osp.join(root, dataset.data_root.replace(
            'data/synthir/', ''))
    return cfg


@pytest.mark.parametrize('name', SEG)
def test_seg_config_has_author_settings(name):
    dataset_type, _, _, splits = SEG[name]
    cfg = Config.fromfile(osp.join(CFG_DIR, f'{name}.py'))
    for loader, split in zip(LOADERS, splits):
        assert cfg[loader].dataset.type == dataset_type
        assert cfg[loader].dataset.ann_file == split
    steps = {step['type']: step for step in cfg.train_pipeline}
    assert [s['type'] for s in cfg.train_pipeline] == [
        'LoadImageFromFile', 'LoadAnnotations', 'RandomResize', 'RandomCrop',
        'RandomFlip', 'PhotoMetricDistortion', 'PackSegInputs'
    ]
    assert steps['RandomResize']['scale'] == (2048, 512)
    assert steps['RandomResize']['ratio_range'] == (0.5, 2.0)
    assert steps['RandomCrop']['crop_size'] == (512, 512)
    assert steps['RandomCrop']['cat_max_ratio'] == 0.75
    assert steps['RandomFlip']['prob'] == 0.5
    assert cfg.test_pipeline[1] == dict(
        type='Resize', scale=(2048, 512), keep_ratio=True)
    assert cfg.ir_data_preprocessor.mean == [96.9255] * 3
    assert cfg.ir_data_preprocessor.std == [47.8976] * 3
    assert cfg.slide_test_cfg == dict(
        mode='slide', crop_size=(512, 512), stride=(341, 341))


@pytest.mark.parametrize('name', SEG)
def test_seg_twin_draws_a_sample(synthir_root, name):
    from mmseg.registry import DATASETS
    dataset_type, folder, num_classes, splits = SEG[name]
    cfg = load_twin(name, synthir_root)
    assert cfg.train_pipeline == Config.fromfile(
        osp.join(CFG_DIR, f'{name}.py')).train_pipeline
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    stems = open(osp.join(synthir_root, folder, splits[0])).read().split()
    assert type(dataset).__name__ == dataset_type.split('.')[1]
    assert len(dataset) == len(stems) > 0
    sample = dataset[0]
    image = sample['inputs']
    label = sample['data_samples'].gt_sem_seg.data
    assert image.shape[0] == 3 and label.shape[0] == 1
    assert image.shape[1:] == label.shape[1:]
    # 64x80 images are enlarged 4-16x, then cropped to at most 512x512.
    assert 256 <= image.shape[1] <= 512 and 320 <= image.shape[2] <= 512
    assert int(label.max()) < num_classes


def test_flir_config_has_pad_settings():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'flir.py'))
    train = cfg.train_dataloader.dataset
    assert train.type == 'mmir.FLIRDataset'
    assert train.ann_file == 'annotations/instances_train.json'
    assert train.filter_cfg.filter_empty_gt is True
    assert cfg.val_dataloader.dataset.test_mode is True
    assert cfg.val_evaluator.ann_file == (
        'data/flir/annotations/instances_val.json')
    steps = {step['type']: step for step in cfg.train_pipeline}
    assert steps['RandomResize']['scale'] == (1024, 1024)
    assert steps['RandomResize']['ratio_range'] == (0.1, 2.0)
    assert steps['RandomCrop']['crop_size'] == (1024, 1024)
    assert cfg.test_pipeline[1]['scale'] == (1024, 1024)
    assert cfg.ir_data_preprocessor.mean == [96.9255] * 3


def test_flir_twin_draws_a_sample(synthir_root):
    from mmdet.registry import DATASETS
    cfg = load_twin('flir', synthir_root)
    assert cfg.val_evaluator.ann_file == (
        'data/synthir/coco/annotations/instances_val.json')
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert type(dataset).__name__ == 'FLIRDataset'
    instances = dataset.get_data_info(0)['instances']
    assert len(dataset) > 0 and len(instances) > 0
    assert {obj['bbox_label'] for obj in instances} <= {0, 1, 2}
    sample = dataset[0]
    image = sample['inputs']
    # The long edge is scaled to 1024 x (0.1-2.0), then cropped to 1024.
    assert image.shape[0] == 3 and 64 < max(image.shape[1:]) <= 1024
    boxes = sample['data_samples'].gt_instances.bboxes.tensor.numpy()
    labels = sample['data_samples'].gt_instances.labels.numpy()
    assert np.isin(labels, [0, 1, 2]).all()
    assert (boxes[:, 2:] <= [image.shape[2], image.shape[1]]).all()
