# Copyright (c) mmir contributors. All rights reserved.
"""OpenAI's DALL-E dVAE as an image tokenizer (CIM's golden tokens and
corrupted images).

The encoder is mmpretrain's ``DALLEEncoder`` (``mmpretrain.DALL-E``).
The decoder, absent from mmpretrain, is :class:`DALLEDecoder`: the layout
of OpenAI's ``dall_e/decoder.py`` with OpenAI's parameter names
(``blocks.input.w``, ``blocks.group_1.block_1.id_path.w``,
``blocks.group_1.block_1.res_path.conv_1.w``, ..., ``blocks.output.conv.b``),
built from mmpretrain's DALL-E ``Conv2d``.  As OpenAI's, the convolutions
inside the blocks and the output one run in float16 on CUDA;
:class:`DALLETokenizer` returns float32 pixels.

Weights: ``tools/model_converters/dalle_to_mmir.py`` turns OpenAI's
``encoder.pkl`` and ``decoder.pkl`` into one file with ``encoder.`` and
``decoder.`` keys, loaded by
``init_cfg=dict(type='mmir.StrictPretrained', checkpoint=...)`` on the
tokenizer.
"""
from collections import OrderedDict
from typing import List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.selfsup.cae import Conv2d

from mmir.checkpoint.formats.dalle import (DECODER_BLOCK_KERNELS,
                                           DECODER_GROUP_WIDTHS)
from mmir.registry import MODELS
from .base import ImageTokenizer

# DALL-E's logit-Laplace margin: pixels live in [eps, 1 - eps].
LOGIT_LAPLACE_EPS = 0.1


def map_pixels(images: torch.Tensor) -> torch.Tensor:
    """DALL-E's ``map_pixels``: ``[0, 1]`` -> ``[eps, 1 - eps]``.

    Args:
        images (torch.Tensor): Pixels in ``[0, 1]``.

    Returns:
        torch.Tensor: ``(1 - 2 * eps) * images + eps``.
    """
    return (1 - 2 * LOGIT_LAPLACE_EPS) * images + LOGIT_LAPLACE_EPS


def unmap_pixels(pixels: torch.Tensor) -> torch.Tensor:
    """DALL-E's ``unmap_pixels``, the inverse of :func:`map_pixels`
    clamped to ``[0, 1]``.

    Args:
        pixels (torch.Tensor): Decoded pixels, about ``[eps, 1 - eps]``.

    Returns:
        torch.Tensor: Pixels in ``[0, 1]``.
    """
    return torch.clamp(
        (pixels - LOGIT_LAPLACE_EPS) / (1 - 2 * LOGIT_LAPLACE_EPS), 0, 1)


class DALLEDecoderBlock(nn.Module):
    """OpenAI's ``DecoderBlock``: an identity path plus a scaled residual
    path relu-1x1-relu-3x3-relu-3x3-relu-3x3 of width ``out_channels / 4``.

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width; the identity path is a 1x1
            convolution when it differs from ``in_channels``.
        n_layers (int): Blocks in the decoder; the residual path is scaled
            by ``1 / n_layers**2``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 n_layers: int) -> None:
        super().__init__()
        hidden = out_channels // 4
        self.post_gain = 1 / n_layers**2
        self.id_path = (
            Conv2d(in_channels, out_channels, 1)
            if in_channels != out_channels else nn.Identity())
        widths = (in_channels, hidden, hidden, hidden, out_channels)
        layers = []
        for i, kernel in enumerate(DECODER_BLOCK_KERNELS):
            layers += [(f'relu_{i + 1}', nn.ReLU()),
                       (f'conv_{i + 1}',
                        Conv2d(widths[i], widths[i + 1], kernel))]
        self.res_path = nn.Sequential(OrderedDict(layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The identity plus the scaled residual."""
        return self.id_path(x) + self.post_gain * self.res_path(x)


