# Copyright (c) mmir contributors. All rights reserved.
"""SODA: palette labels become ids; images may be linked."""
import os.path as osp

import numpy as np

from mmir.datasets.converters import soda
from .utils import fake_soda, label_map, read


def test_soda_palette_labels_become_ids(tmp_path):
    fake_soda(str(tmp_path / 'raw'))
    dst = str(tmp_path / 'soda')
    summary = soda.convert(str(tmp_path / 'raw'), dst, link='symlink')
    out = osp.join(dst, 'InfraredSemanticLabel')
    assert summary['splits'] == {
        'train_infrared.txt': 2, 'test_infrared.txt': 1}
    assert summary['unlisted'] == 0
    assert open(osp.join(out, 'train_infrared.txt')).read() == 'a\nb\n'
    label = read(osp.join(out, 'SegmentationClassPNG', 'b.png'))
    assert label.ndim == 2 and np.array_equal(label, label_map(1, 21))
    image = osp.join(out, 'JPEGImages', 'c.jpg')
    assert osp.islink(image) and np.array_equal(read(image).shape, (16, 16))
