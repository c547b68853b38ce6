# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmir.models import VQTokenizer
from mmir.registry import MODELS

TINY = dict(vocab_size=32, code_dims=8, channels=(8, 16), downsample=4)


def build(**kwargs) -> VQTokenizer:
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmir'):
        tokenizer = MODELS.build(dict(type='mmir.VQTokenizer', **TINY,
                                      **kwargs))
    tokenizer.init_weights()
    return tokenizer


def images(batch: int = 2, height: int = 16, width: int = 24):
    torch.manual_seed(1)
    return torch.rand(batch, 3, height, width)


def direct_codes(tokenizer: VQTokenizer, x: torch.Tensor):
    """Encoder output and codebook as the docstring defines them: the
    encoder on ``2 x - 1``, both l2-normalised with ``l2_codes``."""
    features = tokenizer.encoder(2 * x - 1).double()
    codebook = tokenizer.codebook.double()
    if tokenizer.l2_codes:
        features = features / features.norm(dim=1, keepdim=True)
        codebook = codebook / codebook.norm(dim=1, keepdim=True)
    return features, codebook


def squared_distances(features, codebook):
    """(B, V, h, w) squared distances, by broadcasting differences."""
    diff = features[:, None] - codebook[None, :, :, None, None]
    return diff.pow(2).sum(dim=2)


@pytest.mark.parametrize('l2_codes', [True, False])
def test_encode_is_the_nearest_code(l2_codes):
    tokenizer = build(l2_codes=l2_codes)
    x = images()
    with torch.no_grad():
        # codes near encoder outputs, so that many are nearest somewhere
        raw = tokenizer.encoder(2 * x - 1).permute(0, 2, 3, 1).flatten(0, 2)
        tokenizer.codebook.copy_(raw[torch.randperm(len(raw))[:32]] +
                                 0.01 * torch.randn(32, 8))
        features, codebook = direct_codes(tokenizer, x)
        distances = squared_distances(features, codebook)
        logits = tokenizer.token_logits(x)
        ids = tokenizer.encode(x)
        train_ids = tokenizer.forward_train(x).ids
    assert logits.shape == (2, 32, 4, 6)
    torch.testing.assert_close(logits.double(), -distances, atol=1e-5,
                               rtol=1e-5)
    nearest = distances.argmin(dim=1)
    assert ids.dtype == torch.long
    assert torch.equal(ids, nearest)
    assert torch.equal(train_ids, nearest)
    assert nearest.unique().numel() > 8


def test_l2_logits_are_twice_the_cosine_minus_two():
    tokenizer = build()
    x = images()
    with torch.no_grad():
        raw = tokenizer.encoder(2 * x - 1)
        cosine = F.cosine_similarity(
            raw[:, None], tokenizer.codebook[None, :, :, None, None], dim=2)
        logits = tokenizer.token_logits(x)
    torch.testing.assert_close(logits, 2 * cosine - 2, atol=1e-5, rtol=0)


def test_decode_is_the_decoder_on_looked_up_codes():
    tokenizer = build()
    x = images()
    with torch.no_grad():
        ids = tokenizer.encode(x)
        decoded = tokenizer.decode(ids)
        codes = F.normalize(tokenizer.codebook, dim=1)[ids]  # (B, h, w, D)
        direct = tokenizer.decoder(codes.permute(0, 3, 1, 2))
        train = tokenizer.forward_train(x).reconstruction
    assert decoded.shape == x.shape
    assert decoded.min() >= 0 and decoded.max() <= 1
    assert torch.equal(decoded, direct)
    # the straight-through input equals the codes in value
    torch.testing.assert_close(train, decoded, atol=1e-6, rtol=0)


def test_decode_of_arbitrary_ids_has_the_grid_times_downsample():
    tokenizer = build()
    ids = torch.tensor([[[0, 31, 5], [7, 7, 2]]])
    with torch.no_grad():
        out = tokenizer.decode(ids)
    assert out.shape == (1, 3, 8, 12)
    assert out.min() >= 0 and out.max() <= 1


