# Copyright (c) mmir contributors. All rights reserved.
"""CIM: token sampling, the corrupted image, both objectives against direct
computations, where gradients go, the frozen tokenizer, the build-time
grid check, and ViT and ResNet enhancers training."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from mmir.models import CIM
from mmir.models.selfsup.cim import corrupt_tokens, sample_tokens
from mmir.models.utils import is_frozen
from mmir.registry import MODELS

MEAN, STD = 0.3801 * 255, 0.1871 * 255
VOCAB = 16
# 32 px first view, 8 px patches: a 4 x 4 grid; the tokenizer sees 16 px
# with 4 px per token: 4 x 4 tokens.
GENERATOR = dict(
    type='mmpretrain.BEiTPretrainViT',
    arch=dict(
        embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64),
    img_size=32,
    patch_size=8,
    out_type='raw',
    final_norm=True,
    layer_scale_init_value=0.1)
VIT = dict(
    type='mmpretrain.VisionTransformer',
    arch=dict(
        embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64),
    img_size=32,
    patch_size=8,
    out_type='raw')
RESNET = dict(
    type='mmpretrain.ResNet',
    depth=18,
    stem_channels=16,
    base_channels=8,
    out_indices=(0, 1, 2, 3))
RESPIX = dict(
    type='mmir.ResPixHead',
    in_channels=32,
    patch_size=8,
    loss=dict(type='mmir.ResPixLoss', window_size=3, criterion='L2'))
REVDET = dict(
    type='mmir.RevDetHead',
    in_channels=32,
    input_type='tokens',
    loss=dict(type='mmir.RevDetLoss'))


def cim_cfg(objective: str = 'respix', backbone: dict = VIT,
            head: dict = RESPIX, **kwargs) -> dict:
    cfg = dict(
        type='mmir.CIM',
        backbone=backbone,
        head=head,
        generator=GENERATOR,
        generator_head=dict(
            type='mmpretrain.BEiTV1Head',
            embed_dims=32,
            num_embed=VOCAB,
            loss=dict(type='mmpretrain.CrossEntropyLoss')),
        tokenizer=dict(
            type='mmir.VQTokenizer',
            vocab_size=VOCAB,
            code_dims=8,
            channels=(16, 16),
            downsample=4),
        objective=objective,
        data_preprocessor=dict(
            type='mmpretrain.TwoNormDataPreprocessor',
            mean=[MEAN] * 3,
            std=[STD] * 3,
            second_mean=[0.] * 3,
            second_std=[255.] * 3))
    cfg.update(kwargs)
    return copy.deepcopy(cfg)


def build(**kwargs) -> CIM:
    torch.manual_seed(0)
    model = MODELS.build(cim_cfg(**kwargs))
    model.init_weights()
    return model


def batch(batch_size: int = 3, seed: int = 1):
    """Raw pixels, the two views as the preprocessor gives them, masks."""
    gen = torch.Generator().manual_seed(seed)
    raw = torch.rand(batch_size, 3, 32, 32, generator=gen) * 255
    img = (raw - MEAN) / STD
    second = F.interpolate(raw, size=(16, 16), mode='area') / 255
    masks = torch.rand(batch_size, 4, 4, generator=gen) < 0.5
    masks[:, 0, 0] = True
    samples = []
    for mask in masks:
        sample = DataSample()
        sample.set_mask(mask)
        samples.append(sample)
    return raw, [img, second], samples, masks


def test_sample_tokens_temperature_zero_is_argmax():
    logits = torch.randn(50, VOCAB)
    assert torch.equal(sample_tokens(logits, 0.), logits.argmax(-1))


@pytest.mark.parametrize('temperature', [1.0, 0.5])
def test_sample_tokens_frequencies_match_softmax(temperature):
    torch.manual_seed(0)
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0, 0.5])
    n = 40000
    draws = sample_tokens(logits.expand(n, -1), temperature)
    freq = torch.bincount(draws, minlength=5).float() / n
    expected = torch.exp(logits / temperature)
    expected = expected / expected.sum()
    # Four binomial standard deviations of the largest class.
    assert torch.allclose(freq, expected, atol=4 * (0.25 / n)**0.5)


def test_sample_tokens_refuses_negative_temperature():
    with pytest.raises(ValueError, match='temperature'):
        sample_tokens(torch.zeros(2, 3), -1.)


def test_corrupt_tokens_places_samples_row_major():
    ids = torch.arange(2 * 3 * 3).view(2, 3, 3)
    mask = torch.zeros(2, 3, 3, dtype=torch.bool)
    mask[0, 0, 2] = mask[0, 2, 1] = mask[1, 1, 1] = True
    out = corrupt_tokens(ids, mask, torch.tensor([100, 101, 102]))
    expected = ids.clone()
    expected[0, 0, 2], expected[0, 2, 1], expected[1, 1, 1] = 100, 101, 102
    assert torch.equal(out, expected)
    assert torch.equal(ids, torch.arange(18).view(2, 3, 3))


def direct_step(model: CIM, raw, inputs, masks):
    """The golden tokens, generator logits on masked positions, the argmax
    corrupted map and the corrupted image, computed step by step."""
    img, second = inputs
    golden = model.tokenizer.encode(second)
    feats = model.generator(img, masks)[0][:, 1:]
    logits = model.generator_head.cls_head(feats[masks.flatten(1)])
    corrupted_ids = golden.clone()
    corrupted_ids[masks] = logits.argmax(-1)
    pixels = model.tokenizer.decode(corrupted_ids)
    pixels = F.interpolate(
        pixels, size=(32, 32), mode='bicubic', align_corners=False)
    corrupted = (pixels.clamp(0, 1) * 255 - MEAN) / STD
    return golden, logits, corrupted_ids, corrupted


def test_respix_step_matches_direct_computation():
    model = build(temperature=0.)
    raw, inputs, samples, masks = batch()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        golden, logits, _, corrupted = direct_step(model, raw, inputs, masks)
        loss_gen = F.cross_entropy(logits, golden[masks])
        loss_enh = model.head.loss(model.backbone(corrupted), raw / 255)
    assert set(losses) == {'loss_gen', 'loss_enh', 'gen_acc', 'replaced'}
    torch.testing.assert_close(losses['loss_gen'], loss_gen)
    torch.testing.assert_close(losses['loss_enh'], loss_enh)
    torch.testing.assert_close(losses['gen_acc'],
                               (logits.argmax(-1) == golden[masks]).float()
                               .mean())


def test_original_pixels_undo_the_preprocessor():
    model = build()
    raw, inputs, _, _ = batch()
    torch.testing.assert_close(model.original_pixels(inputs[0]), raw / 255)


def test_revdet_step_matches_direct_computation():
    model = build(objective='revdet', head=REVDET, temperature=0.,
                  enhancer_weight=2.0)
    raw, inputs, samples, masks = batch()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        golden, _, corrupted_ids, corrupted = direct_step(
            model, raw, inputs, masks)
        labels = (corrupted_ids != golden).float()
        logits = model.head(model.backbone(corrupted))
        bce = F.binary_cross_entropy_with_logits(logits, labels)
    # A masked position whose argmax equals its golden token is not
    # replaced; unmasked positions never are.
    assert labels[~masks].sum() == 0
    torch.testing.assert_close(losses['loss_enh'], 2.0 * bce)
    torch.testing.assert_close(losses['replaced'], labels.mean())
    torch.testing.assert_close(losses['revdet_acc'],
                               ((logits > 0).float() == labels).float().mean())


@pytest.mark.parametrize('objective,head', [('respix', RESPIX),
                                            ('revdet', REVDET)])
def test_enhancer_loss_reaches_neither_generator_nor_tokenizer(
        objective, head):
    model = build(objective=objective, head=head)
    _, inputs, samples, _ = batch()
    losses = model.loss(inputs, samples)
    losses['loss_enh'].backward()
    for name, param in model.named_parameters():
        if name.startswith(('generator', 'tokenizer')):
            assert param.grad is None, name
        else:
            assert param.grad is not None, name
    model.zero_grad(set_to_none=True)
    losses = model.loss(inputs, samples)
    losses['loss_gen'].backward()
    for name, param in model.named_parameters():
        if name.startswith(('backbone', 'head', 'tokenizer')):
            assert param.grad is None, name
    for name, param in model.generator.named_parameters():
        assert param.grad is not None, name


def test_tokenizer_is_frozen_and_builds_no_graph():
    model = build()
    model.train()
    assert is_frozen(model.tokenizer) and not model.tokenizer.training
    assert all(not p.requires_grad for p in model.tokenizer.parameters())
    _, inputs, _, _ = batch()
    ids = model.tokenize(inputs[1])
    image = model.corrupted_image(ids, (32, 32))
    for tensor in (ids, image):
        assert not torch.is_inference(tensor)
        assert tensor.grad_fn is None and not tensor.requires_grad


def test_vocabulary_mismatch_is_refused():
    cfg = cim_cfg()
    cfg['generator_head']['num_embed'] = VOCAB + 1
    with pytest.raises(ValueError, match=r'\(17\).*\(16\)'):
        MODELS.build(cfg)


def test_revdet_grid_mismatch_is_refused_at_build():
    head = dict(
        type='mmir.RevDetHead',
        in_channels=64,
        input_type='map',
        in_index=3,
        loss=dict(type='mmir.RevDetLoss'))
    with pytest.raises(ValueError, match=r'token grid is \(4, 4\)'):
        MODELS.build(cim_cfg('revdet', backbone=RESNET, head=head))


def train_steps(model: CIM, steps: int = 2):
    """``steps`` optimizer steps on one batch; the logged values."""
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    _, inputs, samples, _ = batch()
    logs = []
    for _ in range(steps):
        losses = model.loss(inputs, samples)
        loss = losses['loss_gen'] + losses['loss_enh']
        wrapper.update_params(loss)
        logs.append({k: float(v.detach()) for k, v in losses.items()})
    return logs


@pytest.mark.parametrize('objective,backbone,head', [
    ('respix', VIT, RESPIX),
    ('revdet', VIT, REVDET),
    ('respix', RESNET,
     dict(
         type='mmir.ResPixConvHead',
         in_channels=(8, 16, 32, 64),
         feature_dim=32,
         norm_cfg=dict(type='BN'),
         loss=dict(type='mmir.ResPixLoss', window_size=3))),
    ('revdet', RESNET,
     dict(
         type='mmir.RevDetHead',
         in_channels=16,
         input_type='map',
         in_index=1,
         loss=dict(type='mmir.RevDetLoss'))),
])
def test_enhancers_train_two_iterations(objective, backbone, head):
    model = build(objective=objective, backbone=backbone, head=head)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logs = train_steps(model)
    after = model.state_dict()
    assert all(torch.isfinite(torch.tensor(list(log.values()))).all()
               for log in logs)
    frozen = [k for k in before if k.startswith('tokenizer.')]
    assert frozen and all(torch.equal(before[k], after[k]) for k in frozen)
    assert any(not torch.equal(before[k], after[k]) for k in before
               if k.startswith('backbone.'))
    assert any(not torch.equal(before[k], after[k]) for k in before
               if k.startswith('generator.'))
