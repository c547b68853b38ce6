# Copyright (c) mmir contributors. All rights reserved.
"""iTPN pre-training: pixel MIM, the MFM EMA teacher (math and resume) and
the CLIP-teacher variant."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmir.models.utils import cosine_momentum, is_frozen
from mmir.registry import MODELS

ARCH = dict(embed_dims=64, depths=(1, 1, 2), num_heads=4)
BACKBONE = dict(
    type='mmir.iTPNHiViT',
    arch=ARCH,
    img_size=64,
    pyramid=dict(fpn_dim=32, fpn_depth=1))
PIXEL = dict(
    type='mmir.iTPN',
    backbone=BACKBONE,
    neck=dict(
        type='mmir.iTPNDecoder',
        grid=(4, 4),
        fpn_dim=32,
        decoder_embed_dim=64,
        decoder_depth=1,
        decoder_num_heads=4),
    head=dict(
        type='mmpretrain.MAEPretrainHead',
        norm_pix=True,
        patch_size=16,
        loss=dict(type='mmpretrain.PixelReconstructionLoss',
                  criterion='L2')))
MFM = dict(
    PIXEL,
    mfm_head=dict(
        type='mmir.iTPNMFMHead',
        in_dims=64,
        stage_dims=(16, 32, 64),
        num_heads=4,
        decoder_depth=1),
    base_momentum=0.9)
CLIP = dict(
    type='mmir.iTPN',
    target='clip',
    backbone=dict(BACKBONE, mask_token=True, layer_scale_init_value=0.1),
    head=dict(
        type='mmir.iTPNClipDistillHead',
        embed_dims=64,
        teacher_dims=24,
        fpn_dim=32,
        num_heads=4),
    target_generator=dict(
        type='mmpretrain.VisionTransformer',
        arch=dict(
            embed_dims=24, num_layers=1, num_heads=2,
            feedforward_channels=48),
        img_size=64,
        patch_size=16,
        out_type='raw'),
    data_preprocessor=dict(
        type='mmpretrain.TwoNormDataPreprocessor',
        mean=[0, 0, 0], std=[1, 1, 1],
        second_mean=[0, 0, 0], second_std=[1, 1, 1]))


def build(cfg: dict):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmir'):
        model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    return model


def samples(n: int = 2) -> list:
    return [DataSample() for _ in range(n)]


def test_pixel_losses_and_gradients():
    model = build(MFM)
    losses = model.loss(torch.randn(2, 3, 64, 64), samples())
    assert set(losses) == {
        'loss_pixel', 'loss_mfm_stage1', 'loss_mfm_stage2', 'loss_mfm_stage3'
    }
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert is_frozen(model.teacher)
    assert model.teacher.pyramid is None
    assert model.backbone.pyramid.fpn_modules[0].mlp.fc1.weight.grad \
        is not None
    assert model.mfm_head.preds[0].weight.grad is not None


def test_mfm_targets_are_the_teacher_stages_of_the_whole_image():
    model = build(MFM)
    model.loss(torch.randn(2, 3, 64, 64), samples())  # teacher = student
    x = torch.randn(2, 3, 64, 64)
    captured = {}

    def keep(stages, mask):
        captured['stages'], captured['mask'] = stages, mask
        return {}

    model.mfm_head.loss = lambda sequences, stages, mask: keep(stages, mask)
    model.loss(x, samples())
    for got, expected in zip(captured['stages'],
                             model.backbone.forward_stages(x)):
        assert torch.allclose(got, expected, atol=1e-5)
    assert (captured['mask'].sum(1) == 12).all()


def step(model, seed: int, micro_batches: int = 1) -> None:
    """A training step stand-in: the losses of its micro-batches, then the
    student moves; the runner's iteration and length in the hub."""
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 10)
    hub.update_info('iter', seed)
    torch.manual_seed(seed)
    for _ in range(micro_batches):
        model.loss(torch.randn(2, 3, 64, 64), samples())
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(torch.randn_like(p) * 0.1)


def test_ema_update_math():
    model = build(MFM)
    initial = {
        k: v.clone()
        for k, v in model.backbone.named_parameters()
        if not k.startswith('pyramid.')
    }
    step(model, 0)
    teacher = dict(model.teacher.named_parameters())
    student = dict(model.backbone.named_parameters())
    # the first step copies the student as it was before it moved
    assert set(teacher) == set(initial)
    for name, value in teacher.items():
        assert torch.equal(value, initial[name]), name
    previous = {k: v.clone() for k, v in teacher.items()}
    current = {k: v.clone() for k, v in student.items()}
    step(model, 1)
    momentum = cosine_momentum(0.9, 1, 10)
    assert 0.9 < momentum < 1
    for name, value in model.teacher.named_parameters():
        assert torch.allclose(
            value, momentum * previous[name] + (1 - momentum) * current[name],
            atol=1e-6), name
    assert int(model.ema_steps) == 2


def test_ema_resumes_exactly():
    model = build(MFM)
    for seed in range(3):
        step(model, seed)
    resumed = build(MFM)
    resumed.load_state_dict(model.state_dict())
    assert int(resumed.ema_steps) == 3
    step(model, 3)
    step(resumed, 3)
    for (name, a), b in zip(model.teacher.state_dict().items(),
                            resumed.teacher.state_dict().values()):
        assert torch.equal(a, b), name


def test_one_ema_update_per_optimizer_step():
    model = build(MFM)
    step(model, 0, micro_batches=3)
    assert int(model.ema_steps) == 1
    model.loss(torch.randn(2, 3, 64, 64), samples())  # the student moved
    teacher = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    model.loss(torch.randn(2, 3, 64, 64), samples())  # it did not
    assert int(model.ema_steps) == 2
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher[key]), key


def test_clip_variant_regresses_the_frozen_teacher():
    model = build(CLIP)
    assert is_frozen(model.target_generator)
    x = torch.randn(2, 3, 64, 64)
    mask = torch.zeros(4, 4, dtype=torch.bool)
    mask[1:3, 1:3] = True
    data = [DataSample(mask=mask) for _ in range(2)]
    losses = model.loss([x, x], data)
    assert set(losses) == {'loss_clip', 'loss_clip_aux'}
    sum(losses.values()).backward()
    assert model.backbone.mask_token.grad is not None
    assert all(p.grad is None for p in model.target_generator.parameters())
    # the auxiliary branch taps main block int(0.75 * 2) = 1
    assert model.aux_index == 1
    tokens = model.target_generator(x)[0]
    assert tokens.shape[1] == 17
    assert torch.equal(model.teacher_tokens((tokens, )), tokens[:, 1:])


@pytest.mark.parametrize('change,message', [
    (dict(neck=None), 'pixel decoder'),
    (dict(target='clip'), 'target_generator'),
    (dict(backbone=dict(type='mmir.iTPNHiViT', arch=ARCH, img_size=64)),
     'pyramid'),
    (dict(target='pixels'), 'target must be one of'),
])
def test_bad_configs_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        build(dict(PIXEL, **change))
