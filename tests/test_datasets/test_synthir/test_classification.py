# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR as classification: each frame's label is its largest object's
class, against the COCO annotations read directly."""
import json
import os.path as osp

import pytest

from mmir.datasets.synthir.classification import (CLASSES, SPLITS,
                                                  frame_labels,
                                                  write_classification_lists)
from ...conftest import run_tool


def test_labels_are_the_largest_objects(synthir_root):
    path = osp.join(synthir_root, 'coco', 'annotations',
                    'instances_train.json')
    coco = json.load(open(path))
    names = {c['id']: c['name'] for c in coco['categories']}
    labels = dict(frame_labels(path))
    assert labels
    for image in coco['images']:
        anns = [a for a in coco['annotations']
                if a['image_id'] == image['id']]
        if not anns:
            assert image['file_name'] not in labels
            continue
        areas = [a['bbox'][2] * a['bbox'][3] for a in anns]
        biggest = anns[areas.index(max(areas))]
        assert CLASSES[labels[image['file_name']]] == names[
            biggest['category_id']]


def test_lists_load_as_a_custom_dataset(synthir_root, tmp_path):
    from mmpretrain.datasets import CustomDataset
    out = run_tool(['tools/dataset_converters/synthir_classification.py',
                    synthir_root, '--out-dir', 'cls_test'])
    assert 'train: person' in out.stdout
    for split in SPLITS:
        dataset = CustomDataset(
            data_root=synthir_root,
            ann_file=f'cls_test/{split}.txt',
            metainfo=dict(classes=CLASSES),
            pipeline=[])
        written = frame_labels(
            osp.join(synthir_root, 'coco', 'annotations',
                     f'instances_{split}.json'))
        assert len(dataset) == len(written)
        for index, (name, label) in enumerate(written):
            info = dataset.get_data_info(index)
            assert info['img_path'] == osp.join(synthir_root, 'coco', name)
            assert info['gt_label'] == label
    classes = open(osp.join(synthir_root, 'cls_test', 'classes.txt')).read()
    assert classes.split() == list(CLASSES)


def test_missing_layout_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='instances_train.json'):
        write_classification_lists(str(tmp_path))
