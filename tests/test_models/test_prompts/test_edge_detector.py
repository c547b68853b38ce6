# Copyright (c) mmir contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmir.models.prompts import LaplacianEdgeDetector

KERNEL = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]])


def laplacian(x: torch.Tensor, mode: str = 'constant') -> torch.Tensor:
    """Sum of the four neighbours minus four times the pixel."""
    padded = F.pad(x, (1, 1, 1, 1), mode=mode)
    up, down = padded[..., :-2, 1:-1], padded[..., 2:, 1:-1]
    left, right = padded[..., 1:-1, :-2], padded[..., 1:-1, 2:]
    return up + down + left + right - 4 * x


def test_has_nothing_to_train_or_save():
    detector = LaplacianEdgeDetector()
    assert list(detector.parameters()) == []
    assert detector.state_dict() == {}
    assert torch.equal(detector.kernel, KERNEL.view(1, 1, 3, 3))


def test_constant_image_with_zero_padding():
    value = 0.7
    edges = LaplacianEdgeDetector()(torch.full((2, 3, 16, 16), value))
    assert edges.shape == (2, 1, 16, 16)
    interior = edges[..., 1:-1, 1:-1]
    assert torch.allclose(interior, torch.zeros_like(interior), atol=1e-6)
    # on the border each neighbour outside the image is a zero: -value each
    outside = -laplacian(torch.ones(1, 1, 16, 16))
    assert torch.equal(outside.unique(), torch.tensor([0., 1., 2.]))
    assert torch.allclose(edges, (-value * outside).expand(2, 1, 16, 16),
                          atol=1e-6)
    assert edges[0, 0, 0, 0].item() == pytest.approx(-2 * value)
    assert edges[0, 0, 0, 5].item() == pytest.approx(-value)


def test_constant_image_with_replicate_padding_is_zero_everywhere():
    detector = LaplacianEdgeDetector(gray=False, padding_mode='replicate')
    edges = detector(torch.full((2, 3, 16, 16), -1.3))
    assert edges.shape == (2, 3, 16, 16)
    assert torch.allclose(edges, torch.zeros_like(edges), atol=1e-6)


def test_a_bright_pixel_gives_the_kernel():
    image = torch.zeros(1, 3, 16, 16)
    image[:, :, 6, 9] = 1.
    edges = LaplacianEdgeDetector()(image)
    expected = torch.zeros(1, 1, 16, 16)
    expected[0, 0, 5:8, 8:11] = KERNEL
    assert torch.equal(edges, expected)


@pytest.mark.parametrize('mode', ['zeros', 'replicate'])
def test_gray_and_per_channel_match_a_direct_computation(mode):
    torch.manual_seed(0)
    image = torch.randn(2, 3, 16, 24)
    pad = 'constant' if mode == 'zeros' else 'replicate'
    gray = LaplacianEdgeDetector(padding_mode=mode)(image)
    assert torch.allclose(
        gray, laplacian(image.mean(1, keepdim=True), pad), atol=1e-5)
    per_channel = LaplacianEdgeDetector(
        gray=False, padding_mode=mode)(image)
    assert torch.allclose(per_channel, laplacian(image, pad), atol=1e-5)


def test_absolute_value_option():
    torch.manual_seed(0)
    image = torch.randn(2, 3, 16, 16)
    signed = LaplacianEdgeDetector()(image)
    assert (signed < 0).any()
    assert torch.equal(
        LaplacianEdgeDetector(absolute=True)(image), signed.abs())


def test_unknown_padding_mode_is_refused():
    with pytest.raises(ValueError, match='reflect'):
        LaplacianEdgeDetector(padding_mode='reflect')
