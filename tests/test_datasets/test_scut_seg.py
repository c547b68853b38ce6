# Copyright (c) mmir contributors. All rights reserved.
import os.path as osp

import pytest
from mmengine.registry import DefaultScope

from mmir.datasets import SCUT_SEG_CLASSES, SCUTSegDataset

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]


def build(root, ann_file, pipeline=()):
    """Build through the registry from the mmseg scope."""
    from mmseg.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(
            dict(
                type='mmir.SCUTSegDataset',
                data_root=root,
                data_prefix=dict(img_path='images', seg_map_path='labels'),
                ann_file=ann_file,
                pipeline=list(pipeline)))


@pytest.mark.parametrize('split', ['train.txt', 'val.txt'])
def test_length_follows_split_file(synthir_root, split):
    root = osp.join(synthir_root, 'scut_seg')
    dataset = build(root, split)
    assert isinstance(dataset, SCUTSegDataset)
    assert len(dataset) == len(open(osp.join(root, split)).read().split())
    assert len(dataset) > 0


def test_metainfo_and_sample(synthir_root):
    dataset = build(
        osp.join(synthir_root, 'scut_seg'), 'val.txt', PIPELINE)
    assert dataset.metainfo['classes'] == SCUT_SEG_CLASSES
    assert dataset.metainfo['classes'][0] == 'background'
    palette = dataset.metainfo['palette']
    assert len(palette) == 10 and len({tuple(c) for c in palette}) == 10
    assert dataset.reduce_zero_label is False
    sample = dataset[0]
    assert set(sample) == {'inputs', 'data_samples'}
    assert sample['data_samples'].img_path.endswith('.jpg')
    image = sample['inputs']
    label = sample['data_samples'].gt_sem_seg.data
    assert image.shape == (3, 64, 80) and label.shape == (1, 64, 80)
    assert int(label.max()) < 10


def test_missing_image_is_named(tmp_path):
    (tmp_path / 'images').mkdir()
    (tmp_path / 'labels').mkdir()
    (tmp_path / 'labels' / 'a.png').write_bytes(b'')
    (tmp_path / 'val.txt').write_text('a\n')
    with pytest.raises(FileNotFoundError, match='images/a.jpg: missing'):
        build(str(tmp_path), 'val.txt')
