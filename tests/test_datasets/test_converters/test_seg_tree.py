# Copyright (c) mmir contributors. All rights reserved.
"""The segmentation converters name every bad file: missing files,
bad label values, samples in two splits, unreadable or mis-sized
images, all listed at once."""
import os
import os.path as osp

import numpy as np
import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters import mfnet, scut_seg, soda
from .utils import (fake_mfnet, fake_scut, fake_soda, imwrite, label_map,
                    write_split)


def test_label_out_of_range_is_named(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    bad = tmp_path / 'raw' / 'labels' / f'{stems[1]}.png'
    label = label_map(1, 9)
    label[5, 5] = 37
    imwrite(str(bad), label)
    with pytest.raises(DatasetError) as err:
        mfnet.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))
    assert f'{bad}: label values 37 >= 9 classes' in str(err.value)
    assert '1 problem:' in str(err.value)
    assert not (tmp_path / 'out' / 'train.txt').exists()


def test_missing_label_is_named(tmp_path):
    base = fake_soda(str(tmp_path / 'raw'))
    missing = osp.join(base, 'SegmentationClassPNG', 'c.png')
    os.remove(missing)
    with pytest.raises(DatasetError, match=f'{missing}: missing'):
        soda.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))


def test_many_problems_listed_once(tmp_path):
    raw = tmp_path / 'raw'
    fake_scut(str(raw))
    stems = [f'lost{i:02d}' for i in range(25)]
    write_split(str(raw / 'train.txt'), stems)
    imwrite(str(raw / 'labels' / 'img3.png'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError) as err:
        scut_seg.convert(str(raw), str(tmp_path / 'out'))
    message = str(err.value)
    # 25 missing images, 25 missing labels, 1 RGB label.
    assert '51 problems:' in message and '... and 31 more' in message
    assert f'{raw / "images" / "lost00.jpg"}: missing' in message


def test_bad_splits_and_sizes_are_named(tmp_path):
    base = fake_soda(
        str(tmp_path / 'raw'), splits=(('train', 'a b'), ('test', 'b c')))
    imwrite(osp.join(base, 'JPEGImages', 'a.jpg'), np.zeros((8, 8), np.uint8))
    with open(osp.join(base, 'JPEGImages', 'c.jpg'), 'wb') as f:
        f.write(b'not a jpeg')
    with pytest.raises(DatasetError) as err:
        soda.convert(base, str(tmp_path / 'out'))
    message = str(err.value)
    assert 'test_infrared.txt: b is also listed in the train split' in message
    assert 'JPEGImages/a.jpg: size (8, 8) differs from its label' in message
    assert 'JPEGImages/c.jpg: cannot be read as an image' in message
