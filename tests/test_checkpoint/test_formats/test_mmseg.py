# Copyright (c) mmir contributors. All rights reserved.
"""An mmir NMI-HAD checkpoint exports its student for mmseg."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer

from mmir.checkpoint.formats import config_last_heads, mmir_to_mmseg
from mmir.registry import MODELS
from ...conftest import REPO, run_tool
from .vit_reference import STUDENT, build_nmi_had, load_student, timm_weights


def test_mmir_to_mmseg_keeps_the_student(tmp_path):
    model = build_nmi_had()
    cfg = Config(
        dict(
            model=dict(
                type='NMIHAD',
                backbone=dict(type='AttnViT', last_heads=4),
                teacher=dict(type='AttnViT', arch='large'))))
    src, dst = str(tmp_path / 'epoch_1.pth'), str(tmp_path / 'student.pth')
    # mmengine's meta also holds numpy scalars and a HistoryBuffer
    meta = dict(
        cfg=cfg.pretty_text, seed=np.int64(1), loss=HistoryBuffer([0.5], [1]))
    torch.save(dict(state_dict=model.state_dict(), meta=meta), src)
    meta = mmir_to_mmseg(src, dst)['meta']
    assert meta['last_heads'] == 4
    assert 'backbone.teacher_block' not in meta['dropped_keys']
    assert 'teacher_block' in meta['dropped_keys']

    converted = torch.load(dst, weights_only=True)['state_dict']
    assert set(converted) == {
        f'backbone.{k}'
        for k in model.backbone.state_dict()
    }
    student = MODELS.build(dict(STUDENT, type='mmir.AttnViT'))
    load_student(student, dst)
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(student.state_dict()[key], value), key

    torch.save(dict(state_dict=model.state_dict(), meta=dict()), src)
    assert 'last_heads' not in mmir_to_mmseg(src, dst)['meta']


def test_config_last_heads_reads_literals_only():
    assert config_last_heads("model = dict(backbone={'last_heads': 12})") \
        == 12
    assert config_last_heads('model = dict(backbone=dict(last_heads=h))') \
        is None
    assert config_last_heads('model = dict(teacher=dict(last_heads=4))') \
        is None
    assert config_last_heads('model = dict(backbone=dict(last_heads=True))') \
        is None
    assert config_last_heads('not python (') is None


def test_inputs_without_vit_weights_are_refused(tmp_path):
    path = str(tmp_path / 'resnet.pth')
    torch.save(dict(state_dict={'conv1.weight': torch.ones(1)}), path)
    with pytest.raises(KeyError, match='resnet.pth'):
        mmir_to_mmseg(path, str(tmp_path / 'out.pth'))
    assert not os.path.exists(tmp_path / 'out.pth')


def test_command_line_tool(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    model = build_nmi_had()
    mmir = str(tmp_path / 'mmir.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), mmir)
    out = run_tool([
        'tools/model_converters/mmir_to_mmseg.py', mmir,
        str(tmp_path / 's.pth')
    ], env=env).stdout
    assert f'{len(model.backbone.state_dict())} tensors' in out
    assert 'target_generator (' in out and 'teacher_block (1)' in out

    # a UNIP student of the authors has no ``backbone.`` weights
    authors = str(tmp_path / 'authors.pth')
    torch.save(dict(model=timm_weights(32, [2, 4])), authors)
    bad = run_tool([
        'tools/model_converters/mmir_to_mmseg.py', authors,
        str(tmp_path / 'bad.pth')
    ], env=env, check=False)
    assert bad.returncode != 0
    assert 'authors.pth' in bad.stderr and 'Traceback' not in bad.stderr
