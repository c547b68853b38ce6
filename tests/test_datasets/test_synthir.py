# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR is deterministic, well-formed, and readable by the dataset
classes of the layouts it imitates."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from mmir.datasets import (MFNET_CLASSES, SCUT_SEG_CLASSES, SODA_CLASSES,
                           SYNTHIR_CLASSES)
from mmir.datasets.synthir import generate_synthir, render_scene
from mmir.datasets.synthir.scene import CENTIKELVIN, CLASS_ID

SEG_LAYOUTS = {
    'soda/InfraredSemanticLabel/SegmentationClassPNG': SODA_CLASSES,
    'mfnet/labels': MFNET_CLASSES,
    'scut_seg/labels': SCUT_SEG_CLASSES,
}


def tree_bytes(root):
    files = sorted(glob.glob(osp.join(root, '**', '*.*'), recursive=True))
    return {osp.relpath(f, root): open(f, 'rb').read() for f in files}


def test_same_seed_same_bytes(tmp_path):
    generate_synthir(str(tmp_path / 'a'), num_images=8, seed=5)
    generate_synthir(str(tmp_path / 'b'), num_images=8, seed=5)
    generate_synthir(str(tmp_path / 'c'), num_images=8, seed=6)
    a, b = tree_bytes(tmp_path / 'a'), tree_bytes(tmp_path / 'b')
    assert len(a) > 8 * 4 and a == b
    c = tree_bytes(tmp_path / 'c')
    assert a['radiometric/00000.png'] != c['radiometric/00000.png']


@pytest.mark.parametrize('ann_dir,classes', SEG_LAYOUTS.items())
def test_masks_hold_valid_ids(synthir_root, ann_dir, classes):
    masks = glob.glob(osp.join(synthir_root, ann_dir, '*.png'))
    assert len(masks) == 30
    ids = np.unique(
        np.concatenate([cv2.imread(m, cv2.IMREAD_UNCHANGED).ravel()
                        for m in masks]))
    assert ids.max() < len(classes)
    assert len(ids) >= 3, 'labels should hold several classes'


def test_scene_is_thermally_plausible():
    scene = render_scene(np.random.default_rng(0), 96, 128)
    kelvin = scene.radiometric.astype(np.float64) / CENTIKELVIN
    sky = kelvin[scene.label == CLASS_ID['sky']]
    people = kelvin[scene.label == CLASS_ID['person']]
    assert scene.radiometric.dtype == np.uint16
    assert 200 < kelvin.min() and kelvin.max() < 350
    assert sky.size and people.size
    assert people.mean() > sky.mean() + 10
    assert scene.instances, 'the scene should contain objects'
    for obj in scene.instances:
        x, y, w, h = obj['bbox']
        assert w > 0 and h > 0 and x + w <= 128 and y + h <= 96


def test_radiometric_png_round_trip(synthir_root):
    img = cv2.imread(
        osp.join(synthir_root, 'radiometric', '00000.png'),
        cv2.IMREAD_UNCHANGED)
    assert img.dtype == np.uint16 and img.shape == (64, 80)


def test_splits_partition_the_images(synthir_root):
    meta = json.load(open(osp.join(synthir_root, 'meta.json')))
    assert meta['classes'] == list(SYNTHIR_CLASSES)
    assert sum(meta['splits'].values()) == 30

    def read(path):
        return open(osp.join(synthir_root, path)).read().split()

    train, val, test = (read(f'mfnet/{s}.txt') for s in ('train', 'val',
                                                          'test'))
    assert len(set(train) | set(val) | set(test)) == 30
    assert not set(train) & set(test)
    assert sorted(read('mfnet/val_test.txt')) == sorted(val + test)
    soda = 'soda/InfraredSemanticLabel'
    assert sorted(read(f'{soda}/train_infrared.txt')) == sorted(train + val)


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
