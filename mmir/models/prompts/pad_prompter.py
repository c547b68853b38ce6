# Copyright (c) mmir contributors. All rights reserved.
"""VP's padding prompt: four learnable strips around a zero centre."""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmir.registry import MODELS


@MODELS.register_module()
class PadPrompter(BaseModule):
    """The padding prompt of `VP <https://arxiv.org/abs/2203.17274>`_.

    A learnable frame of width ``prompt_size`` (p) around an image of side
    ``image_size`` (S): strips ``pad_up`` and ``pad_down`` of shape
    (1, C, p, S) and ``pad_left`` and ``pad_right`` of shape
    (1, C, S - 2p, p), each drawn from a standard normal as VP's ``randn``,
    around a zero centre of side S - 2p.  The prompt is the same for every
    image and is added to it: ``x + prompt``.  VP and AdaViPro add it after
    CLIP's normalisation, i.e. in normalised pixel space.

    There are ``2 C p S + 2 C (S - 2p) p`` parameters: 69,840 at p = 30,
    S = 224, C = 3 (VP's default); p = S / 2 (112 on 224) covers the whole
    image (150,528), with empty side strips.

    Args:
        image_size (int): Side S of the (square) input image.
            Defaults to 224.
        prompt_size (int): Width p of each strip, 1 <= p <= S / 2.
            Defaults to 30.
        in_channels (int): Image channels C. Defaults to 3.
        init_cfg (dict | list, optional): mmengine initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 image_size: int = 224,
                 prompt_size: int = 30,
                 in_channels: int = 3,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 1 <= prompt_size <= image_size / 2:
            raise ValueError(f'prompt_size must be in [1, image_size / 2 = '
                             f'{image_size / 2:g}], got {prompt_size}')
        self.image_size = image_size
        self.prompt_size = prompt_size
        self.in_channels = in_channels
        inner = image_size - 2 * prompt_size
        self.pad_up = nn.Parameter(
            torch.randn(1, in_channels, prompt_size, image_size))
        self.pad_down = nn.Parameter(
            torch.randn(1, in_channels, prompt_size, image_size))
        self.pad_left = nn.Parameter(
            torch.randn(1, in_channels, inner, prompt_size))
        self.pad_right = nn.Parameter(
            torch.randn(1, in_channels, inner, prompt_size))

    def prompt(self) -> torch.Tensor:
        """The prompt template: the four strips around a zero centre.

        Returns:
            torch.Tensor: The prompt, shape (1, C, S, S).
        """
        inner = self.image_size - 2 * self.prompt_size
        centre = self.pad_left.new_zeros(1, self.in_channels, inner, inner)
        middle = torch.cat([self.pad_left, centre, self.pad_right], dim=3)
        return torch.cat([self.pad_up, middle, self.pad_down], dim=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the prompt to a batch of images.

        Args:
            x (torch.Tensor): Images, shape (B, C, S, S).

        Returns:
            torch.Tensor: ``x + prompt``, shape (B, C, S, S).

        Raises:
            ValueError: If the images are not of shape (B, C, S, S).
        """
        expected = (self.in_channels, self.image_size, self.image_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f'PadPrompter expects images of shape (B, '
                             f'{", ".join(map(str, expected))}), got '
                             f'{tuple(x.shape)}')
        return x + self.prompt()