@MODELS.register_module()
class DALLEDecoder(BaseModule):
    """OpenAI's DALL-E dVAE decoder (``dall_e/decoder.py``).

    An input 1x1 convolution from the token scores to ``n_init`` channels,
    four groups of ``n_blk_per_group`` :class:`DALLEDecoderBlock` of widths
    ``8, 4, 2, 1 x n_hid`` with a nearest x2 upsampling after each of the
    first three (a ``h x w`` map becomes ``8h x 8w``), then a ReLU and a
    1x1 convolution to ``2 * output_channels`` logit-Laplace statistics
    (the first ``output_channels`` are the means, see
    :meth:`DALLETokenizer.decode`).  Parameter names are OpenAI's.

    Args:
        group_count (int): Groups counted in the residual gain
            ``1 / (group_count * n_blk_per_group)**2``; as in OpenAI's code
            the layout always has four groups. Defaults to 4.
        n_init (int): Width after the input convolution. Defaults to 128.
        n_hid (int): Width of the last group. Defaults to 256.
        n_blk_per_group (int): Blocks per group. Defaults to 2.
        output_channels (int): Image channels. Defaults to 3.
        vocab_size (int): Number of visual tokens. Defaults to 8192.
        init_cfg (dict or List[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 group_count: int = 4,
                 n_init: int = 128,
                 n_hid: int = 256,
                 n_blk_per_group: int = 2,
                 output_channels: int = 3,
                 vocab_size: int = 8192,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.vocab_size = vocab_size
        self.output_channels = output_channels
        n_layers = group_count * n_blk_per_group
        layers = [('input', Conv2d(vocab_size, n_init, 1, use_float16=False))]
        in_channels = n_init
        for g, scale in enumerate(DECODER_GROUP_WIDTHS):
            width = scale * n_hid
            group = [(f'block_{i + 1}',
                      DALLEDecoderBlock(in_channels if i == 0 else width,
                                        width, n_layers))
                     for i in range(n_blk_per_group)]
            if g < len(DECODER_GROUP_WIDTHS) - 1:
                group.append(('upsample',
                              nn.Upsample(scale_factor=2, mode='nearest')))
            layers.append(
                (f'group_{g + 1}', nn.Sequential(OrderedDict(group))))
            in_channels = width
        layers.append(('output',
                       nn.Sequential(
                           OrderedDict([('relu', nn.ReLU()),
                                        ('conv',
                                         Conv2d(n_hid, 2 * output_channels,
                                                1))]))))
        self.blocks = nn.Sequential(OrderedDict(layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Decode a map of token scores (OpenAI's ``Decoder.forward``).

        Args:
            x (torch.Tensor): ``(B, vocab_size, h, w)``, a one-hot map of
                token ids (or any weighting of the tokens).

        Returns:
            torch.Tensor: ``(B, 2 * output_channels, 8h, 8w)`` statistics
            (float16 on CUDA).
        """
        if x.dim() != 4 or x.shape[1] != self.vocab_size:
            raise ValueError(f'expected a (B, {self.vocab_size}, h, w) map '
                             f'of token scores, got {tuple(x.shape)}')
        return self.blocks(x)

    def embed_tokens(self, token_ids: torch.Tensor) -> torch.Tensor:
        """The input convolution's output on the one-hot map of
        ``token_ids``, as a lookup of its weight columns (exact, without
        the ``(B, vocab_size, h, w)`` one-hot tensor).

        Args:
            token_ids (torch.Tensor): ``(B, h, w)`` ids in
                ``[0, vocab_size)``.

        Returns:
            torch.Tensor: ``(B, n_init, h, w)`` float32.
        """
        conv = self.blocks.input
        columns = F.embedding(token_ids, conv.w[:, :, 0, 0].t())
        return (columns + conv.b).permute(0, 3, 1, 2).contiguous()

    def forward_token_ids(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Decode a grid of token ids: :meth:`forward` on its one-hot map.

        Args:
            token_ids (torch.Tensor): ``(B, h, w)`` ids in
                ``[0, vocab_size)``.

        Returns:
            torch.Tensor: ``(B, 2 * output_channels, 8h, 8w)`` statistics
            (float16 on CUDA).
        """
        return self.blocks[1:](self.embed_tokens(token_ids))


@MODELS.register_module()
class DALLETokenizer(ImageTokenizer):
    """OpenAI's DALL-E dVAE: mmpretrain's encoder and :class:`DALLEDecoder`.

    :meth:`token_logits` maps ``[0, 1]`` pixels with DALL-E's
    ``map_pixels`` and scores the tokens with the encoder; :meth:`decode`
    runs the decoder on the one-hot map of the ids (as a lookup, see
    :meth:`DALLEDecoder.embed_tokens`), takes the sigmoid of the first
    ``output_channels`` statistics and undoes the mapping (``unmap_pixels``).
    The encoder downsamples by 8 and the decoder upsamples by 8.

    Weights (see ``tools/model_converters/dalle_to_mmir.py``):

    - OpenAI's ``encoder.pkl`` and ``decoder.pkl``, converted to one file,
      load through the tokenizer's
      ``init_cfg=dict(type='mmir.StrictPretrained', checkpoint=...)``.
    - mmpretrain's encoder-only ``dalle_encoder.pth`` (BEiT's target
      generator) loads onto the encoder as in mmpretrain's BEiT config:
      ``encoder=dict(type='mmpretrain.DALL-E',
      init_cfg=dict(type='Pretrained', checkpoint=...))``; the decoder then
      needs its own ``init_cfg`` (``mmir.StrictPretrained`` with
      ``prefix='decoder.'`` on a converted file).

    The tokenizer trains like any module; a method that keeps it fixed
    freezes it (``mmir.models.utils.freeze``).

    Args:
        encoder (dict): Config of the encoder. Defaults to
            ``dict(type='mmpretrain.DALL-E')``, OpenAI's size.
        decoder (dict): Config of the decoder. Defaults to
            ``dict(type='mmir.DALLEDecoder')``, OpenAI's size.
        init_cfg (dict or List[dict], optional): Initialization config.
            Defaults to None.

    Raises:
        ValueError: When the encoder and the decoder have different
            vocabularies.
    """

    downsample = 8

    def __init__(self,
                 encoder: dict = dict(type='mmpretrain.DALL-E'),
                 decoder: dict = dict(type='mmir.DALLEDecoder'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.encoder = MODELS.build(encoder)
        self.decoder = MODELS.build(decoder)
        encoder_vocab = self.encoder.blocks.output.conv.w.shape[0]
        if encoder_vocab != self.decoder.vocab_size:
            raise ValueError(
                f'the encoder scores {encoder_vocab} tokens but the decoder '
                f'reads {self.decoder.vocab_size}: give both the same '
                'vocab_size')
        self.vocab_size = encoder_vocab

    def token_logits(self, images: torch.Tensor) -> torch.Tensor:
        """Score every token at every position (see
        :meth:`ImageTokenizer.token_logits`).

        Args:
            images (torch.Tensor): ``(B, 3, H, W)`` pixels in ``[0, 1]``.

        Returns:
            torch.Tensor: ``(B, vocab_size, H / 8, W / 8)`` float32 logits.
        """
        return self.encoder(map_pixels(images))

    def decode(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Turn a token grid into an image (see
        :meth:`ImageTokenizer.decode`).

        Args:
            token_ids (torch.Tensor): ``(B, h, w)`` ids in
                ``[0, vocab_size)``.

        Returns:
            torch.Tensor: ``(B, output_channels, 8h, 8w)`` float32 pixels
            in ``[0, 1]``.
        """
        stats = self.decoder.forward_token_ids(token_ids).float()
        means = stats[:, :self.decoder.output_channels]
        return unmap_pixels(torch.sigmoid(means))
