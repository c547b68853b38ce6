# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
from mmengine.registry import DefaultScope

from mmir.models.prompts import PadPrompter
from mmir.registry import MODELS


def num_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def assembled(prompter: PadPrompter) -> torch.Tensor:
    """The prompt written strip by strip into a zero canvas."""
    size, width = prompter.image_size, prompter.prompt_size
    canvas = torch.zeros(1, prompter.in_channels, size, size)
    canvas[:, :, :width, :] = prompter.pad_up
    canvas[:, :, size - width:, :] = prompter.pad_down
    canvas[:, :, width:size - width, :width] = prompter.pad_left
    canvas[:, :, width:size - width, size - width:] = prompter.pad_right
    return canvas


def test_vp_default_has_69840_parameters():
    prompter = PadPrompter()
    assert num_params(prompter) == 69_840
    assert prompter.pad_up.shape == (1, 3, 30, 224)
    assert prompter.pad_down.shape == (1, 3, 30, 224)
    assert prompter.pad_left.shape == (1, 3, 164, 30)
    assert prompter.pad_right.shape == (1, 3, 164, 30)


def test_strips_start_standard_normal():
    torch.manual_seed(0)
    values = torch.cat([p.flatten() for p in PadPrompter().parameters()])
    assert abs(values.mean().item()) < 0.02
    assert abs(values.std().item() - 1) < 0.02


def test_half_the_image_size_covers_everything():
    prompter = PadPrompter(prompt_size=112)
    assert num_params(prompter) == 150_528
    assert prompter.pad_left.numel() == prompter.pad_right.numel() == 0
    prompt = prompter.prompt()
    assert torch.equal(prompt, assembled(prompter))
    assert torch.equal(prompt[:, :, :112], prompter.pad_up)
    assert torch.equal(prompt[:, :, 112:], prompter.pad_down)


@pytest.mark.parametrize('prompt_size', [1, 5, 16])
def test_prompt_is_the_strips_around_a_zero_centre(prompt_size):
    prompter = PadPrompter(image_size=32, prompt_size=prompt_size)
    prompt = prompter.prompt()
    assert prompt.shape == (1, 3, 32, 32)
    assert torch.equal(prompt, assembled(prompter))
    inner = prompt[:, :, prompt_size:32 - prompt_size,
                   prompt_size:32 - prompt_size]
    assert inner.numel() == 3 * (32 - 2 * prompt_size)**2
    assert not inner.any()


def test_forward_adds_the_prompt_and_trains_only_the_strips():
    prompter = PadPrompter(image_size=32, prompt_size=4, in_channels=2)
    images = torch.randn(3, 2, 32, 32)
    out = prompter(images)
    assert torch.equal(out, images + assembled(prompter))
    out.sum().backward()
    # every strip pixel is added to each of the 3 images
    for param in prompter.parameters():
        assert torch.equal(param.grad, torch.full_like(param, 3.))


@pytest.mark.parametrize('prompt_size', [0, 17])
def test_prompt_size_out_of_range_is_refused(prompt_size):
    with pytest.raises(ValueError, match='16'):
        PadPrompter(image_size=32, prompt_size=prompt_size)


@pytest.mark.parametrize('shape', [(2, 3, 32, 48), (2, 1, 32, 32)])
def test_images_of_another_size_are_refused(shape):
    prompter = PadPrompter(image_size=32, prompt_size=4)
    with pytest.raises(ValueError, match=r'\(B, 3, 32, 32\).*' +
                       ', '.join(map(str, shape))):
        prompter(torch.zeros(shape))


def test_builds_from_the_registry():
    with DefaultScope.overwrite_default_scope('mmir'):
        prompter = MODELS.build(
            dict(type='mmir.PadPrompter', image_size=32, prompt_size=4))
    assert isinstance(prompter, PadPrompter)
    assert num_params(prompter) == 2 * 3 * 4 * 32 + 2 * 3 * 24 * 4
