# Copyright (c) mmir contributors. All rights reserved.
"""InfMix list converter on a tiny fake raw tree."""
import glob
import os
import os.path as osp

import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters import infmix
from .utils import image, read_list, run_main


@pytest.fixture
def infmix_root(tmp_path) -> str:
    """InfPre (with benchmark folders to exclude), IN-1K and COCO."""
    root = str(tmp_path / 'infmix')
    for i in (10, 2, 1):
        image(f'{root}/InfPre/ds_a/thermal/{i}.png')
    image(f'{root}/InfPre/ds_a/rgb/1.png')
    image(f'{root}/InfPre/ds_b/thermal/x.jpg')
    for name in ('SODA', 'MFNet', 'SCUT-Seg'):
        image(f'{root}/InfPre/{name}/thermal/1.jpg')
    for i in range(5):
        image(f'{root}/imagenet/train/n01/n01_{i}.JPEG')
    for i in range(2):
        image(f'{root}/imagenet/train/n02/n02_{i}.JPEG')
    for i in (100, 9, 25):
        image(f'{root}/coco/train2017/{i:012d}.jpg')
    return root


def test_infmix_rules_and_counts(infmix_root):
    summary = infmix.convert(infmix_root, per_class=3)
    assert summary['counts'] == dict(infpre=4, in1k=5, coco=3)
    assert summary['infpre_datasets'] == dict(ds_a=3, ds_b=1)
    assert summary['excluded'] == ['MFNet', 'SCUT-Seg', 'SODA']
    entries = read_list(osp.join(infmix_root, 'infmix.txt'))
    infpre = [p for t, p in entries if t == 'infpre']
    assert infpre[:3] == [f'InfPre/ds_a/thermal/{i}.png' for i in (1, 2, 10)]
    assert not any(n in p for _, p in entries for n in ('SODA', 'MFNet',
                                                       'SCUT', 'rgb'))
    globbed = glob.glob(f'{infmix_root}/imagenet/train/n01/*')
    assert [p for t, p in entries if t == 'in1k'][:3] == [
        osp.relpath(p, infmix_root) for p in globbed[:3]
    ]
    assert [osp.basename(p) for t, p in entries if t == 'coco'] == [
        f'{i:012d}.jpg' for i in (9, 25, 100)
    ]
    assert osp.isfile(osp.join(infmix_root, 'infmix_counts.json'))


def test_in1k_keeps_listing_order(infmix_root, monkeypatch):
    """The per-class cap takes the first files as listed, not sorted."""
    real = os.scandir

    class ReversedListing:

        def __init__(self, path):
            with real(path) as entries:
                self.entries = sorted(
                    entries, key=lambda e: e.name, reverse=True)

        def __enter__(self):
            return iter(self.entries)

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(os, 'scandir', ReversedListing)
    kept = infmix.list_in1k(f'{infmix_root}/imagenet/train', per_class=3)
    assert [osp.basename(p) for p in kept] == [
        'n01_4.JPEG', 'n01_3.JPEG', 'n01_2.JPEG', 'n02_1.JPEG', 'n02_0.JPEG'
    ]


def test_infmix_sources_and_problems(infmix_root):
    summary = infmix.convert(infmix_root, sources=['coco'])
    assert summary['counts'] == dict(coco=3)
    os.makedirs(f'{infmix_root}/InfPre/no_thermal/rgb')
    with pytest.raises(DatasetError, match='no_thermal: no thermal/'):
        infmix.convert(infmix_root)
    with pytest.raises(DatasetError, match='imagenet/val'):
        infmix.convert(infmix_root, source_dirs=dict(in1k='imagenet/val'))


def test_infmix_tool(infmix_root, monkeypatch, capsys):
    out = run_main('infmix', [infmix_root, '--per-class', '1'],
                   monkeypatch, capsys)
    assert 'in1k: 2  (paper: 200000)' in out
    assert 'infpre_datasets/ds_a: 3' in out
    assert "excluded: ['MFNet', 'SCUT-Seg', 'SODA']" in out
