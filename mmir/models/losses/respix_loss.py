# Copyright (c) mmir contributors. All rights reserved.
"""CIM's ResPix objective: regress the locally normalised original image.

The target of every pixel and channel is the original value minus the
mean of a window around it, divided by the window's standard deviation
(the "residual" left once the local mean is removed). MAE's per-patch
``norm_pix`` is the non-overlapping special case, kept as a fallback.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.losses import PixelReconstructionLoss

from mmir.registry import MODELS

CRITERIA = ('L1', 'L2')
TARGETS = ('sliding_window', 'patch')


def check_window_size(window_size: int) -> None:
    """Refuse a window that has no centre pixel.

    Args:
        window_size (int): Side of the square window.

    Raises:
        ValueError: When it is not a positive odd integer.
    """
    if window_size < 1 or window_size % 2 == 0:
        raise ValueError(
            f'window_size must be a positive odd number (the window is '
            f'centred on each pixel), got {window_size}; for an even size '
            f'k use k + 1 (CIM\'s reported 8 becomes 9)')


def sliding_window_normalize(images: torch.Tensor,
                             window_size: int = 9,
                             eps: float = 1e-6) -> torch.Tensor:
    """Normalise every pixel by the statistics of the window around it.

    For each pixel ``p`` and channel ``c``,
    ``t(p) = (x(p) - mean_W(p)) / sqrt(var_W(p) + eps)``, with the mean and
    the (biased, population) variance of channel ``c`` over the
    ``window_size`` x ``window_size`` window centred on ``p`` (stride 1),
    computed by average pooling of ``x`` and ``x ** 2``.

    At the borders the window is cut by the image edge and the statistics
    average only the pixels inside the image (``count_include_pad=False``),
    so no zero padding pulls the mean towards 0.

    The result does not change when a channel is scaled by ``a > 0`` and
    shifted (only ``eps`` is relative to the scale): pixels in [0, 255],
    [0, 1] or mean/std-normalised give the same target up to ``eps``. It is
    computed in float32, after subtracting each image's channel mean (which
    changes nothing but the rounding of ``E[x^2] - E[x]^2``).

    Args:
        images (torch.Tensor): ``(B, C, H, W)`` images.
        window_size (int): Odd side of the window. Defaults to 9.
        eps (float): Added to the variance. Defaults to 1e-6.

    Returns:
        torch.Tensor: ``(B, C, H, W)`` float32 normalised images.

    Raises:
        ValueError: When ``window_size`` is even or not positive.
    """
    check_window_size(window_size)
    x = images.float()
    x = x - x.mean(dim=(2, 3), keepdim=True)
    pool = dict(
        kernel_size=window_size,
        stride=1,
        padding=window_size // 2,
        count_include_pad=False)
    mean = F.avg_pool2d(x, **pool)
    var = (F.avg_pool2d(x * x, **pool) - mean * mean).clamp(min=0)
    return (x - mean) / torch.sqrt(var + eps)


def patch_normalize(images: torch.Tensor,
                    patch_size: int = 16,
                    eps: float = 1e-6) -> torch.Tensor:
    """MAE's ``norm_pix`` target, left in image layout.

    Each non-overlapping ``patch_size`` x ``patch_size`` patch is
    normalised by the mean and unbiased variance of all its values (every
    channel together), as ``MAEPretrainHead.construct_target`` does.

    Args:
        images (torch.Tensor): ``(B, C, H, W)`` images, ``H`` and ``W``
            multiples of ``patch_size``.
        patch_size (int): Side of a patch. Defaults to 16.
        eps (float): Added to the variance. Defaults to 1e-6.

    Returns:
        torch.Tensor: ``(B, C, H, W)`` float32 normalised images.
    """
    batch, channels, height, width = images.shape
    if height % patch_size or width % patch_size:
        raise ValueError(f'image size {height}x{width} is not a multiple of '
                         f'patch_size {patch_size}')
    patches = images.float().reshape(batch, channels, height // patch_size,
                                     patch_size, width // patch_size,
                                     patch_size)
    dims = (1, 3, 5)
    mean = patches.mean(dim=dims, keepdim=True)
    var = patches.var(dim=dims, keepdim=True)
    patches = (patches - mean) / torch.sqrt(var + eps)
    return patches.reshape(batch, channels, height, width)


@MODELS.register_module()
class ResPixLoss(nn.Module):
    """The ResPix loss of `CIM <https://arxiv.org/abs/2202.03382>`_.

    The mean L2 (or L1) distance, over every pixel and channel of the
    whole image (corrupted and intact positions alike), between the
    enhancer's prediction and the normalised original image. The window
    size, the criterion and the normalisation are not confirmed by the
    paper's available text (spec ``cim.md``, A.2 step 5a); they are
    arguments here.

    Args:
        window_size (int): Odd side of the sliding window
            (``target='sliding_window'``). Defaults to 9.
        criterion (str): ``'L2'`` (squared error) or ``'L1'``. Defaults to
            ``'L2'``.
        eps (float): Added to the variance of either target. Defaults to
            1e-6.
        target (str): ``'sliding_window'`` (:func:`sliding_window_normalize`)
            or ``'patch'`` (MAE's per-patch ``norm_pix``,
            :func:`patch_normalize`). Defaults to ``'sliding_window'``.
        patch_size (int): Patch side of ``target='patch'``. Defaults to 16.
        loss_weight (float): Multiplies the loss. Defaults to 1.0.
    """

    def __init__(self,
                 window_size: int = 9,
                 criterion: str = 'L2',
                 eps: float = 1e-6,
                 target: str = 'sliding_window',
                 patch_size: int = 16,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if criterion not in CRITERIA:
            raise ValueError(f'criterion must be one of {CRITERIA}, got '
                             f'{criterion!r}')
        if target not in TARGETS:
            raise ValueError(f'target must be one of {TARGETS}, got '
                             f'{target!r}')
        if target == 'sliding_window':
            check_window_size(window_size)
        self.window_size = window_size
        self.eps = eps
        self.target = target
        self.patch_size = patch_size
        self.loss_weight = loss_weight
        self.penalty = PixelReconstructionLoss(criterion)

    def construct_target(self, images: torch.Tensor) -> torch.Tensor:
        """The normalised images the prediction regresses, without gradient.

        Args:
            images (torch.Tensor): ``(B, C, H, W)`` original images.

        Returns:
            torch.Tensor: ``(B, C, H, W)`` float32 target.
        """
        images = images.detach()
        if self.target == 'patch':
            return patch_normalize(images, self.patch_size, self.eps)
        return sliding_window_normalize(images, self.window_size, self.eps)

    def forward(self, pred: torch.Tensor,
                images: torch.Tensor) -> torch.Tensor:
        """Weighted mean distance between ``pred`` and the target.

        Args:
            pred (torch.Tensor): ``(B, C, H, W)`` predicted pixels.
            images (torch.Tensor): ``(B, C, H, W)`` original images.

        Returns:
            torch.Tensor: The scalar loss.
        """
        if pred.shape != images.shape:
            raise ValueError(f'prediction {tuple(pred.shape)} and images '
                             f'{tuple(images.shape)} differ')
        target = self.construct_target(images)
        return self.loss_weight * self.penalty(pred.float(), target)
