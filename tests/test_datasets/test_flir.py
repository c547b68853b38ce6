# Copyright (c) mmir contributors. All rights reserved.
import json
import os.path as osp

import cv2
import numpy as np
from mmengine.registry import DefaultScope

from mmir.datasets import FLIR_CATEGORIES, FLIRDataset

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs'),
]


def build(root, ann_file, **kwargs):
    """Build through the registry from the mmdet scope."""
    from mmdet.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmdet'):
        return DATASETS.build(
            dict(
                type='mmir.FLIRDataset',
                data_root=root,
                ann_file=ann_file,
                data_prefix=dict(img=''),
                **kwargs))


def test_synthir_coco(synthir_root):
    root = osp.join(synthir_root, 'coco')
    ann_file = 'annotations/instances_train.json'
    coco = json.load(open(osp.join(root, ann_file)))
    with_boxes = {ann['image_id'] for ann in coco['annotations']}
    dataset = build(root, ann_file, test_mode=True, pipeline=PIPELINE)
    assert isinstance(dataset, FLIRDataset)
    assert len(dataset) == len(coco['images'])
    assert dataset.metainfo['classes'] == ('person', 'bicycle', 'car')
    assert len(dataset.metainfo['palette']) == 3
    filtered = build(
        root, ann_file, filter_cfg=dict(filter_empty_gt=True, min_size=32))
    assert len(filtered) == len(with_boxes)
    sample = dataset[0]
    assert set(sample) == {'inputs', 'data_samples'}
    assert sample['inputs'].shape == (3, 64, 80)
    boxes = sample['data_samples'].gt_instances.bboxes.tensor
    labels = sample['data_samples'].gt_instances.labels.numpy()
    assert len(boxes) > 0 and np.isin(labels, [0, 1, 2]).all()


def write_flir_like(root):
    """Three 16x16 images; categories in FLIR v1 order plus a dog."""
    images = []
    for i in range(3):
        cv2.imwrite(osp.join(root, f'{i}.jpg'), np.full((16, 16), 9 * i,
                                                         np.uint8))
        images.append(dict(id=i, file_name=f'{i}.jpg', height=16, width=16))
    categories = [
        dict(id=cid, name=name) for cid, name in FLIR_CATEGORIES.items()
    ] + [dict(id=17, name='dog')]

    def box(ann_id, image_id, category_id):
        return dict(
            id=ann_id,
            image_id=image_id,
            category_id=category_id,
            bbox=[1, 2, 5, 6],
            area=30,
            iscrowd=0)

    annotations = [box(1, 0, 3), box(2, 0, 17), box(3, 1, 1), box(4, 2, 17)]
    with open(osp.join(root, 'ann.json'), 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=annotations,
                categories=categories), f)


def test_other_categories_dropped_by_name(tmp_path):
    write_flir_like(str(tmp_path))
    dataset = build(str(tmp_path), 'ann.json', test_mode=True)
    assert len(dataset) == 3
    labels = [[obj['bbox_label'] for obj in dataset.get_data_info(i)[
        'instances']] for i in range(3)]
    # car (id 3) -> 2, person (id 1) -> 0; dog boxes are dropped.
    assert labels == [[2], [0], []]
    filtered = build(
        str(tmp_path), 'ann.json', filter_cfg=dict(filter_empty_gt=True))
    assert [filtered.get_data_info(i)['img_id'] for i in range(2)] == [0, 1]
    assert len(filtered) == 2
