# Copyright (c) mmir contributors. All rights reserved.
"""mmir's infrared image tokenizer: a small convolutional VQ-VAE."""
from typing import List, NamedTuple, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmir.registry import MODELS
from .base import ImageTokenizer


class VQTrainOutput(NamedTuple):
    """What :meth:`VQTokenizer.forward_train` returns.

    Attributes:
        reconstruction (torch.Tensor): ``(B, C, H, W)`` pixels in
            ``[0, 1]`` decoded from the straight-through codes.
        codebook_loss (torch.Tensor): Scalar, moves the chosen codes to the
            (detached) encoder outputs.
        commitment_loss (torch.Tensor): Scalar, moves the encoder outputs
            to the (detached) chosen codes.
        ids (torch.Tensor): ``(B, H / downsample, W / downsample)`` chosen
            token ids, those of :meth:`ImageTokenizer.encode`.
        logits (torch.Tensor): ``(B, vocab_size, H / downsample,
            W / downsample)``, those of :meth:`VQTokenizer.token_logits`
            (with gradient), whose argmax is ``ids``.
    """

    reconstruction: torch.Tensor
    codebook_loss: torch.Tensor
    commitment_loss: torch.Tensor
    ids: torch.Tensor
    logits: torch.Tensor


class ResidualBlock(nn.Module):
    """``x + conv3x3(relu(conv3x3(relu(x))))`` at a fixed width.

    Args:
        channels (int): Input and output width.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.residual = nn.Sequential(
            nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the residual path to ``x``."""
        return x + self.residual(x)


def _encoder(in_channels: int, channels: Sequence[int], num_blocks: int,
             code_dims: int) -> nn.Sequential:
    """Stem, one stride-2 stage per width, projection to ``code_dims``."""
    layers: List[nn.Module] = [
        nn.Conv2d(in_channels, channels[0], 3, padding=1)
    ]
    width = channels[0]
    for stage_width in channels:
        layers.append(nn.Conv2d(width, stage_width, 4, stride=2, padding=1))
        layers.extend(ResidualBlock(stage_width) for _ in range(num_blocks))
        width = stage_width
    layers.append(nn.Conv2d(width, code_dims, 1))
    return nn.Sequential(*layers)


def _decoder(out_channels: int, channels: Sequence[int], num_blocks: int,
             code_dims: int) -> nn.Sequential:
    """The encoder's mirror: projection, one x2 stage per width, head."""
    layers: List[nn.Module] = [
        nn.Conv2d(code_dims, channels[-1], 3, padding=1)
    ]
    for index in reversed(range(len(channels))):
        width = channels[index]
        layers.extend(ResidualBlock(width) for _ in range(num_blocks))
        layers += [
            nn.Upsample(scale_factor=2, mode='nearest'),
            nn.Conv2d(width, channels[max(index - 1, 0)], 3, padding=1)
        ]
    layers += [
        nn.ReLU(),
        nn.Conv2d(channels[0], out_channels, 3, padding=1),
        nn.Sigmoid()
    ]
    return nn.Sequential(*layers)


