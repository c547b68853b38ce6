# Copyright (c) mmir contributors. All rights reserved.
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters.rois import (filter_proposals, generate_rois,
                                           load_rois)

STEMS = ['00000', '00001', '00002', '00003']


@pytest.fixture
def thermal(synthir_root, tmp_path):
    """Four 16-bit SynthIR images in a PAD-like ``thermal/`` folder."""
    folder = tmp_path / 'thermal'
    folder.mkdir()
    for stem in STEMS:
        shutil.copy(
            osp.join(synthir_root, 'radiometric', stem + '.png'), folder)
    return str(folder)


def test_generate_rois_thresholds(thermal, tmp_path):
    out = str(tmp_path / 'roi')
    summary = generate_rois(thermal, out, workers=2)
    assert sorted(os.listdir(out)) == [s + '.txt' for s in STEMS]
    assert summary['images'] == 4 and summary['boxes'] > 0
    for stem in STEMS:
        height, width = cv2.imread(
            osp.join(thermal, stem + '.png'), cv2.IMREAD_UNCHANGED).shape
        boxes = load_rois(osp.join(out, stem + '.txt'))
        w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        assert (w >= 40).all() and (h >= 40).all() and (w * h >= 600).all()
        assert (w <= 3 * h).all() and (h <= 3 * w).all()
        assert (boxes[:, :2] >= 0).all()
        assert (boxes[:, 2] <= width).all() and (boxes[:, 3] <= height).all()
        assert len(np.unique(boxes, axis=0)) == len(boxes)
    serial = str(tmp_path / 'serial')
    generate_rois(thermal, serial, workers=0)
    for stem in STEMS:
        with open(osp.join(out, stem + '.txt')) as a, open(
                osp.join(serial, stem + '.txt')) as b:
            assert a.read() == b.read()


def test_unreadable_image_is_named(thermal, tmp_path):
    bad = osp.join(thermal, 'zz_bad.png')
    with open(bad, 'wb') as f:
        f.write(b'broken')
    with pytest.raises(DatasetError, match=bad):
        generate_rois(thermal, str(tmp_path / 'roi'), workers=0)
    assert len(os.listdir(tmp_path / 'roi')) == 4


def test_filter_proposals():
    rects = np.array([
        [0, 0, 40, 40],  # kept
        [0, 0, 40, 40],  # duplicate
        [5, 5, 39, 80],  # too narrow
        [5, 5, 40, 121],  # aspect above 3
        [5, 5, 120, 40],  # aspect exactly 3: kept
    ])
    np.testing.assert_array_equal(
        filter_proposals(rects), [[0, 0, 40, 40], [5, 5, 125, 45]])
    assert filter_proposals(np.zeros((0, 4))).shape == (0, 4)


def test_load_rois_missing_empty_and_malformed(tmp_path):
    for name, text in [('missing.txt', None), ('empty.txt', '')]:
        if text is not None:
            (tmp_path / name).write_text(text)
        boxes = load_rois(str(tmp_path / name))
        assert boxes.shape == (0, 4) and boxes.dtype == np.float32
    good = tmp_path / 'good.txt'
    good.write_text('1 2 50 60\n\n3 4 70 80\n')
    np.testing.assert_array_equal(
        load_rois(str(good)), [[1, 2, 50, 60], [3, 4, 70, 80]])
    for text in ('1 2 3\n', '1,2,3,4\n', '1 2 a 4\n', '10 2 5 4\n'):
        bad = tmp_path / 'bad.txt'
        bad.write_text('0 0 50 50\n' + text)
        with pytest.raises(DatasetError, match=f'{bad}:2: expected'):
            load_rois(str(bad))
