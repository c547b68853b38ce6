# Copyright (c) mmir contributors. All rights reserved.
import os
import os.path as osp

import pytest

from mmir.datasets import SODA_CLASSES, SODADataset


def build(root, **kwargs):
    return SODADataset(
        data_root=root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassPNG'),
        ann_file='test_infrared.txt',
        pipeline=[],
        **kwargs)


def test_soda_on_synthir(synthir_root):
    root = osp.join(synthir_root, 'soda/InfraredSemanticLabel')
    dataset = build(root)
    split = open(osp.join(root, 'test_infrared.txt')).read().split()
    assert len(dataset) == len(split)
    assert dataset.metainfo['classes'] == SODA_CLASSES
    assert len(dataset.metainfo['palette']) == 21
    assert dataset.reduce_zero_label is False
    assert dataset[0]['img_path'].endswith('.jpg')


def test_missing_masks_are_listed_by_name(synthir_root, tmp_path):
    root = tmp_path / 'soda'
    src = osp.join(synthir_root, 'soda/InfraredSemanticLabel')
    root.mkdir()
    os.symlink(osp.join(src, 'JPEGImages'), root / 'JPEGImages')
    (root / 'SegmentationClassPNG').mkdir()
    stems = open(osp.join(src, 'test_infrared.txt')).read().split()
    (root / 'test_infrared.txt').write_text('\n'.join(stems))
    for stem in stems[1:]:
        os.symlink(
            osp.join(src, 'SegmentationClassPNG', stem + '.png'),
            root / 'SegmentationClassPNG' / (stem + '.png'))
    with pytest.raises(FileNotFoundError, match=f'{stems[0]}.png') as err:
        build(str(root))
    assert '1 problem:' in str(err.value)
