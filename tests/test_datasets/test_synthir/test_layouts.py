# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR's layouts hold valid ids and are readable by the dataset
classes of the layouts they imitate."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from mmir.datasets import MFNET_CLASSES, SCUT_SEG_CLASSES, SODA_CLASSES

SEG_LAYOUTS = {
    'soda/InfraredSemanticLabel/SegmentationClassPNG': SODA_CLASSES,
    'mfnet/labels': MFNET_CLASSES,
    'scut_seg/labels': SCUT_SEG_CLASSES,
}


@pytest.mark.parametrize('ann_dir,classes', SEG_LAYOUTS.items())
def test_masks_hold_valid_ids(synthir_root, ann_dir, classes):
    masks = glob.glob(osp.join(synthir_root, ann_dir, '*.png'))
    assert len(masks) == 30
    ids = np.unique(
        np.concatenate([cv2.imread(m, cv2.IMREAD_UNCHANGED).ravel()
                        for m in masks]))
    assert ids.max() < len(classes)
    assert len(ids) >= 3, 'labels should hold several classes'


@pytest.mark.parametrize('layout', [
    dict(
        root='soda/InfraredSemanticLabel',
        img_dir='JPEGImages',
        ann_dir='SegmentationClassPNG',
        img_suffix='.jpg',
        split='train_infrared.txt',
        classes=SODA_CLASSES),
    dict(
        root='mfnet',
        img_dir='thermal_imgs',
        ann_dir='labels',
        img_suffix='.png',
        split='val_test.txt',
        classes=MFNET_CLASSES),
])
def test_mmseg_reads_layout(synthir_root, layout):
    from mmseg.datasets import BaseSegDataset
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = BaseSegDataset(
            data_root=osp.join(synthir_root, layout['root']),
            data_prefix=dict(
                img_path=layout['img_dir'], seg_map_path=layout['ann_dir']),
            ann_file=layout['split'],
            img_suffix=layout['img_suffix'],
            seg_map_suffix='.png',
            metainfo=dict(classes=layout['classes']),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations'),
                dict(type='PackSegInputs')
            ])
        sample = dataset[0]
    split = open(osp.join(synthir_root, layout['root'],
                          layout['split'])).read().split()
    assert len(dataset) == len(split)
    assert tuple(sample['inputs'].shape) == (3, 64, 80)
    seg = sample['data_samples'].gt_sem_seg.data
    assert tuple(seg.shape) == (1, 64, 80)
    assert int(seg.max()) < len(layout['classes'])


def test_mmdet_reads_coco_layout(synthir_root):
    from mmdet.datasets import CocoDataset
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = CocoDataset(
            data_root=osp.join(synthir_root, 'coco'),
            ann_file='annotations/instances_train.json',
            data_prefix=dict(img=''),
            metainfo=dict(classes=('person', 'bicycle', 'car')),
            filter_cfg=dict(filter_empty_gt=False),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True),
                dict(type='PackDetInputs')
            ])
        sample = dataset[0]
    assert len(dataset) == 18
    boxes = sample['data_samples'].gt_instances.bboxes
    assert len(boxes) > 0
    assert float(boxes.tensor[:, 2].max()) <= 80
