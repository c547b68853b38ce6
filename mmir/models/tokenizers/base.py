# Copyright (c) mmir contributors. All rights reserved.
"""The interface every image tokenizer of mmir offers.

A tokenizer maps an image to a grid of discrete visual tokens and a grid
of tokens back to an image.  CIM (``mmir.CIM``) only talks to this
interface, so OpenAI's DALL-E dVAE (:class:`~mmir.models.DALLETokenizer`)
and the infrared tokenizer trained in this repository
(:class:`~mmir.models.VQTokenizer`) are interchangeable in its configs.

Pixels cross the interface in ``[0, 1]`` (RGB order, or the three
replicated channels of an infrared frame); each tokenizer applies its own
input mapping (DALL-E's ``map_pixels``, for instance) inside ``encode`` and
undoes it inside ``decode``.
"""
from abc import ABCMeta, abstractmethod

import torch
from mmengine.model import BaseModule


class ImageTokenizer(BaseModule, metaclass=ABCMeta):
    """Base class of image tokenizers (``encode`` and ``decode``).

    Subclasses set :attr:`vocab_size` (number of visual tokens) and
    :attr:`downsample` (pixels per token along each side: a ``H x W``
    image gives an ``H / downsample x W / downsample`` token grid).
    """

    vocab_size: int
    downsample: int

    @abstractmethod
    def token_logits(self, images: torch.Tensor) -> torch.Tensor:
        """Score every visual token at every grid position.

        Args:
            images (torch.Tensor): ``(B, 3, H, W)`` pixels in ``[0, 1]``.

        Returns:
            torch.Tensor: ``(B, vocab_size, H / downsample,
            W / downsample)`` scores; higher is more likely.
        """

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """Tokenize images: the best-scoring token at each position.

        Args:
            images (torch.Tensor): ``(B, 3, H, W)`` pixels in ``[0, 1]``.

        Returns:
            torch.Tensor: ``(B, H / downsample, W / downsample)`` token ids
            (``torch.long``).
        """
        return self.token_logits(images).argmax(dim=1)

    @abstractmethod
    def decode(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Turn a token grid into an image.

        Args:
            token_ids (torch.Tensor): ``(B, h, w)`` ids in
                ``[0, vocab_size)``.

        Returns:
            torch.Tensor: ``(B, 3, h * downsample, w * downsample)`` pixels
            in ``[0, 1]``.
        """
