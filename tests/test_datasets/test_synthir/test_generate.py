# Copyright (c) mmir contributors. All rights reserved.
"""SynthIR generation is deterministic and writes the radiometric
images, meta.json and split lists that partition the images."""
import glob
import json
import os.path as osp

import cv2
import numpy as np

from mmir.datasets import SYNTHIR_CLASSES
from mmir.datasets.synthir import generate_synthir


def tree_bytes(root):
    files = sorted(glob.glob(osp.join(root, '**', '*.*'), recursive=True))
    return {osp.relpath(f, root): open(f, 'rb').read() for f in files}


def test_same_seed_same_bytes(tmp_path):
    generate_synthir(str(tmp_path / 'a'), num_images=8, seed=5)
    generate_synthir(str(tmp_path / 'b'), num_images=8, seed=5)
    generate_synthir(str(tmp_path / 'c'), num_images=8, seed=6)
    a, b = tree_bytes(tmp_path / 'a'), tree_bytes(tmp_path / 'b')
    assert len(a) > 8 * 4 and a == b
    c = tree_bytes(tmp_path / 'c')
    assert a['radiometric/00000.png'] != c['radiometric/00000.png']


def test_radiometric_png_round_trip(synthir_root):
    img = cv2.imread(
        osp.join(synthir_root, 'radiometric', '00000.png'),
        cv2.IMREAD_UNCHANGED)
    assert img.dtype == np.uint16 and img.shape == (64, 80)


def test_splits_partition_the_images(synthir_root):
    meta = json.load(open(osp.join(synthir_root, 'meta.json')))
    assert meta['classes'] == list(SYNTHIR_CLASSES)
    assert sum(meta['splits'].values()) == 30

    def read(path):
        return open(osp.join(synthir_root, path)).read().split()

    train, val, test = (read(f'mfnet/{s}.txt') for s in ('train', 'val',
                                                          'test'))
    assert len(set(train) | set(val) | set(test)) == 30
    assert not set(train) & set(test)
    assert sorted(read('mfnet/val_test.txt')) == sorted(val + test)
    soda = 'soda/InfraredSemanticLabel'
    assert sorted(read(f'{soda}/train_infrared.txt')) == sorted(train + val)
