# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmir.models.prompts import RegionMaskGenerator
from mmir.registry import MODELS


def build(**kwargs) -> RegionMaskGenerator:
    torch.manual_seed(0)
    cfg = dict(type='mmir.RegionMaskGenerator', embed_dims=8, region_size=8)
    with DefaultScope.overwrite_default_scope('mmir'):
        return MODELS.build(dict(cfg, **kwargs))


def direct_logits(generator: RegionMaskGenerator,
                  edges: torch.Tensor) -> torch.Tensor:
    """F_p(ReLU(F_c(edges))) with the generator's weights."""
    conv_c, conv_p = generator.convergence, generator.policy
    hidden = F.relu(
        F.conv2d(
            edges,
            conv_c.weight,
            conv_c.bias,
            padding=conv_c.weight.shape[-1] // 2))
    return F.conv2d(
        hidden, conv_p.weight, conv_p.bias, stride=generator.region_size)


def dilate(regions: torch.Tensor, size: int) -> torch.Tensor:
    """Pixel (i, j) takes the decision of region (i // size, j // size)."""
    rows = torch.arange(regions.shape[-2] * size) // size
    cols = torch.arange(regions.shape[-1] * size) // size
    return regions[:, :, rows[:, None], cols[None, :]]


def test_seven_by_seven_grid_on_224():
    generator = build(region_size=32).eval()
    edges = torch.randn(2, 1, 224, 224)
    assert generator.region_logits(edges).shape == (2, 2, 7, 7)
    assert generator.decisions(edges).shape == (2, 1, 7, 7)
    assert generator(edges).shape == (2, 1, 224, 224)


def test_logits_are_f_p_of_f_c():
    generator = build(convergence_kernel=5)
    edges = torch.randn(2, 1, 32, 48)
    assert torch.allclose(
        generator.region_logits(edges),
        direct_logits(generator, edges),
        atol=1e-5)


def test_without_activation():
    generator = build(act_cfg=None)
    edges = torch.randn(2, 1, 32, 32)
    conv_c, conv_p = generator.convergence, generator.policy
    expected = conv_p(conv_c(edges))
    assert torch.allclose(generator.region_logits(edges), expected)


def test_eval_mask_is_the_dilated_argmax():
    generator = build().eval()
    edges = torch.randn(2, 1, 32, 48)
    logits = direct_logits(generator, edges)
    on = (logits[:, 1:] > logits[:, :1]).float()
    assert 0 < on.mean() < 1  # both decisions occur
    mask = generator(edges)
    assert mask.shape == (2, 1, 32, 48)
    assert torch.equal(generator.decisions(edges), on)
    assert torch.equal(mask, dilate(on, 8))
    assert torch.equal(generator(edges), mask)  # no noise


def test_training_samples_are_hard_with_a_straight_through_gradient():
    generator = build(tau=1.0).train()
    edges = torch.randn(2, 1, 32, 32)
    mask = generator(edges)
    assert mask.shape == (2, 1, 32, 32)
    assert set(mask.unique().tolist()) == {0., 1.}
    regions = mask[:, :, ::8, ::8]
    assert torch.equal(mask, dilate(regions, 8))
    weights = torch.randn_like(mask)
    (mask * weights).sum().backward()
    for conv in (generator.convergence, generator.policy):
        assert conv.weight.grad.abs().sum() > 0
        assert conv.bias.grad.abs().sum() > 0


def test_hard_gradient_is_the_soft_samples_gradient():
    generator = build(tau=2.0).train()
    edges = torch.randn(2, 1, 32, 32)
    weights = torch.randn(2, 1, 32, 32)
    masks, grads = {}, {}
    for hard in (True, False):
        generator.hard = hard
        generator.zero_grad()
        torch.manual_seed(3)  # the same Gumbel noise
        masks[hard] = generator(edges)
        (masks[hard] * weights).sum().backward()
        grads[hard] = [p.grad.clone() for p in generator.parameters()]
    # forward: the one-hot of the relaxed sample; backward: its gradient
    assert torch.equal(masks[True], (masks[False] > 0.5).float())
    for hard_grad, soft_grad in zip(grads[True], grads[False]):
        assert torch.allclose(hard_grad, soft_grad, atol=1e-6)


def test_soft_samples_are_strictly_between_zero_and_one():
    generator = build(hard=False).train()
    mask = generator(torch.randn(2, 1, 32, 32))
    assert ((mask > 0) & (mask < 1)).all()
    mask.sum().backward()
    assert generator.policy.weight.grad.abs().sum() > 0


def test_gumbel_samples_follow_the_softmax():
    generator = build(region_size=2, tau=0.5).train()
    logits = torch.tensor([0.3, 1.3])
    with torch.no_grad():
        generator.policy.weight.zero_()
        generator.policy.bias.copy_(logits)
    torch.manual_seed(1)
    draws = generator.decisions(torch.randn(20, 1, 64, 64))  # 20480
    expected = torch.softmax(logits, 0)[1].item()  # 0.731
    # binomial standard deviation ~0.003
    assert draws.mean().item() == pytest.approx(expected, abs=0.02)


def test_temperature_is_a_persistent_buffer():
    generator = build(tau=3.0, min_tau=0.5)
    assert generator.initial_tau == 3.0 and generator.min_tau == 0.5
    assert 'tau' in generator.state_dict()
    assert 'tau' not in dict(generator.named_parameters())
    generator.tau.fill_(1.25)
    resumed = build(tau=3.0, min_tau=0.5)
    resumed.load_state_dict(generator.state_dict())
    assert resumed.tau.item() == 1.25
    assert resumed.initial_tau == 3.0


def test_sizes_not_divisible_by_the_region_are_refused():
    generator = build()
    with pytest.raises(ValueError, match='region_size=8.*32x36'):
        generator(torch.randn(1, 1, 32, 36))


@pytest.mark.parametrize('kwargs', [
    dict(convergence_kernel=4),
    dict(tau=1.0, min_tau=2.0),
    dict(min_tau=0.0),
])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        build(**kwargs)
