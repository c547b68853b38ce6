# Copyright (c) mmir contributors. All rights reserved.
"""What the pre-training list converters share: natural order and the
SynthIR list."""
import os.path as osp

import pytest

from mmir.datasets import generate_synthir
from mmir.datasets.converters.pretrain_common import natural_key
from .utils import read_list, run_main


def test_natural_key():
    names = ['10.jpg', '9.jpg', 'i0010.jpg', 'i0009.jpg', '1.jpg']
    assert sorted(names, key=natural_key) == [
        '1.jpg', '9.jpg', '10.jpg', 'i0009.jpg', 'i0010.jpg'
    ]


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
