# Copyright (c) mmir contributors. All rights reserved.
"""MFNet: the thermal channel of the 4-channel images is kept."""
import numpy as np
import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters import mfnet
from .utils import fake_mfnet, gray, imwrite, label_map, read


def test_mfnet_keeps_thermal_channel(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    dst = tmp_path / 'mfnet'
    summary = mfnet.convert(str(tmp_path / 'raw'), str(dst))
    assert summary['splits'] == {
        'train.txt': 3, 'val.txt': 1, 'test.txt': 1, 'val_test.txt': 2}
    assert (dst / 'val_test.txt').read_text().split() == stems[3:]
    thermal = read(dst / 'thermal_imgs' / f'{stems[2]}.png')
    assert thermal.shape == (16, 16)
    assert np.array_equal(thermal, gray(2 + 3))
    assert np.array_equal(
        read(dst / 'labels' / f'{stems[0]}.png'), label_map(0, 9))


def test_three_channel_mfnet_image_is_named(tmp_path):
    stems = fake_mfnet(str(tmp_path / 'raw'))
    bad = tmp_path / 'raw' / 'images' / f'{stems[4]}.png'
    imwrite(str(bad), np.stack([gray(0)] * 3, -1))
    with pytest.raises(DatasetError,
                       match=f'{bad}: 3 channels, expected 4'):
        mfnet.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))
