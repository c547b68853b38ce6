# Copyright (c) mmir contributors. All rights reserved.
"""The DALL-E decoder against a direct computation of OpenAI's layout,
the token lookup against the one-hot convolution, and the tokenizer's
mappings, ranges and loading routes."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmir.models import DALLEDecoder, DALLETokenizer, ImageTokenizer
from mmir.registry import MODELS

VOCAB = 64
DECODER = dict(n_init=16, n_hid=8, n_blk_per_group=2, vocab_size=VOCAB)
ENCODER = dict(n_hid=8, n_blk_per_group=1, vocab_size=VOCAB)


def decoder(**kwargs) -> DALLEDecoder:
    torch.manual_seed(0)
    model = MODELS.build(dict(type='mmir.DALLEDecoder', **DECODER, **kwargs))
    with torch.no_grad():  # biases away from their zero init
        for name, param in model.named_parameters():
            if name.endswith('.b'):
                param.normal_(0, 0.3)
    return model


def tokenizer(**kwargs) -> DALLETokenizer:
    torch.manual_seed(1)
    return MODELS.build(
        dict(
            type='mmir.DALLETokenizer',
            encoder=dict(type='mmpretrain.DALL-E', **ENCODER),
            decoder=dict(type='mmir.DALLEDecoder', **DECODER),
            **kwargs))


def ids(size: int, batch: int = 2) -> torch.Tensor:
    return torch.randint(
        0, VOCAB, (batch, size, size),
        generator=torch.Generator().manual_seed(2))


def one_hot(token_ids: torch.Tensor) -> torch.Tensor:
    return F.one_hot(token_ids, VOCAB).permute(0, 3, 1, 2).float()


def direct_decoder(params: dict, x: torch.Tensor, n_blk: int) -> torch.Tensor:
    """OpenAI's decoder written out: input conv; four groups of blocks
    (identity, or a 1x1 conv where the width changes, plus relu-conv x4
    scaled by 1/(4 n_blk)**2), nearest x2 after the first three; relu and
    the output conv."""

    def conv(x, name):
        w = params[f'{name}.w']
        return F.conv2d(x, w, params[f'{name}.b'], padding=w.shape[-1] // 2)

    x = conv(x, 'blocks.input')
    for g in range(1, 5):
        for i in range(1, n_blk + 1):
            block = f'blocks.group_{g}.block_{i}'
            skip = conv(x, f'{block}.id_path') \
                if f'{block}.id_path.w' in params else x
            h = x
            for j in range(1, 5):
                h = conv(F.relu(h), f'{block}.res_path.conv_{j}')
            x = skip + h / (4 * n_blk)**2
        if g < 4:
            x = F.interpolate(x, scale_factor=2, mode='nearest')
    return conv(F.relu(x), 'blocks.output.conv')


def test_decoder_layout_has_openai_names_kernels_and_widths():
    shapes = {k: tuple(v.shape) for k, v in decoder().state_dict().items()}
    # group 1, block 1: 16 -> 64 (8 n_hid), hidden 16; kernels 1, 3, 3, 3
    assert shapes['blocks.input.w'] == (16, VOCAB, 1, 1)
    assert shapes['blocks.group_1.block_1.id_path.w'] == (64, 16, 1, 1)
    assert shapes['blocks.group_1.block_1.res_path.conv_1.w'] == \
        (16, 16, 1, 1)
    assert shapes['blocks.group_1.block_1.res_path.conv_2.w'] == \
        (16, 16, 3, 3)
    assert shapes['blocks.group_1.block_1.res_path.conv_4.w'] == \
        (64, 16, 3, 3)
    assert 'blocks.group_1.block_2.id_path.w' not in shapes
    assert shapes['blocks.group_4.block_1.id_path.w'] == (8, 16, 1, 1)
    assert shapes['blocks.group_4.block_2.res_path.conv_3.w'] == (2, 2, 3, 3)
    assert shapes['blocks.output.conv.w'] == (6, 8, 1, 1)
    assert shapes['blocks.output.conv.b'] == (6, )
    # input, output, 4 groups x 2 blocks x 4 convs, 4 identity convs
    assert len(shapes) == 2 * (2 + 4 * 2 * 4 + 4)


def test_decoder_is_openai_layout_from_14_to_112():
    model = decoder()
    x = one_hot(ids(14))
    with torch.no_grad():
        out = model(x)
        expected = direct_decoder(dict(model.named_parameters()), x, 2)
    assert out.shape == (2, 6, 112, 112)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


def test_residual_gain_counts_group_count_blocks():
    model = decoder(group_count=2)
    gains = {
        block.post_gain
        for name, block in model.named_modules() if name.endswith('block_1')
    }
    assert gains == {1 / (2 * 2)**2}


def test_token_lookup_equals_the_one_hot_convolution():
    model = decoder()
    token_ids = ids(6)
    with torch.no_grad():
        assert torch.equal(
            model.embed_tokens(token_ids),
            model.blocks.input(one_hot(token_ids)))
        torch.testing.assert_close(
            model.forward_token_ids(token_ids),
            model(one_hot(token_ids)),
            atol=1e-6,
            rtol=1e-6)


def test_decoder_refuses_a_map_of_another_vocabulary():
    with pytest.raises(ValueError, match=r'\(B, 64, h, w\).*\(1, 32, 2, 2\)'):
        decoder()(torch.zeros(1, 32, 2, 2))


def test_token_logits_map_the_pixels_and_encode_takes_the_argmax():
    model = tokenizer()
    assert isinstance(model, ImageTokenizer)
    assert (model.vocab_size, model.downsample) == (VOCAB, 8)
    images = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        logits = model.token_logits(images)
        torch.testing.assert_close(logits,
                                   model.encoder(0.8 * images + 0.1))
        token_ids = model.encode(images)
    assert logits.shape == (2, VOCAB, 4, 4)
    assert token_ids.dtype == torch.long and token_ids.shape == (2, 4, 4)
    assert torch.equal(token_ids, logits.argmax(1))


def test_decode_is_unmapped_sigmoid_of_the_first_three_statistics():
    model = tokenizer()
    with torch.no_grad():
        # push channel 0 below and channel 1 above the mapped range
        model.decoder.blocks.output.conv.b[:2] = torch.tensor([-8., 8.])
        token_ids = ids(4)
        images = model.decode(token_ids)
        stats = model.decoder(one_hot(token_ids))
    expected = torch.clamp(
        (torch.sigmoid(stats[:, :3]) - 0.1) / 0.8, min=0, max=1)
    assert images.shape == (2, 3, 32, 32) and images.dtype == torch.float32
    torch.testing.assert_close(images, expected, atol=1e-6, rtol=1e-6)
    assert images[:, 0].max() == 0 and images[:, 1].min() == 1
    assert 0 < images[:, 2].min() and images[:, 2].max() < 1


def test_vocabulary_mismatch_is_refused_at_build():
    with pytest.raises(ValueError, match='scores 32 tokens but the decoder '
                       'reads 64'):
        MODELS.build(
            dict(
                type='mmir.DALLETokenizer',
                encoder=dict(type='mmpretrain.DALL-E', n_hid=8,
                             vocab_size=32),
                decoder=dict(type='mmir.DALLEDecoder', **DECODER)))


def distinct(module: torch.nn.Module) -> dict:
    """The module's state moved off its initial values."""
    return {k: v + 0.5 for k, v in module.state_dict().items()}


