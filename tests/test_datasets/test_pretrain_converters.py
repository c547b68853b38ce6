# Copyright (c) mmir contributors. All rights reserved.
"""MSIP and InfMix list converters on tiny fake raw trees."""
import glob
import importlib.util
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

from mmir.datasets import DatasetError, generate_synthir
from mmir.datasets.converters import infmix, msip
from mmir.datasets.converters.pretrain_common import natural_key
from ..conftest import REPO


def image(path: str, value: int = 128) -> str:
    """Write an 8x8 grey image of constant ``value``; return its path."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, np.full((8, 8), value, np.uint8))
    return path


def read_list(path: str) -> list:
    """The ``(tag, path)`` pairs of a list file."""
    with open(path) as f:
        return [tuple(line.split()) for line in f]


@pytest.fixture
def msip_root(tmp_path) -> str:
    """One folder per MSIP source, in its release layout."""
    root = str(tmp_path / 'msip')
    for i in range(1, 4):
        image(f'{root}/dronevehicle/train/trainimgr/{i:05d}.jpg')
    image(f'{root}/dronevehicle/train/trainimg/00001.jpg')
    # Frames 1..25 of one video: every 10th keeps 1, 11, 21 (numeric
    # order); 11 has max 20 (dark, dropped), 21 max 21 (kept).
    video = f'{root}/scut_fir_pedestrian/set00/V000'
    for i in range(1, 26):
        image(f'{video}/{i}.png', {11: 20, 21: 21}.get(i, 200))
    for i in range(1, 6):
        image(f'{root}/scut_fir_pedestrian/set00/V001/{i}.png')
    for i in (10001, 10002):
        image(f'{root}/llvip/infrared/train/{i:06d}.jpg')
        image(f'{root}/llvip/visible/train/{i:06d}.jpg')
    for i in range(5):
        image(f'{root}/aerial/{i}.jpg')
    for i in range(2):
        image(f'{root}/ship/{i}.jpg')
    image(f'{root}/security/0.jpg')
    seq = f'{root}/lsotb_tir/TrainingData/TIR_training_001/airplane_H_001'
    for i in range(1, 13):
        image(f'{seq}/{i:08d}.jpg')
    for i in range(1, 12):
        image(f'{root}/lasher/TrainingSet/trainingset/seqA/infrared/'
              f'i{i:05d}.jpg')
        image(f'{root}/lasher/TrainingSet/trainingset/seqA/visible/'
              f'v{i:05d}.jpg')
    return root


def test_msip_rules_and_counts(msip_root):
    summary = msip.convert(msip_root)
    assert summary['counts'] == dict(
        dronevehicle=3, scut_fir_pedestrian=3, llvip=2, aerial=3, ship=2,
        security=1, lsotb_tir=2, lasher=2)
    assert summary['total'] == 18
    assert summary['paper_counts']['lasher'] == 51843
    entries = read_list(osp.join(msip_root, 'msip.txt'))
    assert len(entries) == 18
    paths = {tag: [p for t, p in entries if t == tag] for tag, _ in entries}
    assert paths['scut_fir_pedestrian'] == [
        'scut_fir_pedestrian/set00/V000/1.png',
        'scut_fir_pedestrian/set00/V000/21.png',
        'scut_fir_pedestrian/set00/V001/1.png'
    ]
    assert [osp.basename(p) for p in paths['aerial']] == [
        '0.jpg', '2.jpg', '4.jpg'
    ]
    assert [osp.basename(p) for p in paths['lasher']] == [
        'i00001.jpg', 'i00011.jpg'
    ]
    assert [osp.basename(p) for p in paths['lsotb_tir']] == [
        '00000001.jpg', '00000011.jpg'
    ]
    assert all('/visible/' not in p for _, p in entries)
    assert all('/trainimg/' not in p for _, p in entries)
    assert all(osp.isfile(osp.join(msip_root, p)) for _, p in entries)
    with open(osp.join(msip_root, 'msip_counts.json')) as f:
        assert json.load(f)['counts'] == summary['counts']


def test_msip_sources_and_dirs(msip_root, tmp_path):
    image(str(tmp_path / 'elsewhere/a.jpg'))
    out = str(tmp_path / 'lists/some.txt')
    summary = msip.convert(
        msip_root, out, sources=['ship', 'security'],
        source_dirs=dict(security=str(tmp_path / 'elsewhere')))
    assert summary['counts'] == dict(ship=2, security=1)
    assert read_list(out)[-1] == ('security', '../elsewhere/a.jpg')
    with pytest.raises(KeyError, match='flir'):
        msip.convert(msip_root, sources=['flir'])


def test_msip_reports_missing_and_unreadable(msip_root):
    os.rename(f'{msip_root}/ship', f'{msip_root}/ships')
    with pytest.raises(DatasetError, match='ship'):
        msip.convert(msip_root)
    video = f'{msip_root}/scut_fir_pedestrian/set00/V000'
    for name in ('1.png', '21.png'):
        with open(f'{video}/{name}', 'w') as f:
            f.write('not an image')
    with pytest.raises(DatasetError) as err:
        msip.convert(msip_root, sources=['scut_fir_pedestrian'])
    assert '2 problems' in str(err.value)
    assert 'V000/1.png' in str(err.value)
    assert 'V000/21.png' in str(err.value)
    assert not osp.exists(f'{msip_root}/msip.txt')


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


def test_natural_key():
    names = ['10.jpg', '9.jpg', 'i0010.jpg', 'i0009.jpg', '1.jpg']
    assert sorted(names, key=natural_key) == [
        '1.jpg', '9.jpg', '10.jpg', 'i0009.jpg', 'i0010.jpg'
    ]


def run_main(tool: str, args: list, monkeypatch, capsys) -> str:
    """Run ``tools/dataset_converters/<tool>.py`` in-process; its stdout."""
    path = osp.join(REPO, 'tools', 'dataset_converters', f'{tool}.py')
    spec = importlib.util.spec_from_file_location(f'{tool}_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    module.main()
    return capsys.readouterr().out


@pytest.mark.parametrize('tool', ['msip', 'infmix'])
def test_tools_synthir_mode(tool, tmp_path, monkeypatch, capsys):
    root = str(tmp_path / 'synthir')
    generate_synthir(root, num_images=4, height=16, width=16,
                     layouts=('soda', ))
    out = run_main(tool, [root, '--synthir'], monkeypatch, capsys)
    assert 'synthir: 4' in out
    entries = read_list(f'{root}/lists/{tool}_synthir.txt')
    assert entries[0] == (
        'synthir', 'soda/InfraredSemanticLabel/JPEGImages/00000.jpg')
    assert len(entries) == 4
    assert osp.isfile(f'{root}/lists/{tool}_synthir_counts.json')


def test_msip_tool(msip_root, monkeypatch, capsys):
    out = run_main('msip', [msip_root, '--sources', 'aerial', 'lasher'],
                   monkeypatch, capsys)
    assert 'aerial: 3  (paper: 5523)' in out
    assert 'total: 5' in out
    with pytest.raises(SystemExit):
        run_main('msip', [msip_root, '--source-dir', 'nope'], monkeypatch,
                 capsys)
    assert 'SOURCE=DIR' in capsys.readouterr().err


def test_infmix_tool(infmix_root, monkeypatch, capsys):
    out = run_main('infmix', [infmix_root, '--per-class', '1'],
                   monkeypatch, capsys)
    assert 'in1k: 2  (paper: 200000)' in out
    assert 'infpre_datasets/ds_a: 3' in out
    assert "excluded: ['MFNet', 'SCUT-Seg', 'SODA']" in out
