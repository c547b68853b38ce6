# Copyright (c) mmir contributors. All rights reserved.
"""MSIP list converter on a tiny fake raw tree."""
import json
import os
import os.path as osp

import pytest

from mmir.datasets import DatasetError
from mmir.datasets.converters import msip
from .utils import image, read_list, run_main


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


def test_msip_tool(msip_root, monkeypatch, capsys):
    out = run_main('msip', [msip_root, '--sources', 'aerial', 'lasher'],
                   monkeypatch, capsys)
    assert 'aerial: 3  (paper: 5523)' in out
    assert 'total: 5' in out
    with pytest.raises(SystemExit):
        run_main('msip', [msip_root, '--source-dir', 'nope'], monkeypatch,
                 capsys)
    assert 'SOURCE=DIR' in capsys.readouterr().err
