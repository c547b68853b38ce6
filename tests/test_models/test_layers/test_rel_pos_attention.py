# Copyright (c) mmir contributors. All rights reserved.
"""AdapterViT's windowed attention and relative positions."""
import pytest
import torch
from mmpretrain.models.utils import MultiheadAttention, resize_pos_embed

from mmir.checkpoint.strict_pretrained import StrictPretrainedInit
from mmir.models import AdapterViT
from mmir.models.layers import RelPosAttention

ARCH = dict(embed_dims=32, num_layers=3, num_heads=2, feedforward_channels=64)
VITDET = dict(
    with_cls_token=False,
    out_type='featmap',
    window_size=4,
    global_attn_indices=(1, ),
    rel_pos='decomposed')


def build(**kwargs):
    """A tiny AdapterViT (64 px, patch 8: an 8x8 grid), initialised."""
    kwargs.setdefault('drop_path_rate', 0.1)
    vit = AdapterViT(arch=ARCH, img_size=64, patch_size=8, **kwargs)
    vit.init_weights()
    return vit


def randomise(vit):
    """Non-zero relative positions, adapters and layer scales."""
    torch.manual_seed(1)
    for name, param in vit.named_parameters():
        if 'rel_pos' in name or '.adapter.' in name or 'gamma' in name:
            torch.nn.init.normal_(param, std=0.5)


def outputs(vit, x, seed=0):
    """Outputs in train mode (DropPath, dropout) from a fixed seed."""
    vit.train()
    torch.manual_seed(seed)
    return vit(x)


def test_windowed_vitdet_shapes_with_padding():
    vit = build(out_indices=(0, 2), **VITDET)
    tables = [tuple(layer.attn.rel_pos_h.shape) for layer in vit.layers]
    assert tables == [(7, 16), (15, 16), (7, 16)]
    assert [layer.attn.window_size for layer in vit.layers] == [4, 0, 4]
    randomise(vit)
    x = torch.randn(2, 3, 72, 56)  # a 9x7 grid: windows are padded
    outs = vit(x)
    assert [tuple(out.shape) for out in outs] == [(2, 32, 9, 7)] * 2
    outs[1].sum().backward()
    assert vit.layers[0].attn.rel_pos_h.grad.abs().sum() > 0
    assert vit.layers[1].attn.rel_pos_w.grad.abs().sum() > 0


def test_windows_attend_within_themselves():
    attn = MultiheadAttention(32, 2)
    windowed = RelPosAttention(attn, (8, 8), 'decomposed', window_size=4)
    single = RelPosAttention(attn, (4, 4), 'decomposed')
    torch.nn.init.normal_(windowed.rel_pos_h)
    torch.nn.init.normal_(windowed.rel_pos_w)
    single.load_state_dict(windowed.state_dict())
    x = torch.randn(2, 8, 8, 32)
    out = windowed.eval()(x.flatten(1, 2), (8, 8)).view(2, 8, 8, 32)
    for top in (0, 4):
        for left in (0, 4):
            window = x[:, top:top + 4, left:left + 4].flatten(1, 2)
            expected = single.eval()(window, (4, 4)).view(2, 4, 4, 32)
            torch.testing.assert_close(
                out[:, top:top + 4, left:left + 4], expected)


def test_one_window_over_the_grid_is_global_attention():
    plain = build(with_cls_token=False, out_type='featmap')
    windowed = build(with_cls_token=False, out_type='featmap', window_size=8)
    windowed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64)
    assert torch.equal(outputs(windowed, x)[0], outputs(plain, x)[0])


