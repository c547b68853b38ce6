# Copyright (c) mmir contributors. All rights reserved.
"""UNIP students of the authors, converted, reproduce an independent
timm-style forward."""
import argparse
import os

import pytest
import torch

from mmir.checkpoint.formats import unip_to_mmir
from ...conftest import REPO, run_tool
from .vit_reference import check_forward, load_student, timm_weights, vit


def test_unip_to_mmir_reproduces_the_authors_forward(tmp_path):
    heads = [2, 2, 4]
    weights = timm_weights(32, heads)
    src = str(tmp_path / 'unip.pth')
    # as the authors' main_pretrain.py saves it, arguments included
    torch.save(
        dict(model=weights, epoch=99, args=argparse.Namespace(lr=1e-3)),
        src)
    dst = str(tmp_path / 'out' / 'unip_mmir.pth')
    unip_to_mmir(src, dst, last_heads=4)

    converted = torch.load(dst, weights_only=True)
    assert converted['meta']['last_heads'] == 4
    assert converted['meta']['source'] == src
    assert len(converted['state_dict']) == len(weights)
    assert all(k.startswith('backbone.') for k in converted['state_dict'])
    assert 'backbone.ln1.weight' in converted['state_dict']

    model = vit(32, heads)
    load_student(model, dst)
    check_forward(model, weights, heads)
    # the head count matters: regrouping the last block changes the output
    regrouped = vit(32, [2, 2, 2])
    load_student(regrouped, dst)
    with pytest.raises(AssertionError):
        check_forward(regrouped, weights, heads)


def test_strict_pretrained_init_cfg_keeps_converted_weights(tmp_path):
    src, dst = str(tmp_path / 'unip.pth'), str(tmp_path / 'mmir.pth')
    torch.save(dict(model=timm_weights(32, [2, 4])), src)
    converted = unip_to_mmir(src, dst, last_heads=4)['state_dict']
    model = vit(
        32, [2, 4],
        init_cfg=dict(
            type='mmir.StrictPretrained', checkpoint=dst,
            prefix='backbone.'))
    model.init_weights()
    for key, value in model.state_dict().items():
        assert torch.equal(value, converted[f'backbone.{key}']), key


def test_inputs_without_vit_weights_are_refused(tmp_path):
    path = str(tmp_path / 'resnet.pth')
    torch.save(dict(state_dict={'conv1.weight': torch.ones(1)}), path)
    with pytest.raises(KeyError, match='resnet.pth'):
        unip_to_mmir(path, str(tmp_path / 'out.pth'))
    nested = str(tmp_path / 'encoder.pth')
    torch.save({f'encoder.{k}': v
                for k, v in timm_weights(32, [2]).items()}, nested)
    with pytest.raises(KeyError, match='encoder.pth: block keys'):
        unip_to_mmir(nested, str(tmp_path / 'out.pth'))
    assert not os.path.exists(tmp_path / 'out.pth')


def test_command_line_tool(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    authors = str(tmp_path / 'authors.pth')
    weights = timm_weights(32, [2, 4])
    torch.save(dict(model=weights), authors)
    out = run_tool([
        'tools/model_converters/unip_to_mmir.py', authors,
        str(tmp_path / 'a.pth'), '--last-heads', '4'
    ], env=env).stdout
    assert f'{len(weights)} tensors' in out and 'timm_vit' in out
    assert 'last-block heads: 4' in out
