# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.models.utils import LayerNorm2d

from mmir.models import SimpleFPN


def test_vitdet_pyramid_of_a_stride16_map():
    neck = SimpleFPN(in_channels=32, out_channels=16)
    neck.init_weights()
    x = torch.randn(2, 32, 64, 64)
    outs = neck((x, ))
    # strides 4, 8, 16, 32 and the extra max-pooled 64 of a 1024 image
    assert [tuple(out.shape) for out in outs] == [(2, 16, 256, 256),
                                                 (2, 16, 128, 128),
                                                 (2, 16, 64, 64),
                                                 (2, 16, 32, 32),
                                                 (2, 16, 16, 16)]
    torch.testing.assert_close(outs[4], outs[3][..., ::2, ::2])
    assert [conv.conv.in_channels for conv in neck.lateral_convs] == [
        8, 16, 32, 32
    ]
    norms = [m for m in neck.modules() if isinstance(m, LayerNorm2d)]
    assert len(norms) == 1 + 2 * 4 and all(n.eps == 1e-6 for n in norms)
    outs[0].sum().backward()
    assert neck.stages[0][0].weight.grad.abs().sum() > 0


def test_options_and_mmdet_scope():
    from mmdet.registry import MODELS
    cfg = dict(
        type='mmir.SimpleFPN',
        in_channels=32,
        out_channels=8,
        scale_factors=(2.0, 1.0),
        num_outs=3,
        norm_cfg=dict(type='GN', num_groups=2))
    with DefaultScope.overwrite_default_scope('mmdet'):
        neck = MODELS.build(cfg)
        assert isinstance(MODELS.build(dict(cfg, norm_cfg=dict(
            type='LN2d'))).fpn_convs[0].norm, LayerNorm2d)
    outs = neck(torch.randn(1, 32, 8, 8))
    assert [tuple(out.shape) for out in outs] == [(1, 8, 16, 16),
                                                 (1, 8, 8, 8),
                                                 (1, 8, 4, 4)]
    with pytest.raises(ValueError, match='one map'):
        neck([torch.randn(1, 32, 8, 8)] * 2)
    with pytest.raises(ValueError, match='scale factors must be'):
        SimpleFPN(32, scale_factors=(3.0, ), num_outs=1)
    with pytest.raises(ValueError, match='num_outs'):
        SimpleFPN(32, num_outs=3)
