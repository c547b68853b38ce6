# Copyright (c) mmir contributors. All rights reserved.
import torch

from mmir.models import AttnViT, LLFPN


def test_levels_strides_and_channels():
    neck = LLFPN(embed_dim=32, norm_cfg=dict(type='BN'))
    last = torch.randn(2, 32, 4, 4)
    outs = neck([torch.randn(2, 32, 4, 4), last])
    assert [tuple(o.shape) for o in outs] == [(2, 32, 16, 16), (2, 32, 8, 8),
                                               (2, 32, 4, 4), (2, 32, 2, 2)]
    torch.testing.assert_close(outs[2], last)
    torch.testing.assert_close(outs[3], torch.nn.functional.max_pool2d(
        last, 2))


def test_only_the_last_map_is_used():
    neck = LLFPN(embed_dim=32, norm_cfg=dict(type='BN')).eval()
    last = torch.randn(1, 32, 4, 4)
    a = neck([torch.randn(1, 32, 4, 4), last])
    b = neck([torch.zeros(1, 32, 4, 4), last])
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y)


def test_on_a_vit_last_block_at_stride_16():
    vit = AttnViT(
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2,
            feedforward_channels=64),
        img_size=64,
        patch_size=16,
        out_indices=(1, ),
        out_type='featmap',
        final_norm=False)
    vit.init_weights()
    outs = LLFPN(embed_dim=32, norm_cfg=dict(type='BN'))(
        vit(torch.randn(2, 3, 64, 64)))
    assert [o.shape[-1] for o in outs] == [16, 8, 4, 2]  # strides 4..32
