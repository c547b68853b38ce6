# Copyright (c) mmir contributors. All rights reserved.
"""Bad input stops the tools with an error naming the file or key."""
import os
import os.path as osp
import shutil

from ..conftest import DEMO_CONFIG, run_tool
from .utils import fast_options


def test_unknown_cfg_option_is_named(synthir_root, tmp_path):
    out = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                    str(tmp_path)] + fast_options(synthir_root, 2) +
                   ['train_dataloader.batch_sise=4'],
                   check=False)
    assert out.returncode != 0
    assert 'train_dataloader.batch_sise' in out.stderr
    assert 'does not exist' in out.stderr


def copy_soda(synthir_root, tmp_path):
    root = str(tmp_path / 'synthir')
    shutil.copytree(
        osp.join(synthir_root, 'soda'), osp.join(root, 'soda'))
    return root, osp.join(root, 'soda/InfraredSemanticLabel')


def test_corrupt_image_is_named(synthir_root, tmp_path):
    root, soda = copy_soda(synthir_root, tmp_path)
    stem = open(osp.join(soda, 'train_infrared.txt')).read().split()[0]
    bad = osp.join(soda, 'JPEGImages', stem + '.jpg')
    with open(bad, 'wb') as f:
        f.write(b'not a jpeg at all')
    out = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                    str(tmp_path / 'work')] + fast_options(root, 20),
                   check=False)
    assert out.returncode != 0
    assert bad in out.stderr


def test_image_without_mask_is_named(synthir_root, tmp_path):
    root, soda = copy_soda(synthir_root, tmp_path)
    stem = open(osp.join(soda, 'train_infrared.txt')).read().split()[-1]
    mask = osp.join(soda, 'SegmentationClassPNG', stem + '.png')
    os.remove(mask)
    out = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                    str(tmp_path / 'work')] + fast_options(root, 2),
                   check=False)
    assert out.returncode != 0
    assert mask in out.stderr
