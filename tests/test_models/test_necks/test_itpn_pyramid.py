# Copyright (c) mmir contributors. All rights reserved.
"""iTPNPyramid and iTPNDecoder: unit independence, the top-down sums and
the restored order of the decoder's sequences."""
import torch

from mmir.models import iTPNDecoder, iTPNPyramid


def stages(units: int, width: int = 64, batch: int = 2) -> tuple:
    torch.manual_seed(0)
    return (torch.randn(batch, units, 4, 4, width // 4),
            torch.randn(batch, units, 2, 2, width // 2),
            torch.randn(batch, units, width))


def pyramid() -> iTPNPyramid:
    torch.manual_seed(1)
    model = iTPNPyramid(embed_dims=64, fpn_dim=32, fpn_depth=2)
    model.init_weights()
    return model.eval()


def test_levels_follow_the_top_down_path():
    model = pyramid()
    stage1, stage2, stage3 = stages(5)
    p16, p8, p4 = model((stage1, stage2, stage3))
    top = stage3[:, :, None, None, :]
    assert torch.allclose(
        p16, model.fpn_modules[0](model.align_dim_16tofpn(top)), atol=1e-6)
    mid = model.block_16to8(
        model.split_16to8(top) + model.align_dim_16to8(stage2))
    assert torch.allclose(p8, model.fpn_modules[1](mid), atol=1e-6)
    low = model.block_8to4(
        model.split_8to4(mid) + model.align_dim_8to4(stage1))
    assert torch.allclose(p4, model.fpn_modules[2](low), atol=1e-6)
    assert [tuple(p.shape[2:]) for p in (p16, p8, p4)] == [(1, 1, 32),
                                                           (2, 2, 32),
                                                           (4, 4, 32)]


def test_split_puts_channel_groups_on_the_two_by_two_sub_tokens():
    model = pyramid()
    x = torch.randn(2, 3, 1, 1, 64)
    split = model.split_16to8(x)
    flat = model.split_16to8.reduction(model.split_16to8.norm(x))
    for a in range(2):
        for b in range(2):
            group = (a * 2 + b) * 32
            assert torch.equal(split[:, :, a, b],
                               flat[:, :, 0, 0, group:group + 32])


def test_units_never_mix():
    model = pyramid()
    full = stages(6)
    subset = [1, 4]
    part = tuple(s[:, subset] for s in full)
    for whole, some in zip(model(full), model(part)):
        assert torch.allclose(whole[:, subset], some, atol=1e-6)


def test_decoder_restores_image_order_with_mask_tokens():
    torch.manual_seed(2)
    decoder = iTPNDecoder(
        grid=(2, 2),
        fpn_dim=32,
        decoder_embed_dim=64,
        decoder_depth=1,
        decoder_num_heads=4)
    decoder.init_weights()
    # two of four units visible, in the order 3, 0
    ids_restore = torch.tensor([[1, 2, 3, 0]])
    levels = [torch.randn(1, 2, s, s, 32) for s in (1, 2, 4)]
    sequences = decoder.embed(levels, ids_restore)
    for level, layer, sequence in zip(levels, decoder.decoder_embed,
                                      sequences):
        embedded = layer(level).reshape(1, 2, -1)
        assert torch.equal(sequence[0, 3], embedded[0, 0])
        assert torch.equal(sequence[0, 0], embedded[0, 1])
        for unit in (1, 2):
            assert torch.equal(sequence[0, unit], decoder.mask_token[0, 0])
    pred = decoder(sequences, (2, 2))
    assert pred.shape == (1, 4, 16 * 16 * 3)
