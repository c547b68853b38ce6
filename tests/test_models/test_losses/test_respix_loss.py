# Copyright (c) mmir contributors. All rights reserved.
"""ResPix targets and loss against pixel-by-pixel computations."""
import pytest
import torch
from mmpretrain.models.heads import MAEPretrainHead

from mmir.models import ResPixLoss, sliding_window_normalize
from mmir.registry import MODELS


def images(batch: int = 2, size=(7, 9)) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.rand(batch, 3, *size) * 4 + 1


def direct_sliding_window(x: torch.Tensor, k: int,
                          eps: float) -> torch.Tensor:
    """Every pixel's window, cut at the image edge, one at a time."""
    x = x.double()
    out = torch.empty_like(x)
    height, width = x.shape[-2:]
    r = k // 2
    for i in range(height):
        for j in range(width):
            window = x[:, :, max(i - r, 0):i + r + 1, max(j - r, 0):j + r + 1]
            mean = window.mean(dim=(2, 3))
            var = ((window - mean[..., None, None])**2).mean(dim=(2, 3))
            out[:, :, i, j] = (x[:, :, i, j] - mean) / torch.sqrt(var + eps)
    return out.float()


def direct_patch_norm(x: torch.Tensor, p: int, eps: float) -> torch.Tensor:
    """MAE's norm_pix: each patch by its own mean and unbiased variance."""
    x = x.double()
    out = torch.empty_like(x)
    for b in range(x.shape[0]):
        for i in range(0, x.shape[2], p):
            for j in range(0, x.shape[3], p):
                patch = x[b, :, i:i + p, j:j + p]
                mean, var = patch.mean(), patch.var(unbiased=True)
                out[b, :, i:i + p, j:j + p] = (patch - mean) / torch.sqrt(
                    var + eps)
    return out.float()


@pytest.mark.parametrize('window_size', [1, 3, 5, 9])
def test_sliding_window_matches_per_pixel_windows(window_size):
    x = images()
    expected = direct_sliding_window(x, window_size, 1e-6)
    got = sliding_window_normalize(x, window_size, 1e-6)
    torch.testing.assert_close(got, expected, atol=2e-4, rtol=1e-4)


def test_sliding_window_border_uses_inside_pixels_only():
    # a constant image: zero padding would pull border means below 5
    x = torch.full((1, 3, 6, 6), 5.)
    x[:, :, 0, 0] = 7.
    got = sliding_window_normalize(x, 3, 1e-6)
    window = torch.tensor([7., 5., 5., 5.])
    expected = (7 - window.mean()) / torch.sqrt(
        window.var(unbiased=False) + 1e-6)
    torch.testing.assert_close(got[0, :, 0, 0], expected.expand(3))


def test_sliding_window_ignores_channel_scale_and_shift():
    x = images()
    scaled = x * torch.tensor([50., 3., 0.5]).view(1, 3, 1, 1) + 20
    torch.testing.assert_close(
        sliding_window_normalize(scaled, 5, 1e-12),
        sliding_window_normalize(x, 5, 1e-12),
        atol=1e-3,
        rtol=1e-3)


@pytest.mark.parametrize('window_size', [0, 8, 16])
def test_even_window_is_refused(window_size):
    with pytest.raises(ValueError, match='window_size'):
        sliding_window_normalize(images(), window_size)
    with pytest.raises(ValueError, match='window_size'):
        ResPixLoss(window_size=window_size)


@pytest.mark.parametrize('criterion', ['L1', 'L2'])
def test_loss_values(criterion):
    x = images(size=(8, 8))
    pred = torch.randn_like(x)
    target = direct_sliding_window(x, 3, 1e-6)
    diff = pred - target
    expected = diff.pow(2).mean() if criterion == 'L2' else diff.abs().mean()
    loss = MODELS.build(
        dict(
            type='mmir.ResPixLoss',
            window_size=3,
            criterion=criterion,
            loss_weight=0.5))
    torch.testing.assert_close(loss(pred, x), 0.5 * expected, atol=1e-5,
                               rtol=1e-5)


def test_patch_target_is_mae_norm_pix():
    x = images(size=(8, 12))
    loss = ResPixLoss(target='patch', patch_size=4, eps=1e-6)
    expected = direct_patch_norm(x, 4, 1e-6)
    torch.testing.assert_close(loss.construct_target(x), expected)
    # and MAE's own head (square images) agrees, in its token layout
    square = images(size=(8, 8))
    mae = MAEPretrainHead(
        loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2'),
        norm_pix=True,
        patch_size=4)
    torch.testing.assert_close(
        mae.patchify(loss.construct_target(square)),
        mae.construct_target(square))
    pred = torch.randn_like(x)
    torch.testing.assert_close(
        loss(pred, x), (pred - expected).pow(2).mean())


def test_target_has_no_gradient_and_shapes_are_checked():
    x = images(size=(8, 8)).requires_grad_()
    pred = torch.zeros(2, 3, 8, 8, requires_grad=True)
    ResPixLoss(window_size=3)(pred, x).backward()
    assert x.grad is None and pred.grad is not None
    with pytest.raises(ValueError, match='differ'):
        ResPixLoss()(torch.zeros(2, 3, 8, 8), torch.zeros(2, 3, 16, 16))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='criterion'):
        ResPixLoss(criterion='L3')
    with pytest.raises(ValueError, match='target'):
        ResPixLoss(target='global')
    with pytest.raises(ValueError, match='patch_size'):
        ResPixLoss(target='patch', patch_size=16)(
            torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 8))
