# Copyright (c) mmir contributors. All rights reserved.
"""SCUT-Seg: listed images are copied, unlisted ones counted."""
import os
import os.path as osp

from mmir.datasets.converters import scut_seg
from .utils import fake_scut, write_split


def test_scut_seg_copies_images(tmp_path):
    stems = fake_scut(str(tmp_path / 'raw'))
    os.remove(tmp_path / 'raw' / 'labels' / 'img0.png')
    write_split(str(tmp_path / 'raw' / 'train.txt'), stems[1:-1])
    summary = scut_seg.convert(str(tmp_path / 'raw'), str(tmp_path / 'out'))
    assert summary['splits'] == {'train.txt': 2, 'val.txt': 1}
    assert summary['unlisted'] == 1
    copied = tmp_path / 'out' / 'images' / 'img3.jpg'
    assert not osp.islink(copied)
    assert copied.read_bytes() == (
        tmp_path / 'raw' / 'images' / 'img3.jpg').read_bytes()
    assert not (tmp_path / 'out' / 'images' / 'img0.jpg').exists()
