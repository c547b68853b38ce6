# Copyright (c) mmir contributors. All rights reserved.
import glob
import math
import os.path as osp

import mmcv
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import save_checkpoint
from mmpretrain.structures import DataSample

from mmir.models import VQTokenizer, VQTokenizerPretrain
from mmir.registry import MODELS

# The demo config's tokenizer (configs/cim/vq-tokenizer_conv-demo-...).
TOKENIZER = dict(
    type='mmir.VQTokenizer',
    vocab_size=256,
    code_dims=32,
    channels=(16, 32),
    downsample=4)
PIXELS_01 = dict(mean=[0.] * 3, std=[255.] * 3, to_rgb=True)
CROP = 32


def build(**kwargs):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(
            dict(
                type='mmir.VQTokenizerPretrain',
                tokenizer=dict(TOKENIZER, **kwargs.pop('tokenizer', {})),
                data_preprocessor=PIXELS_01,
                **kwargs))
    model.init_weights()
    return model


def build_tokenizer(**kwargs) -> VQTokenizer:
    with DefaultScope.overwrite_default_scope('mmir'):
        tokenizer = MODELS.build(dict(TOKENIZER, **kwargs))
    tokenizer.init_weights()
    return tokenizer


def read_frames(root: str) -> torch.Tensor:
    """SynthIR's 8-bit frames, gray on three channels, uint8 (N, 3, H, W)."""
    paths = sorted(
        glob.glob(
            osp.join(root, 'soda/InfraredSemanticLabel/JPEGImages/*.jpg')))
    gray = [torch.from_numpy(mmcv.imread(p, 'grayscale')) for p in paths]
    return torch.stack(gray)[:, None].expand(-1, 3, -1, -1).contiguous()


def reconstruction_mse(tokenizer: VQTokenizer, frames: torch.Tensor):
    """MSE (on [0, 1] pixels) of decode(encode(frames)), and the ids."""
    pixels = frames.float() / 255
    with torch.no_grad():
        ids = tokenizer.encode(pixels)
        return (tokenizer.decode(ids) - pixels).pow(2).mean().item(), ids


def test_tokenizer_reconstructs_synthir_better_than_chance(synthir_root):
    """The in-repo tokenizer reconstructs SynthIR better than chance after
    a short run (about 5 s on one thread)."""
    frames = read_frames(synthir_root)
    assert frames.shape == (30, 3, 64, 80)
    train, held_out = frames[:24], frames[24:]
    model = build()
    untrained, _ = reconstruction_mse(model.tokenizer, held_out)
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=2e-3))
    generator = torch.Generator().manual_seed(0)
    for _ in range(200):
        index = torch.randint(0, 24, (16, ), generator=generator)
        top = torch.randint(0, 64 - CROP + 1, (1, ), generator=generator)
        left = torch.randint(0, 80 - CROP + 1, (1, ), generator=generator)
        crops = train[index, :, top:top + CROP, left:left + CROP]
        model.train_step(
            dict(inputs=crops, data_samples=[DataSample()] * 16), optim)
    trained, ids = reconstruction_mse(model.tokenizer, held_out)
    pixels = held_out.float() / 255
    own_mean = (pixels - pixels.mean(dim=(1, 2, 3), keepdim=True)).pow(2)
    own_mean = own_mean.mean().item()
    assert trained < 0.25 * own_mean, (trained, own_mean)
    assert trained < 0.25 * untrained, (trained, untrained)
    # the entropy loss keeps codes in use (without it: a handful)
    assert ids.unique().numel() >= 32


def direct_entropy_loss(logits: torch.Tensor, temperature: float):
    """mean position entropy + log V - entropy of the mean, in float64."""
    probs = torch.softmax(logits.double() / temperature, dim=1)
    per_position = -(probs * probs.log()).sum(dim=1).mean()
    mean = probs.mean(dim=(0, 2, 3))
    return per_position + math.log(logits.shape[1]) + (mean *
                                                       mean.log()).sum()


@pytest.mark.parametrize('criterion', ['l1', 'l2'])
def test_loss_terms_match_their_formulas(criterion):
    model = build(reconstruction_loss=criterion, beta=0.5,
                  entropy_weight=0.1, entropy_temperature=0.2)
    torch.manual_seed(2)
    inputs = torch.rand(2, 3, 16, 16)
    losses = model(inputs, mode='loss')
    assert list(losses) == [
        'loss_rec', 'loss_vq', 'loss_entropy', 'code_perplexity'
    ]
    output = model.tokenizer.forward_train(inputs)
    error = output.reconstruction - inputs
    expected_rec = error.abs().mean() if criterion == 'l1' else \
        error.pow(2).mean()
    torch.testing.assert_close(losses['loss_rec'], expected_rec)
    torch.testing.assert_close(
        losses['loss_vq'],
        output.codebook_loss + 0.5 * output.commitment_loss)
    torch.testing.assert_close(
        losses['loss_entropy'].double(),
        0.1 * direct_entropy_loss(output.logits, 0.2))
    counts = torch.tensor(
        [(output.ids == code).sum().item() for code in range(256)],
        dtype=torch.float64)
    used = counts[counts > 0] / counts.sum()
    perplexity = math.exp(-(used * used.log()).sum().item())
    assert losses['code_perplexity'].item() == pytest.approx(perplexity)
    assert not losses['code_perplexity'].requires_grad