def assert_loaded(module: torch.nn.Module, state: dict) -> None:
    loaded = module.state_dict()
    assert loaded.keys() == state.keys()
    assert all(torch.equal(loaded[k], v) for k, v in state.items())


def test_strict_pretrained_loads_a_converted_file(tmp_path):
    state = distinct(tokenizer())
    assert {k.split('.')[0] for k in state} == {'encoder', 'decoder'}
    path = str(tmp_path / 'dalle.pth')
    torch.save(dict(state_dict=state, meta=dict(source='test')), path)
    model = tokenizer(
        init_cfg=dict(type='mmir.StrictPretrained', checkpoint=path))
    model.init_weights()
    assert_loaded(model, state)


@pytest.mark.parametrize('route', ['Pretrained', 'mmir.StrictPretrained'])
def test_encoder_only_file_loads_onto_the_encoder(tmp_path, route):
    """mmpretrain's ``dalle_encoder.pth`` holds the encoder's own keys."""
    torch.manual_seed(3)
    encoder = MODELS.build(dict(type='mmpretrain.DALL-E', **ENCODER))
    state = distinct(encoder)
    path = str(tmp_path / 'dalle_encoder.pth')
    torch.save(state, path)
    model = MODELS.build(
        dict(
            type='mmir.DALLETokenizer',
            encoder=dict(
                type='mmpretrain.DALL-E',
                init_cfg=dict(type=route, checkpoint=path),
                **ENCODER),
            decoder=dict(type='mmir.DALLEDecoder', **DECODER)))
    decoder_before = {
        k: v.clone()
        for k, v in model.decoder.state_dict().items()
    }
    model.init_weights()
    assert_loaded(model.encoder, state)
    assert_loaded(model.decoder, decoder_before)


def test_no_own_initialisation():
    """Weights are drawn at construction (as OpenAI's); nothing re-draws
    them after a checkpoint is loaded."""
    for cls in (DALLEDecoder, DALLETokenizer):
        assert cls.init_weights is BaseModule.init_weights
