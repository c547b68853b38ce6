# Copyright (c) mmir contributors. All rights reserved.
import os
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope

from mmir.datasets import MFNET_CLASSES, MFNetDataset

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
                type='mmir.MFNetDataset',
                data_root=root,
                data_prefix=dict(
                    img_path='thermal_imgs', seg_map_path='labels'),
                ann_file=ann_file,
                pipeline=list(pipeline)))


def stems(root, split):
    return open(osp.join(root, split)).read().split()


@pytest.mark.parametrize('split',
                         ['train.txt', 'val.txt', 'test.txt', 'val_test.txt'])
def test_length_follows_split_file(synthir_root, split):
    root = osp.join(synthir_root, 'mfnet')
    dataset = build(root, split)
    assert isinstance(dataset, MFNetDataset)
    assert len(dataset) == len(stems(root, split)) > 0
    assert len(stems(root, 'val_test.txt')) == len(
        stems(root, 'val.txt')) + len(stems(root, 'test.txt'))


def test_metainfo_and_sample(synthir_root):
    dataset = build(osp.join(synthir_root, 'mfnet'), 'train.txt', PIPELINE)
    assert dataset.metainfo['classes'] == MFNET_CLASSES
    assert len(MFNET_CLASSES) == 9
    palette = dataset.metainfo['palette']
    assert len(palette) == 9 and len({tuple(c) for c in palette}) == 9
    assert dataset.reduce_zero_label is False
    sample = dataset[0]
    assert set(sample) == {'inputs', 'data_samples'}
    assert sample['data_samples'].img_path.endswith('.png')
    image = sample['inputs']
    label = sample['data_samples'].gt_sem_seg.data
    assert image.shape == (3, 64, 80) and label.shape == (1, 64, 80)
    # The thermal channel is replicated to the 3 input channels.
    assert torch.equal(image[0], image[1]) and torch.equal(image[1], image[2])
    assert int(label.max()) < 9


def test_missing_labels_listed_once(synthir_root, tmp_path):
    src = osp.join(synthir_root, 'mfnet')
    os.symlink(osp.join(src, 'thermal_imgs'), tmp_path / 'thermal_imgs')
    (tmp_path / 'labels').mkdir()
    (tmp_path / 'train.txt').write_text(
        '\n'.join(stems(src, 'train.txt') + stems(src, 'val_test.txt')))
    with pytest.raises(FileNotFoundError) as err:
        build(str(tmp_path), 'train.txt')
    message = str(err.value)
    assert '30 problems:' in message and '... and 10 more' in message
    first = stems(src, 'train.txt')[0]
    assert osp.join(str(tmp_path), 'labels', first + '.png') in message