@pytest.mark.parametrize('rel_pos,options', [
    ('decomposed', dict(with_cls_token=False, out_type='featmap')),
    ('bias', dict(layer_scale_init_value=1.0, out_type='raw')),
])
def test_zero_relative_positions_change_nothing(rel_pos, options):
    plain = build(**options)
    model = build(rel_pos=rel_pos, **options)
    result = model.load_state_dict(plain.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert len(result.missing_keys) == 3 * (2 if rel_pos == 'decomposed'
                                            else 1)
    assert all('.attn.rel_pos' in key for key in result.missing_keys)
    x = torch.randn(2, 3, 64, 64)
    expected = outputs(plain, x)[0]
    # Equal but for rounding: the fused attention takes another kernel
    # when it gets a mask (the zero bias).
    torch.testing.assert_close(outputs(model, x)[0], expected)
    randomise(model)
    plain.load_state_dict(model.state_dict(), strict=False)
    assert not torch.allclose(outputs(model, x)[0], outputs(plain, x)[0])


def test_bias_needs_the_training_grid():
    vit = build(rel_pos='bias', out_type='raw')
    table = vit.layers[0].attn.rel_pos_bias.relative_position_bias_table
    assert table.shape == (15 * 15 + 3, 2)
    assert 'relative_position_index' not in str(list(vit.state_dict()))
    with pytest.raises(ValueError, match='sized for a'):
        vit(torch.randn(1, 3, 48, 48))


def test_mae_checkpoint_loads_into_the_windowed_backbone(tmp_path):
    source = AdapterViT(arch=ARCH, img_size=32, patch_size=8)  # 4x4 + CLS
    source.init_weights()
    torch.nn.init.normal_(source.pos_embed)
    path = str(tmp_path / 'pad.pth')
    torch.save(
        dict(state_dict={
            f'backbone.{k}': v
            for k, v in source.state_dict().items()
        }), path)
    vit = build(**VITDET)
    StrictPretrainedInit(
        path, prefix='backbone.', allow_missing=[r'\.rel_pos_[hw]$'])(vit)
    expected = resize_pos_embed(source.pos_embed[:, 1:], (4, 4), (8, 8),
                                'bicubic', 0)
    torch.testing.assert_close(vit.pos_embed, expected)
    own = vit.state_dict()
    for key, value in source.state_dict().items():
        if key.startswith('layers.'):
            assert torch.equal(own[key], value), key
    with pytest.raises(KeyError, match='rel_pos_h'):
        StrictPretrainedInit(path, prefix='backbone.')(build(**VITDET))


def test_invalid_options():
    with pytest.raises(ValueError, match='with_cls_token=False'):
        build(out_type='featmap', window_size=4)
    with pytest.raises(ValueError, match='with_cls_token=False'):
        build(rel_pos='decomposed')
    with pytest.raises(ValueError, match='with_cls_token=True'):
        build(with_cls_token=False, out_type='featmap', rel_pos='bias')
    with pytest.raises(ValueError, match='rel_pos must be'):
        build(rel_pos='absolute')
    with pytest.raises(ValueError, match='needs window_size'):
        build(with_cls_token=False, out_type='featmap',
              global_attn_indices=(1, ))
    with pytest.raises(NotImplementedError):
        build(**VITDET).forward_attention(torch.randn(1, 3, 64, 64), [0])


@pytest.mark.parametrize('rel_pos,options', [
    ('decomposed', VITDET),
    ('bias', dict(out_type='raw')),
])
def test_relative_positions_get_their_block_depth(rel_pos, options):
    vit = build(**dict(options, rel_pos=rel_pos))
    names = [n for n, _ in vit.named_parameters() if '.rel_pos' in n]
    assert len(names) == 3 * (2 if rel_pos == 'decomposed' else 1)
    for name in names:
        block = int(name.split('.')[1])
        assert vit.get_layer_depth(name) == (block + 1, 3 + 2)


def test_decomposed_bias_is_sams():
    from mmpretrain.models.backbones.vit_sam import add_decomposed_rel_pos
    attn = RelPosAttention(MultiheadAttention(32, 2), (4, 4), 'decomposed')
    torch.nn.init.normal_(attn.rel_pos_h)
    torch.nn.init.normal_(attn.rel_pos_w)
    q = torch.randn(2, 2, 15, 16)  # a 3x5 grid: the tables are resized
    expected = add_decomposed_rel_pos(
        torch.zeros(4, 15, 15), q.reshape(4, 15, 16), attn.rel_pos_h,
        attn.rel_pos_w, (3, 5), (3, 5))
    torch.testing.assert_close(
        attn.position_bias(q, (3, 5)), expected.view(2, 2, 15, 15))
