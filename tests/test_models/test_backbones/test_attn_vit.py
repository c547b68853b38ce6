# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch

from mmir.models import AttnViT

ARCH = dict(embed_dims=32, num_layers=3, num_heads=2, feedforward_channels=64)


def build(**kwargs):
    vit = AttnViT(arch=ARCH, img_size=32, patch_size=8, **kwargs)
    vit.init_weights()
    vit.eval()
    return vit


def test_logits_match_explicit_attention():
    vit = build()
    x = torch.randn(2, 3, 32, 32)
    logits = vit.forward_attention(x, [0, 2])
    assert [tuple(t.shape) for t in logits] == [(2, 2, 17, 17)] * 2
    tokens, _ = vit.embed(x)
    layer = vit.layers[0]
    qkv = layer.attn.qkv(layer.ln1(tokens)).reshape(2, 17, 3, 2, 16)
    q, k = qkv[:, :, 0].transpose(1, 2), qkv[:, :, 1].transpose(1, 2)
    expected = q @ k.transpose(-2, -1) / 4.0
    torch.testing.assert_close(logits[0], expected)
    # the attention the fused forward applies is the softmax of these
    v = qkv[:, :, 2].transpose(1, 2)
    out = (expected.softmax(-1) @ v).transpose(1, 2).reshape(2, 17, 32)
    torch.testing.assert_close(
        layer.attn(layer.ln1(tokens)), layer.attn.proj(out), rtol=1e-4,
        atol=1e-5)


def test_blocks_after_the_last_requested_do_not_run():
    vit = build()
    calls = []
    for i, layer in enumerate(vit.layers):
        layer.register_forward_hook(lambda *a, i=i: calls.append(i))
        layer.ffn.register_forward_hook(
            lambda *a, i=i: calls.append(f'ffn{i}'))
    vit.forward_attention(torch.randn(1, 3, 32, 32), [1])
    assert calls == ['ffn0', 0]


def test_last_heads_and_constant_drop_path():
    vit = build(last_heads=4, drop_path_mode='constant', drop_path_rate=0.1)
    assert [layer.attn.num_heads for layer in vit.layers] == [2, 2, 4]
    assert [layer.attn.out_drop.drop_prob for layer in vit.layers] == [0.1] * 3
    logits = vit.forward_attention(torch.randn(1, 3, 32, 32), [-1])[0]
    assert logits.shape == (1, 4, 17, 17)
    linear = build(drop_path_rate=0.1)
    assert [layer.attn.out_drop.drop_prob for layer in linear.layers
            ][0] == 0.0


def test_sincos_position_embedding_is_fixed():
    vit = build(pos_embed_type='sincos')
    assert not vit.pos_embed.requires_grad
    assert torch.all(vit.pos_embed[0, 0] == 0)
    assert vit.pos_embed[0, 1:].abs().sum() > 0
    assert vit.pos_embed.max() <= 1.0 and vit.pos_embed.min() >= -1.0


@pytest.mark.parametrize('kwargs', [
    dict(last_heads=5),
    dict(pos_embed_type='rope'),
    dict(drop_path_mode='cosine'),
])
def test_bad_options(kwargs):
    with pytest.raises(ValueError):
        AttnViT(arch=ARCH, img_size=32, patch_size=8, **kwargs)


def test_xavier_init_scheme_is_maes():
    torch.manual_seed(0)
    vit = AttnViT(
        arch=dict(ARCH, embed_dims=64),
        img_size=32,
        patch_size=8,
        init_scheme='xavier')
    vit.init_weights()
    linears = [m for m in vit.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 3 * 4
    for linear in linears:
        fan_out, fan_in = linear.weight.shape
        bound = (6 / (fan_in + fan_out))**0.5
        assert linear.weight.abs().max() <= bound
        assert linear.weight.std().item() == pytest.approx(
            bound / 3**0.5, rel=0.1)
        assert torch.all(linear.bias == 0)
    for norm in [m for m in vit.modules()
                 if isinstance(m, torch.nn.LayerNorm)]:
        assert torch.all(norm.weight == 1) and torch.all(norm.bias == 0)
    # The patch embedding as a Linear: fan-out 64, not 64 * 8 * 8.
    kernel = vit.patch_embed.projection.weight
    bound = (6 / (3 * 8 * 8 + 64))**0.5
    assert kernel.abs().max() <= bound
    assert kernel.std().item() == pytest.approx(bound / 3**0.5, rel=0.1)
    assert vit.cls_token.std().item() == pytest.approx(0.02, rel=0.3)


def test_unknown_init_scheme_is_refused():
    with pytest.raises(ValueError, match='init_scheme'):
        build(init_scheme='kaiming')
