# Copyright (c) mmir contributors. All rights reserved.
"""FLIR ADAS v1 and v2 become a 3-class COCO tree."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters import flir
from .utils import gray, imwrite, read


def fake_flir(root, version):
    """Two splits of two 16x16 images; v1 ids start at 0 like FLIR's."""
    names = {'v1': ('person', 'bicycle', 'car', 'dog'),
             'v2': ('person', 'bike', 'car', 'dog')}[version]
    categories = [
        dict(id=cid, name=name) for cid, name in zip((1, 2, 3, 17), names)
    ]
    for split in ('train', 'val'):
        if version == 'v1':
            folder, sub, ann = osp.join(root, split), 'thermal_8_bit', \
                'thermal_annotations.json'
        else:
            folder, sub, ann = osp.join(root, f'images_thermal_{split}'), \
                'data', 'coco.json'
        images = []
        for i in range(2):
            name = f'{sub}/FLIR_{split}_{i}.jpeg'
            imwrite(osp.join(folder, name), gray(i))
            images.append(dict(id=i, file_name=name, width=16, height=16))
        annotations = [
            dict(id=0, image_id=0, category_id=2, bbox=[1, 1, 4, 5]),
            dict(id=1, image_id=0, category_id=17, bbox=[2, 2, 3, 3]),
            dict(id=2, image_id=1, category_id=17, bbox=[2, 2, 3, 3]),
        ]
        with open(osp.join(folder, ann), 'w') as f:
            json.dump(
                dict(
                    images=images,
                    annotations=annotations,
                    categories=categories), f)


@pytest.mark.parametrize('version', ['v1', 'v2'])
def test_flir_to_coco(tmp_path, version):
    fake_flir(str(tmp_path / 'raw'), version)
    dst = tmp_path / 'flir'
    summary = flir.convert(str(tmp_path / 'raw'), str(dst))
    assert summary['version'] == version
    assert summary['val'] == dict(
        images=2, boxes=1, boxes_dropped=2, images_without_boxes=1)
    coco = json.loads((dst / 'annotations/instances_val.json').read_text())
    assert [(c['id'], c['name']) for c in coco['categories']] == [
        (1, 'person'), (2, 'bicycle'), (3, 'car')]
    assert [img['file_name'] for img in coco['images']] == [
        'val/FLIR_val_0.jpeg', 'val/FLIR_val_1.jpeg']
    assert coco['annotations'] == [
        dict(id=1, image_id=0, category_id=2, bbox=[1, 1, 4, 5], area=20,
             iscrowd=0)]
    assert np.array_equal(read(dst / 'train' / 'FLIR_train_1.jpeg').shape,
                          (16, 16))


def test_flir_problems_are_named(tmp_path):
    raw = tmp_path / 'raw'
    with pytest.raises(DatasetError, match='thermal_annotations.json'):
        flir.convert(str(raw), str(tmp_path / 'out'))
    fake_flir(str(raw), 'v2')
    missing = raw / 'images_thermal_val' / 'data' / 'FLIR_val_1.jpeg'
    os.remove(missing)
    ann = raw / 'images_thermal_train' / 'coco.json'
    coco = json.loads(ann.read_text())
    coco['categories'] = coco['categories'][:2]
    ann.write_text(json.dumps(coco))
    with pytest.raises(DatasetError) as err:
        flir.convert(str(raw), str(tmp_path / 'out'))
    assert f"{ann}: no category named 'car'" in str(err.value)
    assert f'{missing}: missing' in str(err.value)
    assert not (tmp_path / 'out' / 'annotations').exists()
