# Copyright (c) mmir contributors. All rights reserved.
"""AdaViPro's fixed edge detector: a 4-neighbour Laplacian."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmir.registry import MODELS

PADDING_MODES = ('zeros', 'replicate')


@MODELS.register_module()
class LaplacianEdgeDetector(nn.Module):
    """The 3x3 Laplacian [[0, 1, 0], [1, -4, 1], [0, 1, 0]] of an image.

    The edge map of `AdaViPro <https://arxiv.org/abs/2403.13282>`_, the
    input of its mask generator: a convolution with padding 1 and a fixed
    kernel.  The kernel is a non-persistent buffer: the detector has no
    parameters, nothing trains, and nothing of it is in checkpoints.

    Choices the paper leaves open (``[U]`` in the spec), exposed here:

    - It runs on the image as given to it; in AdaViPro that is the
      model's (CLIP-normalised) input.
    - ``gray=True`` takes the channel mean first and gives one edge
      channel; ``gray=False`` applies the kernel to each channel
      (depthwise) and gives C.
    - The edge map is signed and unscaled; ``absolute=True`` takes its
      absolute value.
    - ``padding_mode='zeros'`` is the specified padding 1; the border
      then sees zeros outside the image, so even a constant image has a
      non-zero response on its one-pixel border (the Laplacian of a
      constant is 0 only in the interior).  ``'replicate'`` repeats the
      edge pixels instead, and a constant image gives 0 everywhere.

    Args:
        gray (bool): Average the channels before filtering.
            Defaults to True.
        absolute (bool): Return the absolute value of the response.
            Defaults to False.
        padding_mode (str): One of ``PADDING_MODES``. Defaults to 'zeros'.
    """

    def __init__(self,
                 gray: bool = True,
                 absolute: bool = False,
                 padding_mode: str = 'zeros') -> None:
        super().__init__()
        if padding_mode not in PADDING_MODES:
            raise ValueError(f'padding_mode must be one of {PADDING_MODES}, '
                             f'got {padding_mode!r}')
        self.gray = gray
        self.absolute = absolute
        self.padding_mode = padding_mode
        kernel = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]])
        self.register_buffer(
            'kernel', kernel.view(1, 1, 3, 3), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The edge map of a batch of images.

        Args:
            x (torch.Tensor): Images, shape (B, C, H, W).

        Returns:
            torch.Tensor: Edges, shape (B, 1, H, W) if ``gray`` else
            (B, C, H, W).
        """
        if x.dim() != 4:
            raise ValueError(f'LaplacianEdgeDetector expects images of '
                             f'shape (B, C, H, W), got {tuple(x.shape)}')
        if self.gray:
            x = x.mean(dim=1, keepdim=True)
        channels = x.shape[1]
        kernel = self.kernel.to(x.dtype).expand(channels, 1, 3, 3)
        if self.padding_mode == 'replicate':
            x = F.pad(x, (1, 1, 1, 1), mode='replicate')
            edges = F.conv2d(x, kernel, groups=channels)
        else:
            edges = F.conv2d(x, kernel, padding=1, groups=channels)
        return edges.abs() if self.absolute else edges