def test_entropy_loss_is_off_at_weight_zero():
    model = build(entropy_weight=0.0)
    losses = model(torch.rand(1, 3, 8, 8), mode='loss')
    assert set(losses) == {'loss_rec', 'loss_vq', 'code_perplexity'}


def test_tensor_mode_decodes_the_tokens():
    model = build()
    inputs = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        out = model(inputs)
        tokenizer = model.tokenizer
        expected = tokenizer.decode(tokenizer.encode(inputs))
    assert torch.equal(out, expected)
    with pytest.raises(RuntimeError, match='predict'):
        model(inputs, mode='predict')


def test_unknown_reconstruction_loss_is_refused():
    with pytest.raises(ValueError, match=r"\['l1', 'l2'\].*'huber'"):
        VQTokenizerPretrain(tokenizer=TOKENIZER, reconstruction_loss='huber')


@pytest.fixture
def checkpoint(tmp_path):
    """A trained-looking VQTokenizerPretrain checkpoint as the Runner writes
    it, and the model."""
    model = build()
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param))
    path = str(tmp_path / 'iter_300.pth')
    save_checkpoint({'meta': {}, 'state_dict': model.state_dict()}, path)
    return path, model


def test_checkpoint_loads_into_a_tokenizer(checkpoint):
    path, model = checkpoint
    keys = list(model.state_dict())
    assert keys and all(key.startswith('tokenizer.') for key in keys)
    tokenizer = build_tokenizer(init_cfg=dict(
        type='mmir.StrictPretrained', checkpoint=path, prefix='tokenizer.'))
    loaded = tokenizer.state_dict()
    trained = model.tokenizer.state_dict()
    assert set(loaded) == set(trained)
    for key, value in trained.items():
        assert torch.equal(loaded[key], value), key
    inputs = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.equal(tokenizer.encode(inputs),
                           model.tokenizer.encode(inputs))


def test_checkpoint_of_another_vocabulary_is_refused(checkpoint):
    path, _ = checkpoint
    with pytest.raises(KeyError) as error:
        build_tokenizer(
            vocab_size=512,
            init_cfg=dict(
                type='mmir.StrictPretrained',
                checkpoint=path,
                prefix='tokenizer.'))
    message = str(error.value)
    assert 'codebook' in message
    assert 'torch.Size([256, 32])' in message
    assert 'torch.Size([512, 32])' in message


def test_checkpoint_of_another_layout_is_refused(checkpoint):
    path, _ = checkpoint
    # a third stage: the layers shift, named with both shapes
    with pytest.raises(
            KeyError,
            match=r'encoder\.5\.weight: .*\[32, 32, 1, 1\].*'
            r'\[32, 32, 4, 4\]'):
        build_tokenizer(
            channels=(16, 32, 32),
            downsample=8,
            init_cfg=dict(
                type='mmir.StrictPretrained',
                checkpoint=path,
                prefix='tokenizer.'))
    # the whole model's keys without the prefix: nothing matches
    with pytest.raises(
            KeyError,
            match=r"missing keys \['codebook'.*unexpected keys "
            r"\['tokenizer\.codebook'"):
        build_tokenizer(init_cfg=dict(
            type='mmir.StrictPretrained', checkpoint=path))


def test_code_dims_mismatch_names_both_sizes(checkpoint):
    path, _ = checkpoint
    with pytest.raises(KeyError, match=r'codebook.*\[256, 32\].*\[256, 8\]'):
        build_tokenizer(
            code_dims=8,
            init_cfg=dict(
                type='mmir.StrictPretrained',
                checkpoint=path,
                prefix='tokenizer.'))


def test_perplexity_is_logged_not_summed():
    model = build()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.0))
    data = dict(
        inputs=torch.randint(0, 256, (2, 3, 16, 16), dtype=torch.uint8),
        data_samples=[DataSample()] * 2)
    log_vars = model.train_step(data, optim)
    total = sum(log_vars[key] for key in log_vars
                if key.startswith('loss_'))
    assert log_vars['loss'].item() == pytest.approx(total.item())
    assert 1 <= log_vars['code_perplexity'].item() <= 256


def test_inputs_reach_the_tokenizer_in_zero_one():
    model = build()
    raw = torch.randint(0, 256, (2, 3, 8, 8), dtype=torch.uint8)
    data = model.data_preprocessor(
        dict(inputs=raw, data_samples=[DataSample()] * 2), training=True)
    # BGR -> RGB, then / 255
    torch.testing.assert_close(data['inputs'], raw.flip(1).float() / 255)