@MODELS.register_module()
class VQTokenizer(ImageTokenizer):
    """mmir's infrared image tokenizer: a small convolutional VQ-VAE.

    CIM (``mmir.CIM``) uses it in place of OpenAI's DALL-E dVAE, whose RGB
    codebook fits thermal images poorly; train it with
    :class:`~mmir.models.VQTokenizerPretrain`.

    - **Input mapping.** Pixels in ``[0, 1]`` are mapped to ``2 x - 1`` in
      ``[-1, 1]`` before the encoder; the decoder ends in a sigmoid, so
      :meth:`decode` gives ``[0, 1]`` pixels directly.
    - **Encoder.** A 3x3 conv stem to ``channels[0]``, then one stage per
      entry of ``channels``: a stride-2 4x4 conv to that width and
      ``num_blocks`` residual blocks (pre-activation ReLU, two 3x3 convs,
      no normalisation, so a token does not depend on the batch); a 1x1
      projection to ``code_dims``. ``len(channels)`` stages give
      ``downsample = 2 ** len(channels)``.
    - **Quantizer.** A ``vocab_size x code_dims`` codebook (drawn from a
      standard normal). With ``l2_codes=True`` encoder outputs and codes
      are l2-normalised before the lookup (ViT-VQGAN's l2-normalised
      codes), so the nearest code is the one of highest cosine similarity,
      the decoder sees unit vectors and no code can drift out of reach by
      its norm. That alone does not keep codes in use (3 to 7 of 256 on
      SynthIR); :class:`~mmir.models.VQTokenizerPretrain` adds an entropy
      loss on :meth:`token_logits` that does.
    - **Decoder.** The encoder's mirror: a 3x3 conv from ``code_dims`` to
      ``channels[-1]``, then per stage (deepest first) ``num_blocks``
      residual blocks, a nearest x2 upsampling and a 3x3 conv to the
      previous width; a ReLU, a 3x3 conv to ``in_channels`` and a sigmoid.

    :meth:`token_logits` is the negative squared distance between the
    (normalised) encoder output and every (normalised) code, so
    :meth:`encode` (its argmax) is the nearest code, the one
    :meth:`forward_train` decodes and trains.

    Args:
        vocab_size (int): Number of codes (visual tokens). Defaults to 1024.
        code_dims (int): Width of a code. Defaults to 32.
        channels (Sequence[int]): Width of each stride-2 stage, shallowest
            first. Defaults to (64, 128, 256).
        downsample (int): Pixels per token along each side; must be
            ``2 ** len(channels)``. Defaults to 8.
        in_channels (int): Image channels, read and reconstructed; the
            :class:`ImageTokenizer` interface (and CIM) use 3. Defaults
            to 3.
        l2_codes (bool): Look codes up by cosine similarity of
            l2-normalised vectors, as above. Defaults to True.
        num_blocks (int): Residual blocks per stage. Defaults to 1.
        init_cfg (dict | list, optional): Initialisation, e.g.
            ``dict(type='mmir.StrictPretrained', checkpoint=...,
            prefix='tokenizer.')`` for a
            :class:`~mmir.models.VQTokenizerPretrain` checkpoint. Defaults
            to None.
    """

    def __init__(self,
                 vocab_size: int = 1024,
                 code_dims: int = 32,
                 channels: Sequence[int] = (64, 128, 256),
                 downsample: int = 8,
                 in_channels: int = 3,
                 l2_codes: bool = True,
                 num_blocks: int = 1,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if downsample != 2**len(channels):
            raise ValueError(
                f'downsample must be 2 ** len(channels): {len(channels)} '
                f'stages {tuple(channels)} give {2**len(channels)}, got '
                f'{downsample}')
        self.vocab_size = vocab_size
        self.downsample = downsample
        self.in_channels = in_channels
        self.l2_codes = l2_codes
        self.encoder = _encoder(in_channels, channels, num_blocks,
                                code_dims)
        self.codebook = nn.Parameter(torch.randn(vocab_size, code_dims))
        self.decoder = _decoder(in_channels, channels, num_blocks,
                                code_dims)

    def _check_images(self, images: torch.Tensor) -> None:
        """Refuse images of the wrong rank, channel count or size."""
        if images.dim() != 4 or images.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} takes (B, {self.in_channels}, H, W) '
                f'images, got shape {tuple(images.shape)}')
        height, width = images.shape[-2:]
        if height % self.downsample or width % self.downsample:
            raise ValueError(
                f'image size {height}x{width} is not divisible by the '
                f'downsampling factor {self.downsample}')

    def codes(self) -> torch.Tensor:
        """The codebook as looked up: ``(vocab_size, code_dims)``,
        l2-normalised rows when ``l2_codes``."""
        if self.l2_codes:
            return F.normalize(self.codebook, dim=1)
        return self.codebook

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """The continuous encoder output, before quantisation.

        Args:
            images (torch.Tensor): ``(B, in_channels, H, W)`` pixels in
                ``[0, 1]``.

        Returns:
            torch.Tensor: ``(B, code_dims, H / downsample,
            W / downsample)``, l2-normalised along ``code_dims`` when
            ``l2_codes``.
        """
        self._check_images(images)
        features = self.encoder(images * 2 - 1)
        if self.l2_codes:
            return F.normalize(features, dim=1)
        return features

    @staticmethod
    def _logits(features: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Negative squared distance of every code to every position."""
        squared_distance = (
            features.pow(2).sum(1, keepdim=True) -
            2 * torch.einsum('bdhw,vd->bvhw', features, codes) +
            codes.pow(2).sum(1)[None, :, None, None])
        return -squared_distance

    def token_logits(self, images: torch.Tensor) -> torch.Tensor:
        """Negative squared distance of every code at every position.

        With ``l2_codes`` this is ``2 * cosine - 2``.

        Args:
            images (torch.Tensor): ``(B, in_channels, H, W)`` pixels in
                ``[0, 1]``.

        Returns:
            torch.Tensor: ``(B, vocab_size, H / downsample,
            W / downsample)``.
        """
        return self._logits(self.embed(images), self.codes())

    @staticmethod
    def _lookup(token_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """``(B, h, w)`` ids -> ``(B, code_dims, h, w)`` codes."""
        return F.embedding(token_ids, codes).permute(0, 3, 1, 2)

    def decode(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Look the codes up and decode them.

        Args:
            token_ids (torch.Tensor): ``(B, h, w)`` ids in
                ``[0, vocab_size)``.

        Returns:
            torch.Tensor: ``(B, in_channels, h * downsample,
            w * downsample)`` pixels in ``[0, 1]``.
        """
        return self.decoder(self._lookup(token_ids, self.codes()))

    def forward_train(self, images: torch.Tensor) -> VQTrainOutput:
        """Encode, quantise with the straight-through estimator, decode.

        The decoder gets ``z + sg(e - z)``: the chosen codes ``e`` forward,
        the gradient of the reconstruction straight to the encoder output
        ``z``. The codebook learns from ``codebook_loss = mean((e -
        sg(z)) ** 2)`` only and the encoder additionally from
        ``commitment_loss = mean((z - sg(e)) ** 2)`` (means over batch,
        positions and code dimensions; on the normalised vectors with
        ``l2_codes``).

        Args:
            images (torch.Tensor): ``(B, in_channels, H, W)`` pixels in
                ``[0, 1]``.

        Returns:
            VQTrainOutput: Reconstruction, both losses, the token ids and
            logits.
        """
        features, codes = self.embed(images), self.codes()
        logits = self._logits(features, codes)
        ids = logits.argmax(dim=1)
        quantized = self._lookup(ids, codes)
        straight_through = features + (quantized - features).detach()
        return VQTrainOutput(
            reconstruction=self.decoder(straight_through),
            codebook_loss=F.mse_loss(quantized, features.detach()),
            commitment_loss=F.mse_loss(features, quantized.detach()),
            ids=ids,
            logits=logits)