def test_losses_match_their_formulas():
    tokenizer = build()
    x = images()
    output = tokenizer.forward_train(x)
    with torch.no_grad():
        features, codebook = direct_codes(tokenizer, x)
        chosen = codebook[output.ids].permute(0, 3, 1, 2)
        expected = (chosen - features).pow(2).mean()
    torch.testing.assert_close(output.codebook_loss.double(), expected)
    torch.testing.assert_close(output.commitment_loss.double(), expected)
    torch.testing.assert_close(
        output.logits, tokenizer.token_logits(x), atol=0, rtol=0)


def grads(tokenizer: VQTokenizer, loss: torch.Tensor) -> dict:
    """Gradient norms of the encoder, codebook and decoder from ``loss``."""
    tokenizer.zero_grad(set_to_none=True)
    loss.backward()

    def norm(params):
        return sum(p.grad.abs().sum().item() for p in params
                   if p.grad is not None)

    return dict(
        encoder=norm(tokenizer.encoder.parameters()),
        codebook=norm([tokenizer.codebook]),
        decoder=norm(tokenizer.decoder.parameters()))


def test_gradients_take_the_vq_vae_routes():
    tokenizer = build()
    x = images()
    # reconstruction: straight through to the encoder, not to the codebook
    routes = grads(tokenizer, tokenizer.forward_train(x).reconstruction.sum())
    assert routes['encoder'] > 0 and routes['decoder'] > 0
    assert routes['codebook'] == 0
    # codebook loss: the codebook only, on the chosen rows only
    output = tokenizer.forward_train(x)
    routes = grads(tokenizer, output.codebook_loss)
    assert routes['codebook'] > 0
    assert routes['encoder'] == routes['decoder'] == 0
    used = torch.zeros(32, dtype=torch.bool)
    used[output.ids.unique()] = True
    row_grads = tokenizer.codebook.grad.abs().sum(dim=1)
    assert (row_grads[~used] == 0).all() and (row_grads[used] > 0).all()
    # commitment loss: the encoder only
    routes = grads(tokenizer, tokenizer.forward_train(x).commitment_loss)
    assert routes['encoder'] > 0
    assert routes['codebook'] == routes['decoder'] == 0


def test_straight_through_gradient_is_the_decoder_input_gradient():
    tokenizer = build()
    x = images()
    features = tokenizer.embed(x)
    features.retain_grad()
    ids = tokenizer.token_logits(x).argmax(dim=1)
    codes = F.normalize(tokenizer.codebook, dim=1)[ids].permute(0, 3, 1, 2)
    codes = codes.detach().requires_grad_()
    tokenizer.decoder(codes).sum().backward()
    # forward_train's straight-through path gives the encoder output the
    # gradient the decoder input gets
    straight = features + (codes - features).detach()
    tokenizer.decoder(straight).sum().backward()
    torch.testing.assert_close(features.grad, codes.grad)


@pytest.mark.parametrize(
    'shape, match',
    [((2, 1, 16, 16), r'\(B, 3, H, W\).*\(2, 1, 16, 16\)'),
     ((3, 16, 16), r'\(B, 3, H, W\).*\(3, 16, 16\)'),
     ((2, 3, 18, 16), r'18x16 is not divisible by .* 4'),
     ((2, 3, 16, 10), r'16x10 is not divisible by .* 4')])
def test_bad_images_are_refused(shape, match):
    tokenizer = build()
    for method in (tokenizer.token_logits, tokenizer.encode,
                   tokenizer.forward_train):
        with pytest.raises(ValueError, match=match):
            method(torch.rand(shape))


def test_one_channel_tokenizer_refuses_three_channels():
    tokenizer = build(in_channels=1)
    assert tokenizer.decode(torch.zeros(1, 2, 2, dtype=torch.long)).shape \
        == (1, 1, 8, 8)
    with pytest.raises(ValueError, match=r'\(B, 1, H, W\)'):
        tokenizer.encode(torch.rand(1, 3, 8, 8))


def test_downsample_must_match_the_stages():
    with pytest.raises(ValueError, match=r'2 stages \(8, 16\) give 4, got 8'):
        VQTokenizer(vocab_size=8, code_dims=4, channels=(8, 16),
                    downsample=8)
